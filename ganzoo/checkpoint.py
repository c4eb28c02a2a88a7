"""Checkpoints as safetensors files: weights, optimiser states and RNG states, no pickle.

One file per checkpoint holds flat tensors plus a JSON header (``meta``) for everything
that is not a tensor: step, epoch, model name and shape, optimiser hyperparameters and the
Python RNG state. Loading one needs neither the dataset nor the run's config.
"""

from __future__ import annotations

import json
import random
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save
from torch import nn

from .errors import RunError
from .runstore import atomic_write

META_KEY = "ganzoo"


@dataclass
class Checkpoint:
    tensors: dict[str, torch.Tensor]
    meta: dict[str, Any]
    path: Path | None = None

    def module_state(self, prefix: str) -> dict[str, torch.Tensor]:
        p = prefix + "."
        return {k[len(p):]: v for k, v in self.tensors.items() if k.startswith(p)}

    def restore_module(self, prefix: str, module: nn.Module) -> None:
        module.load_state_dict(self.module_state(prefix))

    def restore_optimizer(self, prefix: str, opt: torch.optim.Optimizer) -> None:
        groups = self.meta["optimizers"][prefix]["param_groups"]
        scalars = self.meta["optimizers"][prefix]["scalars"]
        state: dict[int, dict[str, Any]] = {}
        for k, v in self.module_state(prefix).items():
            idx, key = k.split(".", 1)
            state.setdefault(int(idx), {})[key] = v
        for k, v in scalars.items():
            idx, key = k.split(".", 1)
            state.setdefault(int(idx), {})[key] = v
        opt.load_state_dict({"state": state, "param_groups": groups})


def save(path: Path, modules: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer],
         tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    flat: dict[str, torch.Tensor] = {}
    for name, m in modules.items():
        for k, v in m.state_dict().items():
            flat[f"{name}.{k}"] = v
    meta = dict(meta, optimizers={})
    for name, opt in optimizers.items():
        sd = opt.state_dict()
        scalars = {}
        for idx, st in sd["state"].items():
            for key, v in st.items():
                if isinstance(v, torch.Tensor):
                    flat[f"{name}.{idx}.{key}"] = v
                else:
                    scalars[f"{idx}.{key}"] = v
        meta["optimizers"][name] = {"param_groups": sd["param_groups"], "scalars": scalars}
    flat.update(tensors)
    flat = {k: v.detach().contiguous().cpu() for k, v in flat.items()}
    atomic_write(path, st_save(flat, metadata={META_KEY: json.dumps(meta)}))


def load(path: Path, device: str | torch.device = "cpu") -> Checkpoint:
    data = Path(path).read_bytes()
    try:
        tensors = st_load(data)
        # st_load drops the metadata: read it from the header (8-byte length, then JSON).
        header = json.loads(data[8:8 + int.from_bytes(data[:8], "little")])
        meta = json.loads(header["__metadata__"][META_KEY])
    except (SafetensorError, KeyError, ValueError, TypeError) as e:
        raise RunError(f"checkpoint {path} is unreadable ({e})") from e
    return Checkpoint({k: v.to(device) for k, v in tensors.items()}, meta, Path(path))


def load_latest(paths: list[Path], device: str | torch.device = "cpu") -> Checkpoint:
    """The newest readable checkpoint of ``paths`` (sorted oldest first); a corrupt newest
    one falls back to the one before, with a warning."""
    if not paths:
        raise RunError("the run has no checkpoint yet")
    for path in reversed(paths):
        try:
            return load(path, device)
        except RunError as e:
            warnings.warn(f"{e}; falling back to the previous checkpoint", stacklevel=2)
    raise RunError(f"no readable checkpoint among {[p.name for p in paths]}")


def rng_state() -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Every RNG a run draws from: torch (CPU and CUDA), NumPy and Python."""
    tensors = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{i}"] = s
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    tensors["rng.numpy"] = torch.from_numpy(keys.astype(np.int64))
    py_version, py_state, py_gauss = random.getstate()
    meta = {"numpy": [kind, int(pos), int(has_gauss), float(cached)],
            "python": [py_version, list(py_state), py_gauss]}
    return tensors, meta


def set_rng_state(ckpt: Checkpoint) -> None:
    t, meta = ckpt.tensors, ckpt.meta["rng"]
    torch.set_rng_state(t["rng.torch"].cpu())
    cuda = [t[k].cpu() for k in sorted(k for k in t if k.startswith("rng.cuda."))]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda)
    kind, pos, has_gauss, cached = meta["numpy"]
    np.random.set_state((kind, t["rng.numpy"].cpu().numpy().astype(np.uint32), pos, has_gauss, cached))
    version, state, gauss = meta["python"]
    random.setstate((version, tuple(state), gauss))
