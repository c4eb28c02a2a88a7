"""The seed tutorial's own training loop, on a current torch, as the speed reference.

torchvision's MNIST class (per-sample PIL image -> ToTensor -> Normalize) behind a
DataLoader with batch 60 and shuffling; one D step on a real and a fake batch, then one G
step on a fresh z; the seed's BCE and Adam settings. The only changes from the article:
no ``Variable`` (gone from torch) and dropout out of place (its in-place dropout fails on
torch 2.x). It feeds the same 5,000 digits ganzoo ships, written as MNIST IDX files.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import torch
from ganzoo_plugins.datasets import load_mnist_5k, write_idx
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def mnist_5k_as_torchvision(root: Path) -> datasets.MNIST:
    data = load_mnist_5k(None, None, None)
    raw = root / "MNIST" / "raw"
    write_idx(raw, data.x[:, 0].numpy(), data.labels.numpy())
    write_idx(raw, data.x[:10, 0].numpy(), data.labels[:10].numpy(), prefix="t10k")
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=(0.5,), std=(0.5,))])
    return datasets.MNIST(str(root), train=True, download=False, transform=transform)


def seed_epoch(G: nn.Module, D: nn.Module, loader: DataLoader, state: dict) -> int:
    """One epoch of the seed's loop; returns the number of images trained on."""
    images = 0
    for real_data, _ in loader:
        seed_batch_step(G, D, real_data, state)
        images += real_data.size(0)
    return images


def seed_batch_step(G: nn.Module, D: nn.Module, real_data: torch.Tensor, state: dict) -> None:
    """The seed's step: a D step on a real and a fake batch, then a G step on a fresh z."""
    criterion, G_opt, D_opt = state["criterion"], state["G_opt"], state["D_opt"]
    batch_size = real_data.size(0)
    target_real = torch.ones(batch_size, 1)
    target_fake = torch.zeros(batch_size, 1)
    D_loss_real = criterion(D(real_data), target_real)
    z = torch.randn((batch_size, 100))
    fake_data = G(z)
    D_loss_fake = criterion(D(fake_data), target_fake)
    D_loss = D_loss_real + D_loss_fake
    D.zero_grad()
    D_loss.backward()
    D_opt.step()
    z = torch.randn((batch_size, 100))
    G_loss = criterion(D(G(z)), target_real)
    G.zero_grad()
    G_loss.backward()
    G_opt.step()


def make_seed(G: nn.Module, D: nn.Module) -> dict:
    return {"criterion": nn.BCELoss(),
            "G_opt": torch.optim.Adam(G.parameters(), lr=0.0002, betas=(0.5, 0.999)),
            "D_opt": torch.optim.Adam(D.parameters(), lr=0.0002, betas=(0.5, 0.999))}


def seed_images_per_s(G: nn.Module, D: nn.Module, epochs: int = 1) -> float:
    with tempfile.TemporaryDirectory() as root:
        loader = DataLoader(mnist_5k_as_torchvision(Path(root)), batch_size=60, shuffle=True)
        state = make_seed(G, D)
        start = time.perf_counter()
        images = sum(seed_epoch(G, D, loader, state) for _ in range(epochs))
        return images / (time.perf_counter() - start)
