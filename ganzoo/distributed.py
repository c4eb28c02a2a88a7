"""Data-parallel training over processes that torchrun starts.

``torchrun --nproc_per_node=N -m ganzoo train ...`` (or ``ganzoo train --nproc N``) runs N
copies of the trainer. Each holds the whole dataset, draws the same permutation, and trains
on its own slice of every batch: ``batch_size`` stays the global batch, so a step, an epoch
and a checkpoint mean the same as in one process, and checkpoints move freely between the
two. G and D are wrapped in DistributedDataParallel, which averages their gradients; rank 0
alone writes the run directory and evaluates.

BatchNorm: on CUDA it becomes SyncBatchNorm, so batch statistics are those of the global
batch, as in one process. torch's SyncBatchNorm runs on GPUs only, so on the CPU (gloo) each
rank normalises by its own slice's statistics, and the running statistics saved are rank 0's.
Buffers are not broadcast on every forward: D runs twice before one backward (real, fake),
and DDP's in-place broadcast there breaks autograd.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from .errors import ConfigError, GanzooError


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.size > 1

    def shard(self, idx: torch.Tensor) -> torch.Tensor:
        """This rank's part of a global batch of indices. Every rank gets a sample, even
        from a final batch smaller than the world, so that all take the same steps."""
        if not self.active:
            return idx
        if len(idx) < self.size:
            return idx[self.rank % len(idx):][:1]
        return idx.tensor_split(self.size)[self.rank]


SINGLE = World()


def world() -> World:
    """The world torchrun describes in the environment; one process otherwise."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return SINGLE
    return World(int(os.environ["RANK"]), size, int(os.environ.get("LOCAL_RANK", "0")))


def init(w: World, device: torch.device) -> torch.device:
    """Join the process group (NCCL on CUDA, gloo otherwise) and return this rank's device."""
    if not w.active:
        return device
    if device.type == "cuda":
        device = torch.device("cuda", w.local_rank)
        torch.cuda.set_device(device)
    elif device.type != "cpu":
        raise ConfigError(f"distributed training runs on cuda or cpu, not {device.type}; use --device cpu")
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def shutdown() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def wrap(module: nn.Module, device: torch.device) -> nn.Module:
    """``module`` in DistributedDataParallel, its BatchNorm synchronised where torch can."""
    if not any(p.requires_grad for p in module.parameters()):
        return module  # nothing to average
    if device.type == "cuda":
        module = nn.SyncBatchNorm.convert_sync_batchnorm(module)
    # torch >= 2.14 renamed broadcast_buffers; older ones know only the old name.
    no_sync = ("forward_sync_buffers" if "forward_sync_buffers" in inspect.signature(DistributedDataParallel).parameters
               else "broadcast_buffers")
    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids, **{no_sync: False})


def announce(w: World, outcome: Any) -> str:
    """Rank 0 tells every rank how starting the run went: ``outcome`` is its run id, or the
    exception it failed with. Other ranks get the id, or raise rank 0's error, so that none
    waits forever for a run that never started. Only strings cross between processes."""
    if not w.active:
        return str(outcome)
    failed = isinstance(outcome, BaseException)
    box = [(type(outcome).__name__, str(outcome)) if failed else ("ok", str(outcome))]
    dist.broadcast_object_list(box, src=0)
    kind, text = box[0]
    if kind != "ok" and not w.main:
        raise GanzooError(f"rank 0 could not start the run: {text}")
    return text


def gather(w: World, value: int) -> list[int]:
    """``value`` from every rank, in rank order, on every rank."""
    out: list[Any] = [None] * w.size
    dist.all_gather_object(out, int(value))
    return out
