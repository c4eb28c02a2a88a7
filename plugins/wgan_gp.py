"""WGAN-GP: the Wasserstein GAN (Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN") with
the gradient penalty of Gulrajani et al. 2017 ("Improved Training of Wasserstein GANs").

The critic ends without a sigmoid: it scores, it does not classify. Each trainer step is
one critic step, and G steps on every ``n_critic``-th (5, the paper's), so a trainer epoch
holds 1/n_critic as many G steps as the seed's. The critic's loss is
D(G(z)) - D(x) + λ (‖∇D(x̂)‖ - 1)² on random interpolates x̂ (λ = ``gp_weight``, 10);
logged are ``wasserstein`` (the critic's estimate, mean D(x) - mean D(G(z))) and ``gp``.
G is the seed's MLP generator; the critic is the seed's MLP discriminator without dropout
or sigmoid (no batch norm either: the penalty is per sample). Adam 1e-4, betas (0.5, 0.9)
as in the paper's MNIST runs. Small enough for a CPU.
"""

import torch
from ganzoo_plugins.mlp_gan import Generator
from torch import nn

from ganzoo.hookspecs import ModelSpec, hookimpl


class Critic(nn.Module):
    def __init__(self, shape=(1, 28, 28)):
        super().__init__()
        n = 1
        for d in shape:
            n *= d
        self.main = nn.Sequential(nn.Linear(n, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                                  nn.Linear(256, 1))

    def forward(self, x):
        return self.main(x.flatten(1))


def wgan_gp_step(ctx, real):
    """One critic step with the gradient penalty; a G step every n_critic steps."""
    n = real.shape[0]
    with torch.no_grad():
        fake = ctx.G(ctx.sample_z(n))
    d_real, d_fake = ctx.D(real).mean(), ctx.D(fake).mean()
    eps = torch.rand(n, *[1] * (real.dim() - 1), device=real.device)
    mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(ctx.D(mix).sum(), mix, create_graph=True)
    gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    d_loss = d_fake - d_real + ctx.hparams["gp_weight"] * gp
    ctx.opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    ctx.opt_d.step()
    out = {"d_loss": d_loss.detach(), "wasserstein": (d_real - d_fake).detach(), "gp": gp.detach()}
    if ctx.step % ctx.hparams["n_critic"] == 0:
        ctx.D.requires_grad_(False)
        try:
            g_loss = -ctx.D(ctx.G(ctx.sample_z(n))).mean()
            ctx.opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            ctx.opt_g.step()
        finally:
            ctx.D.requires_grad_(True)
        out["g_loss"] = g_loss.detach()
    return out


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="wgan-gp", description="WGAN-GP: the seed's MLP G, a critic without sigmoid, gradient penalty, n_critic",
        build=lambda shape, hp: (Generator(100, shape), Critic(shape)), any_shape=True, train_step=wgan_gp_step,
        defaults={"n_critic": 5, "gp_weight": 10.0, "lr_g": 1e-4, "lr_d": 1e-4, "beta1": 0.5, "beta2": 0.9})]
