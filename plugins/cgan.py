"""Conditional GAN (Mirza & Osindero 2014, "Conditional Generative Adversarial Nets").

G and D both take the class label: a one-hot y is concatenated to z at G's input and to
the flattened image at D's input, as in the paper's MNIST model. The networks are the
seed's MLP GAN with those ten extra inputs (ganzoo_plugins.mlp_gan's layers), trained by
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
    def __init__(self, shape, num_classes):
        super().__init__()
        self.k = num_classes
        n = 1
        for d in shape:
            n *= d
        self.d = mlp_gan.Discriminator((n + num_classes,))

    def forward(self, x, y):
        return self.d(torch.cat([x.flatten(1), F.one_hot(y, self.k).to(x.dtype)], 1))


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="cgan", description="Conditional GAN: the seed's MLP GAN with a one-hot label into G and D",
        build=lambda shape, hp: (Generator(100, shape, hp["num_classes"]), Discriminator(shape, hp["num_classes"])),
        conditional=True, defaults={"num_classes": 10})]
