"""Shared fixtures: small datasets and test-only plugins, registered in-process."""

from __future__ import annotations

import math

import pytest
import torch
from ganzoo_plugins import digit_classifier
from ganzoo_plugins.datasets import load_mnist_5k
from ganzoo_plugins.wgan_gp import wgan_gp_step
from torch import nn

from ganzoo import registry
from ganzoo.hookspecs import Data, DatasetSpec, Loss, ModelSpec, hookimpl


def _digits(n: int) -> Data:
    full = load_mnist_5k(None, None, None)
    idx = torch.randperm(len(full.x), generator=torch.Generator().manual_seed(0))[:n]
    return Data(full.x[idx], full.labels[idx], full.classes)


class TestData:
    """digits-300: 300 real digits, so a test epoch is 5 steps of 60."""

    @hookimpl
    def ganzoo_datasets(self):
        return [DatasetSpec("digits-300", "300 digits from mnist-5k, for tests", lambda a, r, s: _digits(300),
                            classifier=digit_classifier.load)]


class _Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x)


def _small_g():
    return nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))


class TestModels:
    @hookimpl
    def ganzoo_models(self):
        nan_after = Loss("nan-after-7", lambda r, f: _nan_after(r, f), lambda f: -torch.log(f).mean())
        return [
            # The wgan-gp plugin's step on networks small enough for quick tests.
            ModelSpec("wgan-gp-test", "WGAN-GP with tiny networks", lambda s, hp: (_small_g(), _Critic()),
                      latent_dim=16, train_step=wgan_gp_step,
                      defaults={"n_critic": 5, "gp_weight": 10.0, "lr_g": 1e-4, "lr_d": 1e-4, "beta1": 0.0,
                                "beta2": 0.9}),
            ModelSpec("nan-test", "a GAN whose loss turns NaN at step 7",
                      lambda s, hp: (_small_g(), nn.Sequential(_Critic(), nn.Sigmoid())), latent_dim=16,
                      loss=nan_after),
        ]


_calls = {"n": 0}


def _nan_after(d_real, d_fake):
    _calls["n"] += 1
    loss = -(torch.log(d_real) + torch.log(1 - d_fake)).mean()
    return loss * math.nan if _calls["n"] > 7 else loss


@pytest.fixture
def reg(monkeypatch):
    """The installed plugins plus the tests' own; ganzoo's CLI sees the same."""
    _calls["n"] = 0
    real_load = registry.load
    ours = {"test-data": TestData(), "test-models": TestModels()}

    def load(disabled=(), extra=None):
        return real_load(disabled=disabled, extra=ours | (extra or {}))

    monkeypatch.setattr(registry, "load", load)
    monkeypatch.delenv(registry.DISABLE_ENV, raising=False)
    return load()


@pytest.fixture
def runs(tmp_path):
    return tmp_path / "runs"


@pytest.fixture(scope="session")
def runs_root(tmp_path_factory):
    """Two small real runs, made once for the session, for the dashboard tests."""
    from ganzoo import trainer

    root = tmp_path_factory.mktemp("runs")
    reg = registry.load(extra={"test-data": TestData()})
    for name, epochs in (("alpha", 3), ("beta", 2)):
        t = trainer.new_run(reg, root, {"model": "mlp-gan", "dataset": "digits-300", "device": "cpu", "name": name},
                            [{"epochs": epochs, "log_every": 2, "eval_every": 5, "eval_samples": 200}], progress=False)
        t.fit()
    return root


