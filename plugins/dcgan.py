"""The seed tutorial's DCGAN (Radford et al. 2015, "Unsupervised Representation Learning
with Deep Convolutional Generative Adversarial Networks"), sized for 1x28x28 as the
tutorial codes it."""

from torch import nn

from ganzoo.hookspecs import ModelSpec, hookimpl


class Generator(nn.Module):
    def __init__(self, latent_dim: int = 100):
        super().__init__()
        self.latent_dim = latent_dim
        self.main = nn.Sequential(
            nn.ConvTranspose2d(latent_dim, 28 * 8, 7, 1, 0, bias=False), nn.BatchNorm2d(28 * 8), nn.ReLU(True),
            nn.ConvTranspose2d(28 * 8, 28 * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(28 * 4), nn.ReLU(True),
            nn.ConvTranspose2d(28 * 4, 1, 4, 2, 1, bias=False), nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z.view(-1, self.latent_dim, 1, 1))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, 28 * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(28 * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(28 * 4, 28 * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(28 * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(28 * 8, 1, 7, 1, 0, bias=False), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x).view(-1, 1)


@hookimpl
def ganzoo_models():
    return [ModelSpec(
        name="dcgan",
        description="The seed's DCGAN for 1x28x28: transposed convolutions, batch norm, no bias",
        build=lambda shape, hp: (Generator(100), Discriminator()),
        shape=(1, 28, 28),
        # NHWC memory: the same maths, and 10-15% faster convolutions on a CPU (oneDNN) or a
        # tensor-core GPU; benchmarks/test_train_step.py times it on and off.
        defaults={"channels_last": True},
    )]
