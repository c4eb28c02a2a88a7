"""Datasets by name, held as one float tensor in [-1, 1] on the training device."""

from __future__ import annotations

import torch

from .errors import DataError
from .hookspecs import Data, DatasetSpec, Shape
from .registry import Registry


def load(reg: Registry, name: str, data_root: str | None, shape: Shape) -> tuple[DatasetSpec, Data]:
    """Load dataset ``name`` (``NAME`` or ``NAME:ARG``) for a model wanting ``shape``."""
    base, sep, arg = name.partition(":")
    spec = reg.datasets.get(base)
    if spec is None:
        raise DataError(f"unknown dataset '{name}'; valid: {', '.join(sorted(_usage(reg)))}")
    if spec.takes_arg and not arg:
        raise DataError(f"dataset '{base}' needs an argument: {base}:PATH")
    if not spec.takes_arg and sep:
        raise DataError(f"dataset '{base}' takes no argument; use '{base}'")
    data = spec.load(arg or None, data_root, tuple(shape))
    if not isinstance(data, Data) or not isinstance(data.x, torch.Tensor):
        owner = reg.owner[("dataset", base)]
        raise DataError(f"dataset '{base}' from {owner.label} returned {type(data).__name__}, not ganzoo.hookspecs.Data")
    if tuple(data.x.shape[1:]) != tuple(shape):
        raise DataError(f"dataset '{name}' holds samples of shape {tuple(data.x.shape[1:])} but the model "
                        f"wants {tuple(shape)}; pick a model or dataset that match")
    if len(data.x) == 0:
        raise DataError(f"dataset '{name}' is empty")
    return spec, data


def _usage(reg: Registry) -> list[str]:
    return [f"{n}:PATH" if s.takes_arg else n for n, s in reg.datasets.items()]


def as_model_input(x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Samples as float in [-1, 1] on ``device``: uint8 pixels are mapped the way the
    seed's ToTensor + Normalize(0.5, 0.5) maps them, once for the whole dataset."""
    x = x.to(device)
    if x.dtype == torch.uint8:
        return x.float().div_(127.5).sub_(1.0)
    return x.float()
