"""An out-of-tree ganzoo plugin: one file and one entry point. Copy it to start your own."""

from math import prod

from torch import nn

from ganzoo.hookspecs import ModelSpec, hookimpl


def build(shape, hparams):
    width = hparams["width"]
    G = nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, prod(shape)), nn.Tanh(),
                      nn.Unflatten(1, shape))
    D = nn.Sequential(nn.Flatten(), nn.Linear(prod(shape), width), nn.LeakyReLU(0.2), nn.Linear(width, 1),
                      nn.Sigmoid())
    return G, D


@hookimpl
def ganzoo_models():
    return [ModelSpec(name="tiny-gan", description="Example plugin: a one-hidden-layer MLP GAN",
                      build=build, latent_dim=64, any_shape=True,
                      defaults={"width": 128, "batch_size": 64, "lr_g": 1e-3})]
