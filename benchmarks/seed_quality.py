"""Does ganzoo's trainer learn as well as the seed's own loop? Both train the seed's MLP GAN
for the same epochs on the same 5,000 digits, then both generators are scored alike.

    python benchmarks/seed_quality.py [--model mlp-gan] [--epochs 60] [--seed 0]

The seed loop is benchmarks/seed_loop.py (torchvision MNIST, DataLoader, batch 60); ganzoo's
is `ganzoo train` at its defaults. Each generator gives 2,000 samples from the same z, scored
against mnist-5k with ganzoo's statistics (as `ganzoo eval`). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from seed_loop import make_seed, mnist_5k_as_torchvision, seed_epoch  # noqa: E402

from ganzoo import data, evaluate, registry, trainer  # noqa: E402

SHOWN = ["modes_covered", "kl_classes", "fd_digits", "precision", "recall", "ndb_k", "diversity_ratio"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="mlp-gan")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    reg = registry.load()
    spec = reg.models[args.model]
    dspec, d = data.load(reg, "mnist-5k", None, spec.shape)
    ref = evaluate.reference(dspec, d, data.as_model_input(d.x, torch.device("cpu")))
    device = torch.device("cpu")
    rows = {}

    torch.manual_seed(args.seed)
    G, D = spec.build(spec.shape, {})
    with tempfile.TemporaryDirectory() as root:
        loader = torch.utils.data.DataLoader(mnist_5k_as_torchvision(Path(root)), batch_size=60, shuffle=True)
        state = make_seed(G, D)
        for _ in range(args.epochs):
            seed_epoch(G, D, loader, state)
    rows["seed loop"] = ref.evaluate(evaluate.generate(G, spec.latent_dim, 2000, device))
    print("seed loop done", flush=True)

    with tempfile.TemporaryDirectory() as runs:
        t = trainer.new_run(reg, runs, {"model": args.model, "dataset": "mnist-5k", "device": "cpu", "name": "q"},
                            [{"epochs": args.epochs, "seed": args.seed, "eval_every": 0}], progress=False)
        t.fit()
        rows["ganzoo"] = ref.evaluate(evaluate.generate(t.G, spec.latent_dim, 2000, device))

    print(f"\n{args.model}, {args.epochs} epochs on mnist-5k, seed {args.seed}, 2,000 samples each\n")
    print("| trained by | " + " | ".join(SHOWN) + " |")
    print("|---|" + "---|" * len(SHOWN))
    for who, stats in rows.items():
        print(f"| {who} | " + " | ".join(f"{stats[k]:.3g}" for k in SHOWN) + " |")


if __name__ == "__main__":
    main()
