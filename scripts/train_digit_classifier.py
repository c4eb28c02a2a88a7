"""Train ganzoo's digit classifier on the shipped digits and save its weights.

    python scripts/train_digit_classifier.py [--epochs 40]

4,000 of mnist-5k's digits train it (with small random shifts and rotations); 1,000
(100 per class) are held out and give the accuracy printed at the end. Writes
plugins/data/digit_classifier.safetensors (about 0.4 MB). CPU: a few minutes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.nn.functional as F
from ganzoo_plugins.datasets import load_mnist_5k
from ganzoo_plugins.digit_classifier import WEIGHTS, DigitClassifier, holdout
from safetensors.torch import save_file

OUT = Path(__file__).resolve().parent.parent / "plugins" / "data" / WEIGHTS


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random rotation (+-10 degrees), scale (0.9-1.1) and shift (+-2 px), one affine warp."""
    n = len(x)
    angle = (torch.rand(n, generator=gen) * 2 - 1) * 10 * torch.pi / 180
    scale = 0.9 + torch.rand(n, generator=gen) * 0.2
    shift = (torch.rand(n, 2, generator=gen) * 2 - 1) * (2 / 14)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # grid_sample pads with 0; shift so that the padding is background (-1).
    return F.grid_sample(x + 1, grid, align_corners=False) - 1


def accuracy(model: DigitClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    data = load_mnist_5k(None, None, None)
    x, y = data.x.float() / 127.5 - 1, data.labels
    train, held = holdout(y)
    model = DigitClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * ((len(train) + 63) // 64))
    for epoch in range(args.epochs):
        model.train()
        perm = train[torch.randperm(len(train), generator=gen)]
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(model(augment(x[idx], gen)), y[idx], label_smoothing=0.05)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        if epoch % 5 == 4 or epoch == args.epochs - 1:
            print(f"epoch {epoch + 1}: loss {loss.item():.3f}, held-out accuracy {accuracy(model, x[held], y[held]):.4f}")
    acc = accuracy(model, x[held], y[held])
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(OUT))
    print(f"held-out accuracy {acc:.4f} on {len(held)} digits never trained on; wrote {OUT}")


if __name__ == "__main__":
    main()
