"""The opt-in speed options: channels_last keeps the maths, bf16 autocast trains but is
not the same maths (which is why it is opt-in)."""

from __future__ import annotations

import pytest
import torch

from ganzoo import trainer
from ganzoo.errors import ConfigError
from ganzoo.runstore import Run


def train(reg, runs, name, **settings):
    t = trainer.new_run(reg, runs, {"model": "dcgan", "dataset": "digits-300", "device": "cpu", "name": name},
                        [{"epochs": 1, "eval_every": 0} | settings], progress=False)
    t.fit()
    return t


def test_channels_last_trains_the_same_weights_and_bf16_trains_other_ones(reg, runs):
    plain = train(reg, runs, "plain", channels_last=False)  # the dcgan default is on
    nhwc = train(reg, runs, "nhwc", channels_last=True)
    assert nhwc.x.is_contiguous(memory_format=torch.channels_last)
    assert nhwc.G.main[0].weight.is_contiguous(memory_format=torch.channels_last)
    bf16 = train(reg, runs, "bf16", amp="bf16", channels_last=False)
    # The first step's D loss comes from the initial weights and the same batch and z. (Later
    # weights cannot be compared: Adam's first updates are +-lr whatever a gradient's size,
    # so rounding in a near-zero gradient flips whole updates.)
    first = {name: first_d_loss(t) for name, t in (("plain", plain), ("nhwc", nhwc), ("bf16", bf16))}
    assert first["nhwc"] == pytest.approx(first["plain"], rel=1e-5)
    assert first["bf16"] == pytest.approx(first["plain"], rel=0.05)  # it learns the same thing...
    assert first["bf16"] != pytest.approx(first["plain"], rel=1e-4)  # ...in other numbers: opt-in
    assert bf16.run.path.joinpath("metrics").is_dir() and all(torch.isfinite(p).all() for p in bf16.G.parameters())


def first_d_loss(t) -> float:
    df = Run(t.run.path).scalars(["d_loss"])
    return float(df[df.step == 1].value.iloc[0])


def test_unknown_amp_mode_is_refused(reg, runs):
    with pytest.raises(ConfigError, match="setting 'amp' must be one of 'off', 'bf16'"):
        trainer.new_run(reg, runs, {"model": "mlp-gan", "dataset": "digits-300", "device": "cpu"},
                        [{"amp": "fp8"}], progress=False)
