"""ganzoo's own MNIST digit classifier: the label and feature space of the diversity
statistics for digit datasets, so that no Inception weights need downloading.

Trained by scripts/train_digit_classifier.py on 4,000 of the 5,000 shipped digits; the
other 1,000 (100 per class, `holdout()`) are never trained on and measure its accuracy.
Its 128-unit penultimate layer is the feature space of fd_digits, precision / recall /
density / coverage.
"""

from __future__ import annotations

from importlib.resources import files

import torch
from safetensors.torch import load_file
from torch import nn

WEIGHTS = "digit_classifier.safetensors"


class DigitClassifier(nn.Module):
    feature_dim = 128

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, self.feature_dim), nn.ReLU(),
        )
        self.dropout = nn.Dropout(0.5)
        self.head = nn.Linear(self.feature_dim, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations of images in [-1, 1], (n, 1, 28, 28) -> (n, 128)."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(x)))


def holdout(labels: torch.Tensor, per_class: int = 100, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, held-out) indices: ``per_class`` random digits of each class held out.
    mnist_5k's rows are sorted by label, so the split draws within each class."""
    gen = torch.Generator().manual_seed(seed)
    held = torch.cat([idx[torch.randperm(len(idx), generator=gen)[:per_class]]
                      for idx in (torch.nonzero(labels == c).flatten() for c in range(10))])
    mask = torch.ones(len(labels), dtype=torch.bool)
    mask[held] = False
    return torch.nonzero(mask).flatten(), held.sort().values


def load() -> DigitClassifier:
    model = DigitClassifier()
    model.load_state_dict(load_file(str(files("ganzoo_plugins") / "data" / WEIGHTS)))
    return model.eval().requires_grad_(False)
