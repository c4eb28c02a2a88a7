"""Opt-in speed options of the training step, each a setting that is off by default.

- ``channels_last``: NHWC memory for image models, which convolutions run faster in (on
  CPUs with oneDNN and on tensor-core GPUs); the same maths, to rounding.
- ``amp = "bf16"``: autocast to bfloat16. It changes results, so it is named and opt-in.
- ``compile``: ``torch.compile`` of G and D; pays a compilation at the start. It often loses
  on CPUs and helps on GPUs.

The benchmarks time each on and off (benchmarks/test_train_step.py).
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn

AMP = ("off", "bf16")


def memory_format(settings, shape) -> torch.memory_format:
    return torch.channels_last if settings.get("channels_last") and len(shape) == 3 else torch.contiguous_format


def compiled(module: nn.Module, settings) -> nn.Module:
    return torch.compile(module) if settings.get("compile") else module


def autocast(settings, device: torch.device):
    if settings.get("amp", "off") == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()
