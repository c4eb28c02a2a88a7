"""Adversarial losses a model can pick (its spec's ``loss``) or a user can pick for any
model that trains with the default step (``--set loss=NAME``).

The default step's D outputs probabilities (it ends in a sigmoid, as the seed's do), so
every loss here takes probabilities. BCE uses them as they are. LSGAN and the hinge loss
are defined on D's unbounded score, the linear output before a sigmoid (Mao et al. use a
D without one; so do the hinge papers): they recover it as the logit log p - log(1 - p)
and apply the loss to that. Through the sigmoid this logit's gradient is exactly the
pre-sigmoid layer's, so neither loss saturates where a confident D would flatten a loss
on probabilities.
"""

import torch
import torch.nn.functional as F

from .hookspecs import Loss


def _bce(p: torch.Tensor, target: float) -> torch.Tensor:
    # In float32 and outside autocast: CUDA's autocast refuses binary_cross_entropy on
    # probabilities (in bf16 they round to 0 or 1 too soon), and --set amp=bf16 may be on.
    with torch.autocast(p.device.type, enabled=False):
        p = p.float()
        return F.binary_cross_entropy(p, torch.full_like(p, target))


def _bce_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    # The seed: D(x) -> 1, D(G(z)) -> 0, on probabilities (D ends in a sigmoid).
    return _bce(d_real, 1.0) + _bce(d_fake, 0.0)


def _bce_g(d_fake: torch.Tensor) -> torch.Tensor:
    # Non-saturating: G maximises log D(G(z)) rather than minimising log(1 - D(G(z))).
    return _bce(d_fake, 1.0)


def logit(p: torch.Tensor) -> torch.Tensor:
    """D's pre-sigmoid score from its probability. float32 rounds sigmoid(s) to 1 for
    s > 16.6, so p is clamped just below 1 there (the loss is flat there anyway: past the
    hinge margin, or G already fooling D); below, p > 0 holds down to s = -103."""
    return torch.log(p.clamp(min=1e-37)) - torch.log1p(-p.clamp(max=1 - 2**-24))


def _lsgan_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    # Mao et al. 2017, eq. (9) with the 0-1 coding a = 0, b = c = 1.
    return 0.5 * ((logit(d_real) - 1) ** 2).mean() + 0.5 * (logit(d_fake) ** 2).mean()


def _lsgan_g(d_fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((logit(d_fake) - 1) ** 2).mean()


def _hinge_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    # Lim & Ye 2017; Miyato et al. 2018: margins at +-1 on D's score.
    return F.relu(1 - logit(d_real)).mean() + F.relu(1 + logit(d_fake)).mean()


def _hinge_g(d_fake: torch.Tensor) -> torch.Tensor:
    return -logit(d_fake).mean()


BCE = Loss("bce", _bce_d, _bce_g)
LSGAN = Loss("lsgan", _lsgan_d, _lsgan_g)
HINGE = Loss("hinge", _hinge_d, _hinge_g)
LOSSES = {loss.name: loss for loss in (BCE, LSGAN, HINGE)}  # the `loss` setting's choices
