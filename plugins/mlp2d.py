"""A small MLP GAN for 2-D data, with PacGAN packing (Lin et al. 2018, "PacGAN: The power
of two samples in generative adversarial networks").

Architecture after PacGAN's 2-D experiments: G maps 2-D noise through four hidden layers
of 400 units (ReLU, batch norm) to a point; D has three hidden layers of 200 units with
5-piece maxout and a sigmoid. ``--set pack=M`` (the trainer's PacGAN packing, open to
every model whose build() takes any shape) makes D judge M samples at once: the core
builds D for 2M inputs and feeds it M points concatenated, so a generator that drops
modes is easier to spot. pack = 1 is the plain GAN. The default BCE step trains it, on
batch_size / M packs per batch.
"""

from __future__ import annotations

from torch import nn

from ganzoo.hookspecs import ModelSpec, hookimpl


class Maxout(nn.Module):
    def __init__(self, n_in: int, n_out: int, pieces: int = 5):
        super().__init__()
        self.n_out, self.pieces = n_out, pieces
        self.linear = nn.Linear(n_in, n_out * pieces)

    def forward(self, x):
        return self.linear(x).view(-1, self.n_out, self.pieces).max(-1).values


class Generator(nn.Module):
    def __init__(self, latent_dim: int = 2, width: int = 400, dim: int = 2):
        super().__init__()
        layers, n = [], latent_dim
        for _ in range(4):
            layers += [nn.Linear(n, width), nn.BatchNorm1d(width), nn.ReLU()]
            n = width
        self.main = nn.Sequential(*layers, nn.Linear(width, dim))

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, dim: int = 2, width: int = 200):
        super().__init__()
        self.main = nn.Sequential(Maxout(dim, width), Maxout(width, width), Maxout(width, width),
                                  nn.Linear(width, 1), nn.Sigmoid())

    def forward(self, x):
        return self.main(x)


def build(shape, hp):
    if len(shape) != 1:
        raise ValueError(f"mlp2d makes points (a 1-D shape), not {shape}")
    return Generator(2, dim=shape[0]), Discriminator(shape[0])


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="mlp2d",
        description="MLP GAN for 2-D mixtures (PacGAN's); --set pack=M for PacGAN packing",
        build=build, shape=(2,), latent_dim=2, any_shape=True,
        defaults={"batch_size": 100, "epochs": 10, "lr_g": 1e-4, "lr_d": 1e-4, "beta1": 0.8,
                  "eval_samples": 2500},
    )]
