"""The seed tutorial's MLP GAN (Goodfellow et al. 2014, "Generative Adversarial Nets"),
layer for layer as the tutorial codes it."""

from math import prod

import torch
from torch import nn

from ganzoo.hookspecs import ModelSpec, hookimpl


class Dropout(nn.Dropout):
    """nn.Dropout, with a faster mask on the CPU for the seed's p = 0.5.

    torch's CPU bernoulli_ draws one random number per element and took about 0.8 ms for a
    60x1024 mask here, an eighth of the MLP GAN's whole step. For p = 0.5 each mask element
    is one fair random bit, so we draw 32-bit words and unpack their bits: the same
    distribution (i.i.d. Bernoulli(0.5), kept values scaled by 2), about 12x faster.
    """

    _shifts = torch.arange(32, dtype=torch.int64)

    def forward(self, x):
        if not (self.training and self.p == 0.5 and x.device.type == "cpu"):
            return super().forward(x)
        n = x.numel()
        words = torch.empty((n + 31) // 32, dtype=torch.int64).random_(0, 2**32)
        bits = (words.unsqueeze(1) >> self._shifts).bitwise_and_(1).view(-1)[:n]
        return x * bits.view(x.shape).to(x.dtype).mul_(2.0)


class Generator(nn.Module):
    def __init__(self, latent_dim: int = 100, shape: tuple[int, ...] = (1, 28, 28)):
        super().__init__()
        self.shape = tuple(shape)
        self.main = nn.Sequential(
            nn.Linear(latent_dim, 256), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(256, 512), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 1024), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(1024, prod(shape)), nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z).view(-1, *self.shape)


class Discriminator(nn.Module):
    def __init__(self, shape: tuple[int, ...] = (1, 28, 28)):
        super().__init__()
        # The seed writes Dropout(inplace=True) after an in-place LeakyReLU; on torch 2.x the
        # backward pass then fails ("modified by an inplace operation") because LeakyReLU's
        # gradient needs its output. Same architecture, dropout out of place.
        self.main = nn.Sequential(
            nn.Linear(prod(shape), 1024), nn.LeakyReLU(0.2, inplace=True), Dropout(0.5),
            nn.Linear(1024, 512), nn.LeakyReLU(0.2, inplace=True), Dropout(0.5),
            nn.Linear(512, 256), nn.LeakyReLU(0.2, inplace=True), Dropout(0.5),
            nn.Linear(256, 1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x.flatten(1))


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="mlp-gan",
        description="The seed's MLP GAN: 4 linear layers each side, LeakyReLU, dropout in D",
        build=lambda shape, hp: (Generator(100, shape), Discriminator(shape)),
        shape=(1, 28, 28),
        any_shape=True,
    )]
