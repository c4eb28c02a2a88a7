"""VAE: the variational autoencoder (Kingma & Welling 2013, "Auto-Encoding Variational
Bayes"), the non-adversarial baseline the seed recommends when GAN training is too hard.

G is the decoder p(x|z), D the encoder q(z|x) (the trainer's two networks and two
optimisers; nothing is adversarial). The step maximises the ELBO on each batch with the
reparameterisation trick: a Bernoulli likelihood on pixels mapped to [0, 1] (``recon``,
nats per image) and the closed-form KL(q(z|x) ‖ N(0, I)) (``kl``); ``loss`` = recon + kl
is the negative ELBO. Samples are G(z) for z ~ N(0, I), so the trainer's grids and
statistics treat it like any generator. The decoder returns tanh(a / 2) = 2 sigmoid(a) - 1
of its logits a, pixels in [-1, 1]. D's forward gives each sample's KL term, its one
output per sample. The paper's MNIST MLP: one hidden layer of 500 units each side,
z of 20 dimensions; Adam 1e-3.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.hookspecs import ModelSpec, hookimpl


def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Decoder(nn.Module):
    def __init__(self, latent_dim, shape, hidden=500):
        super().__init__()
        self.shape = tuple(shape)
        self.main = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, _size(shape)))

    def logits(self, z):
        return self.main(z)

    def forward(self, z):
        return torch.tanh(self.main(z) / 2).view(-1, *self.shape)


class Encoder(nn.Module):
    def __init__(self, latent_dim, shape, hidden=500):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(_size(shape), hidden), nn.ReLU())
        self.mu, self.logvar = nn.Linear(hidden, latent_dim), nn.Linear(hidden, latent_dim)

    def encode(self, x):
        h = self.body(x.flatten(1))
        return self.mu(h), self.logvar(h)

    def forward(self, x):
        mu, logvar = self.encode(x)
        return kl_divergence(mu, logvar)


def kl_divergence(mu, logvar):
    return -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(1)


def vae_step(ctx, real):
    mu, logvar = ctx.D.encode(real)
    z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)
    target = (real.flatten(1) + 1) / 2
    recon = F.binary_cross_entropy_with_logits(ctx.G.logits(z), target, reduction="none").sum(1).mean()
    kl = kl_divergence(mu, logvar).mean()
    loss = recon + kl
    ctx.opt_g.zero_grad(set_to_none=True)
    ctx.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    ctx.opt_g.step()
    ctx.opt_d.step()
    return {"loss": loss.detach(), "recon": recon.detach(), "kl": kl.detach()}


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="vae", description="VAE, the non-adversarial baseline: MLP decoder as G, encoder as D, ELBO",
        build=lambda shape, hp: (Decoder(20, shape), Encoder(20, shape)), latent_dim=20, any_shape=False,
        train_step=vae_step, defaults={"lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.9, "beta2": 0.999})]
