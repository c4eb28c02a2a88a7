"""The seed's models, layer by layer, and the training step."""

from __future__ import annotations

import pytest
import torch
from ganzoo_plugins import dcgan, mlp_gan
from torch import nn

from ganzoo.hookspecs import StepContext
from ganzoo.losses import BCE
from ganzoo.step import adversarial_step


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def linear(i, o):
    return i * o + o


def test_mlp_gan_matches_the_seed_layer_by_layer():
    G, D = mlp_gan.Generator(), mlp_gan.Discriminator()
    g_layers = [type(m) for m in G.main]
    assert g_layers == [nn.Linear, nn.LeakyReLU] * 3 + [nn.Linear, nn.Tanh]
    assert [(m.in_features, m.out_features) for m in G.main if isinstance(m, nn.Linear)] == \
        [(100, 256), (256, 512), (512, 1024), (1024, 784)]
    assert [(m.in_features, m.out_features) for m in D.main if isinstance(m, nn.Linear)] == \
        [(784, 1024), (1024, 512), (512, 256), (256, 1)]
    assert all(m.negative_slope == 0.2 for m in [*G.main, *D.main] if isinstance(m, nn.LeakyReLU))
    drops = [m for m in D.main if isinstance(m, nn.Dropout)]
    assert len(drops) == 3 and all(m.p == 0.5 for m in drops)
    assert isinstance(D.main[-1], nn.Sigmoid)
    assert n_params(G) == linear(100, 256) + linear(256, 512) + linear(512, 1024) + linear(1024, 784) == 1_486_352
    assert n_params(D) == linear(784, 1024) + linear(1024, 512) + linear(512, 256) + linear(256, 1) == 1_460_225
    x = G(torch.randn(7, 100))
    assert x.shape == (7, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    p = D(x)
    assert p.shape == (7, 1) and ((p > 0) & (p < 1)).all()


def test_dcgan_matches_the_seed_layer_by_layer():
    G, D = dcgan.Generator(), dcgan.Discriminator()
    convs = [(m.in_channels, m.out_channels, m.kernel_size[0], m.stride[0], m.padding[0], m.bias is None)
             for m in G.main if isinstance(m, nn.ConvTranspose2d)]
    assert convs == [(100, 224, 7, 1, 0, True), (224, 112, 4, 2, 1, True), (112, 1, 4, 2, 1, True)]
    convs = [(m.in_channels, m.out_channels, m.kernel_size[0], m.stride[0], m.padding[0], m.bias is None)
             for m in D.main if isinstance(m, nn.Conv2d)]
    assert convs == [(1, 112, 4, 2, 1, True), (112, 224, 4, 2, 1, True), (224, 1, 7, 1, 0, True)]
    assert [type(m) for m in G.main] == [nn.ConvTranspose2d, nn.BatchNorm2d, nn.ReLU] * 2 + [nn.ConvTranspose2d, nn.Tanh]
    assert [type(m) for m in D.main] == [nn.Conv2d, nn.BatchNorm2d, nn.LeakyReLU] * 2 + [nn.Conv2d, nn.Sigmoid]
    assert n_params(G) == 100 * 224 * 49 + 2 * 224 + 224 * 112 * 16 + 2 * 112 + 112 * 16 == 1_501_472
    assert n_params(D) == 112 * 16 + 2 * 112 + 112 * 224 * 16 + 2 * 224 + 224 * 49 == 414_848
    x = G(torch.randn(5, 100))
    assert x.shape == (5, 1, 28, 28)
    assert D(x).shape == (5, 1)


def test_fast_dropout_is_bernoulli_half_scaled_by_two():
    drop = mlp_gan.Dropout(0.5)
    y = drop(torch.ones(200, 1000))
    assert set(y.unique().tolist()) == {0.0, 2.0}
    assert abs((y == 0).float().mean().item() - 0.5) < 0.01
    masks = torch.stack([drop(torch.ones(64)) for _ in range(200)]) == 0
    # Every position is dropped about half the time, and masks differ from call to call.
    assert ((masks.float().mean(0) - 0.5).abs() < 0.15).all()
    assert len({tuple(m.tolist()) for m in masks}) == 200
    drop.eval()
    x = torch.randn(10)
    assert torch.equal(drop(x), x)


@pytest.mark.parametrize("module", [mlp_gan, dcgan])
def test_one_training_step_changes_both_networks(module):
    torch.manual_seed(0)
    G, D = module.Generator(), module.Discriminator()
    ctx = StepContext(G, D, torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)),
                      torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999)), BCE, 100, {}, 0,
                      torch.device("cpu"))
    before_g = [p.detach().clone() for p in G.parameters()]
    before_d = [p.detach().clone() for p in D.parameters()]
    out = adversarial_step(ctx, torch.rand(60, 1, 28, 28) * 2 - 1)
    assert all(not torch.equal(a, b) for a, b in zip(before_g, G.parameters()))
    assert all(not torch.equal(a, b) for a, b in zip(before_d, D.parameters()))
    assert set(out) == {"d_loss", "g_loss", "d_real", "d_fake", "d_tpr", "d_tnr"}
    assert all(v.dim() == 0 and torch.isfinite(v) for v in out.values())
    assert all(p.requires_grad for p in D.parameters())  # the G step gave D's gradients back
