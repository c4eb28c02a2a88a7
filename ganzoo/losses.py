"""Adversarial losses a model can pick. Each takes D's raw outputs."""

import torch
import torch.nn.functional as F

from .hookspecs import Loss


def _bce_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    # The seed: D(x) -> 1, D(G(z)) -> 0, on probabilities (D ends in a sigmoid).
    return F.binary_cross_entropy(d_real, torch.ones_like(d_real)) + F.binary_cross_entropy(
        d_fake, torch.zeros_like(d_fake))


def _bce_g(d_fake: torch.Tensor) -> torch.Tensor:
    # Non-saturating: G maximises log D(G(z)) rather than minimising log(1 - D(G(z))).
    return F.binary_cross_entropy(d_fake, torch.ones_like(d_fake))


BCE = Loss("bce", _bce_d, _bce_g)
