"""A small MLP GAN for 2-D data, with PacGAN packing (Lin et al. 2018, "PacGAN: The power
of two samples in generative adversarial networks").

Architecture after PacGAN's 2-D experiments: G maps 2-D noise through four hidden layers
of 400 units (ReLU, batch norm) to a point; D has three hidden layers of 200 units with
5-piece maxout and a sigmoid. ``--set pack=M`` makes D judge M samples at once: it sees
M points concatenated (2M inputs), so a generator that drops modes is easier to spot.
pack = 1 is the plain GAN. With packing, D's input grows and nothing else changes: the
default BCE step trains it, on batch_size / M packs per batch.
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
    def __init__(self, latent_dim: int = 2, width: int = 400):
        super().__init__()
        layers, n = [], latent_dim
        for _ in range(4):
            layers += [nn.Linear(n, width), nn.BatchNorm1d(width), nn.ReLU()]
            n = width
        self.main = nn.Sequential(*layers, nn.Linear(width, 2))

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, pack: int = 1, width: int = 200):
        super().__init__()
        self.pack = pack
        self.main = nn.Sequential(Maxout(2 * pack, width), Maxout(width, width), Maxout(width, width),
                                  nn.Linear(width, 1), nn.Sigmoid())

    def forward(self, x):
        # Packing: M consecutive samples form one input; a batch's last few samples that
        # do not fill a pack are left out.
        n = x.shape[0] // self.pack * self.pack
        return self.main(x[:n].reshape(-1, 2 * self.pack))


def build(shape, hp):
    if hp["pack"] < 1:
        raise ValueError(f"pack must be at least 1, got {hp['pack']}")
    return Generator(2), Discriminator(hp["pack"])


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="mlp2d",
        description="MLP GAN for 2-D mixtures (PacGAN's); --set pack=M for PacGAN packing",
        build=build, shape=(2,), latent_dim=2,
        defaults={"pack": 1, "batch_size": 100, "epochs": 10, "lr_g": 1e-4, "lr_d": 1e-4, "beta1": 0.8,
                  "eval_samples": 2500},
    )]
