"""The 2-D mode-collapse benchmarks, ring8 and grid25, and their statistics.

Settings of PacGAN (Lin et al. 2018, "PacGAN: The power of two samples in generative
adversarial networks"), whose ring agrees with VEEGAN's (Srivastava et al. 2017, "VEEGAN:
Reducing Mode Collapse in GANs using Implicit Variational Learning") up to scale:

- ring8: 8 Gaussians with means (cos 2*pi*i/8, sin 2*pi*i/8), i = 0..7 (radius 1), std 0.01.
  (Built with 2*pi*i/8, not linspace(0, 2*pi, 8), which would put two modes on one point.)
- grid25: 25 Gaussians with means (-4 + 2i, -4 + 2j), i, j = 0..4, std 0.05.

The papers draw fresh batches from the mixture; ganzoo holds 100,000 draws (fixed by the
seed) as the dataset, far more than a run sees. Statistics are those papers', on 2,500
generated samples (PacGAN): a sample is *high quality* when it lies within 3 std of its
nearest mode; a mode is *captured* when it is the nearest mode of at least one high-quality
sample; *reverse KL* is KL(histogram of the samples over their nearest modes || uniform).
"""

from __future__ import annotations

import math

import torch

from ganzoo.hookspecs import Data, DatasetSpec, hookimpl

N_POINTS = 100_000
EVAL_SAMPLES = 2_500


def ring_means() -> torch.Tensor:
    angles = 2 * math.pi * torch.arange(8, dtype=torch.float64) / 8
    return torch.stack([angles.cos(), angles.sin()], 1).float()


def grid_means() -> torch.Tensor:
    ij = torch.cartesian_prod(torch.arange(5), torch.arange(5)).float()
    return -4 + 2 * ij


MIXTURES = {"ring8": (ring_means, 0.01), "grid25": (grid_means, 0.05)}


def sample_mixture(means: torch.Tensor, std: float, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(len(means), (n,), generator=gen)
    return means[labels] + std * torch.randn(n, 2, generator=gen), labels


def mixture_stats(samples: torch.Tensor, means: torch.Tensor, std: float) -> dict[str, float]:
    """Modes captured, share of high-quality samples and reverse KL, as VEEGAN and PacGAN
    define them (see the module docstring)."""
    means = means.to(samples.device)
    dist = torch.cdist(samples.flatten(1).float(), means)
    nearest_d, nearest = dist.min(1)
    hq = nearest_d <= 3 * std
    k = len(means)
    hist = torch.bincount(nearest, minlength=k).double() / len(samples)
    nz = hist > 0
    return {
        "modes_captured": float(torch.unique(nearest[hq]).numel()),
        "high_quality": float(hq.double().mean()),
        "reverse_kl": float((hist[nz] * (hist[nz] * k).log()).sum()),
    }


def _spec(name: str) -> DatasetSpec:
    make_means, std = MIXTURES[name]
    means = make_means()

    def load(arg, root, shape) -> Data:
        x, labels = sample_mixture(means, std, N_POINTS)
        return Data(x, labels, tuple(f"mode {i}" for i in range(len(means))))

    return DatasetSpec(name, f"{len(means)} Gaussians, std {std} (VEEGAN/PacGAN 2-D benchmark)", load,
                       shape=(2,), metrics=lambda samples: mixture_stats(samples, means, std))


@hookimpl
def ganzoo_datasets():
    return [_spec("ring8"), _spec("grid25")]
