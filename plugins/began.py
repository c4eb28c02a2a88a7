"""BEGAN: boundary equilibrium GAN (Berthelot, Schumm & Metz 2017, "BEGAN: Boundary
Equilibrium Generative Adversarial Networks").

D is an autoencoder (EBGAN's, ganzoo_plugins.ebgan, with the L1 loss
L(v) = mean |v - D(v)|, one value per sample). L_D = L(x) - k_t L(G(z_D)),
L_G = L(G(z_G)), and the proportional control k_{t+1} = clip(k_t + λ_k (γ L(x) - L(G(z_G))),
0, 1) keeps E[L(G(z))] = γ E[L(x)] (``gamma`` 0.5, ``lambda_k`` 0.001, the paper's). k lives
in D as a buffer, so checkpoints and resume keep it. Logged: ``k`` and the convergence
measure ``convergence`` = M_global = L(x) + |γ L(x) - L(G(z_G))|, which falls as training
converges, plus ``l_real`` and ``l_fake``. G is the seed's MLP generator. Adam 1e-4 as in
the paper (without its learning-rate decay).
"""

import torch
from ganzoo_plugins.ebgan import AutoEncoder
from ganzoo_plugins.mlp_gan import Generator

from ganzoo.hookspecs import ModelSpec, hookimpl


def build(shape, hp):
    D = AutoEncoder(shape, p=1)
    D.register_buffer("k", torch.zeros(()))
    return Generator(100, shape), D


def began_step(ctx, real):
    n, gamma, D = real.shape[0], ctx.hparams["gamma"], ctx.D
    with torch.no_grad():
        fake = ctx.G(ctx.sample_z(n))
    l_real, l_fake = D(real).mean(), D(fake).mean()
    d_loss = l_real - D.k * l_fake
    ctx.opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    ctx.opt_d.step()

    D.requires_grad_(False)
    try:
        g_loss = D(ctx.G(ctx.sample_z(n))).mean()
        ctx.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        ctx.opt_g.step()
    finally:
        D.requires_grad_(True)
    balance = (gamma * l_real - g_loss).detach()
    with torch.no_grad():
        D.k.add_(ctx.hparams["lambda_k"] * balance).clamp_(0, 1)
    return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), "l_real": l_real.detach(),
            "l_fake": l_fake.detach(), "k": D.k.clone(), "convergence": l_real.detach() + balance.abs()}


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="began", description="BEGAN: autoencoder D with L1 energy, equilibrium control k, convergence measure",
        build=build, train_step=began_step,
        defaults={"gamma": 0.5, "lambda_k": 0.001, "lr_g": 1e-4, "lr_d": 1e-4})]
