"""EBGAN: the energy-based GAN (Zhao, Mathieu & LeCun 2016, "Energy-based Generative
Adversarial Network").

D is an autoencoder, and its energy of a sample is the reconstruction error
``mean((Dec(Enc(x)) - x)²)``: D's forward returns that one number per sample. D learns low
energy on real data and energy at least the margin ``m`` on fakes,
L_D = D(x) + max(0, m - D(G(z))); G lowers its samples' energy, L_G = D(G(z)) plus the
paper's pulling-away term (``pt_weight`` λ_PT = 0.1) on the encoder's codes of a fake
batch, which pushes them apart against mode collapse. Logged: ``e_real``, ``e_fake`` (mean
energies), ``margin_loss`` (the hinge term), ``pt``. G is the seed's MLP generator; the
autoencoder is a small MLP (784-256-64-256-784), CPU-sized, shared with BEGAN.
"""

import torch
import torch.nn.functional as F
from ganzoo_plugins.mlp_gan import Generator
from torch import nn

from ganzoo.hookspecs import ModelSpec, hookimpl


class AutoEncoder(nn.Module):
    """An MLP autoencoder discriminator; forward gives each sample's reconstruction energy,
    mean squared error (``p=2``, EBGAN) or mean absolute error (``p=1``, BEGAN)."""

    def __init__(self, shape=(1, 28, 28), hidden=256, code=64, p=2):
        super().__init__()
        n = 1
        for d in shape:
            n *= d
        self.shape, self.p = tuple(shape), p
        self.enc = nn.Sequential(nn.Linear(n, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, code))
        self.dec = nn.Sequential(nn.Linear(code, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, n), nn.Tanh())

    def reconstruct(self, x):
        """(energy per sample, code per sample)."""
        h = self.enc(x.flatten(1))
        return (self.dec(h) - x.flatten(1)).abs().pow(self.p).mean(1), h

    def forward(self, x):
        return self.reconstruct(x)[0]


def pulling_away(h):
    """Mean squared cosine similarity of the codes' distinct pairs (the paper's f_PT)."""
    hn = F.normalize(h, dim=1)
    n = len(h)
    return ((hn @ hn.T).pow(2).sum() - n) / (n * (n - 1))


def ebgan_step(ctx, real):
    n, m = real.shape[0], ctx.hparams["margin"]
    with torch.no_grad():
        fake = ctx.G(ctx.sample_z(n))
    e_real, e_fake = ctx.D(real), ctx.D(fake)
    margin_loss = F.relu(m - e_fake).mean()
    d_loss = e_real.mean() + margin_loss
    ctx.opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    ctx.opt_d.step()

    ctx.D.requires_grad_(False)
    try:
        e_gen, h = ctx.D.reconstruct(ctx.G(ctx.sample_z(n)))
        pt = pulling_away(h)
        g_loss = e_gen.mean() + ctx.hparams["pt_weight"] * pt
        ctx.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        ctx.opt_g.step()
    finally:
        ctx.D.requires_grad_(True)
    return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), "e_real": e_real.detach().mean(),
            "e_fake": e_fake.detach().mean(), "margin_loss": margin_loss.detach(), "pt": pt.detach()}


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="ebgan", description="EBGAN: autoencoder D, energy = reconstruction MSE, margin loss, pulling-away term",
        build=lambda shape, hp: (Generator(100, shape), AutoEncoder(shape, p=2)), train_step=ebgan_step,
        defaults={"margin": 1.0, "pt_weight": 0.1})]
