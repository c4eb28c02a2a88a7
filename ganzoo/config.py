"""Training settings: the trainer's defaults (the seed's), then the model's, then a TOML
file, then flags, each later source overriding the earlier. Every value is checked here,
before a run directory exists."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .accel import AMP
from .errors import ConfigError
from .losses import LOSSES

# The seed's algorithm: Adam 2e-4, betas (0.5, 0.999), batch 60, 100 epochs.
TRAINER_DEFAULTS: dict[str, Any] = {
    "batch_size": 60,
    "epochs": 100,
    "lr_g": 2e-4,
    "lr_d": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "seed": 0,
    "sample_every": 0,  # steps between sample grids; 0: once per epoch
    "checkpoint_every": 0,  # steps between checkpoints; 0: end of an epoch, at most once a minute
    "keep_checkpoints": 3,
    "log_every": 50,  # steps between progress updates, gradient norms and the NaN check
    "eval_every": 500,  # steps between diversity statistics (and at the end); 0: never
    "eval_samples": 1000,  # samples each diversity evaluation draws
    "loss": "",  # the default step's loss: "" for the model's own (BCE unless it says), or a name in LOSSES
    "pack": 1,  # PacGAN packing: D judges this many samples at once (1: no packing)
    # Speed options (ganzoo.accel), off by default; amp = "bf16" changes results.
    "channels_last": False,
    "amp": "off",
    "compile": False,
}
# Keys of a config file that are not hyperparameters.
RUN_KEYS = ("model", "dataset", "device", "data_root", "name")

_RULES: dict[str, tuple[Any, str]] = {
    "batch_size": (lambda v: v >= 1, "at least 1"),
    "epochs": (lambda v: v >= 1, "at least 1"),
    "lr_g": (lambda v: v > 0, "positive"),
    "lr_d": (lambda v: v > 0, "positive"),
    "beta1": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "beta2": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "seed": (lambda v: v >= 0, "0 or more"),
    "sample_every": (lambda v: v >= 0, "0 or more"),
    "checkpoint_every": (lambda v: v >= 0, "0 or more"),
    "keep_checkpoints": (lambda v: v >= 1, "at least 1"),
    "log_every": (lambda v: v >= 1, "at least 1"),
    "eval_every": (lambda v: v >= 0, "0 or more"),
    "eval_samples": (lambda v: v >= 10, "at least 10"),
    "loss": (lambda v: v in ("", *LOSSES), "one of " + ", ".join(map(repr, ("", *LOSSES))) +
             " ('' keeps the model's own)"),
    "pack": (lambda v: v >= 1, "at least 1"),
    "amp": (lambda v: v in AMP, "one of " + ", ".join(map(repr, AMP))),
}


def read_toml(path: str | Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"config file {path} is not valid TOML: {e}") from None


def _coerce(key: str, value: Any, like: Any) -> Any:
    """``value`` as the type of the default ``like``, or a ConfigError."""
    if like is None or isinstance(like, str) and isinstance(value, str):
        return value
    if isinstance(like, bool) or isinstance(value, bool):
        if isinstance(like, bool) and isinstance(value, bool):
            return value
    elif isinstance(like, int):
        if isinstance(value, int) or isinstance(value, float) and value.is_integer():
            return int(value)
    elif isinstance(like, float) and isinstance(value, (int, float)):
        return float(value)
    raise ConfigError(f"setting '{key}' must be {type(like).__name__}, got {value!r}")


def resolve(model_defaults: Mapping[str, Any], *sources: Mapping[str, Any]) -> dict[str, Any]:
    """Merge the trainer's and the model's defaults with ``sources`` (file, then flags) and
    check every value. Unknown keys are errors that list the known ones."""
    settings = dict(TRAINER_DEFAULTS) | dict(model_defaults)
    for source in sources:
        for key, value in source.items():
            if value is None:
                continue
            if key not in settings:
                raise ConfigError(f"unknown setting '{key}'; known: {', '.join(sorted(settings))}")
            settings[key] = _coerce(key, value, settings[key])
    for key, (ok, what) in _RULES.items():
        if not ok(settings[key]):
            raise ConfigError(f"setting '{key}' must be {what}, got {settings[key]!r}")
    return settings


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``--set key=value`` flags; values are parsed as TOML (numbers, booleans, strings)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects key=value, got '{item}'")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw
    return out
