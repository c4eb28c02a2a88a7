"""ganzoo's trainer against the seed's own loop, timed in one run on the same 5,000 digits.

    python benchmarks/seed_vs_ganzoo.py [--model mlp-gan] [--rounds 5] [--epochs 1]

Each round trains the seed loop for E epochs and ganzoo's real trainer for E epochs (with
its logging, per-epoch sample grids and checkpoints, as `ganzoo train` does; the diversity
statistics, which the seed has no counterpart of, are off here and measured by
eval_overhead.py), alternating which goes first so that a machine's load and warm-up fall on
both alike. Prints each round and the median ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from seed_loop import seed_images_per_s  # noqa: E402

from ganzoo import registry, trainer  # noqa: E402


def ganzoo_images_per_s(reg, model: str, epochs: int, device: str) -> float:
    with tempfile.TemporaryDirectory() as runs:
        t = trainer.new_run(reg, runs, {"model": model, "dataset": "mnist-5k", "device": device, "name": "bench"},
                            [{"epochs": epochs, "eval_every": 0}], progress=False)
        start = time.perf_counter()
        t.fit()
        return len(t.x) * epochs / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="mlp-gan", choices=["mlp-gan", "dcgan"])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    reg = registry.load()
    spec = reg.models[args.model]
    print(f"{args.model}, batch 60, {args.device}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    ratios = []
    for r in range(args.rounds):
        G, D = spec.build(spec.shape, {})
        if r % 2:
            ours = ganzoo_images_per_s(reg, args.model, args.epochs, args.device)
            seed = seed_images_per_s(G, D, args.epochs)
        else:
            seed = seed_images_per_s(G, D, args.epochs)
            ours = ganzoo_images_per_s(reg, args.model, args.epochs, args.device)
        ratios.append(ours / seed)
        print(f"round {r + 1}: seed loop {seed:,.0f} img/s, ganzoo {ours:,.0f} img/s, ratio {ours / seed:.2f}",
              flush=True)
    print(f"median ratio ganzoo / seed loop: {statistics.median(ratios):.2f} over {args.rounds} rounds")


if __name__ == "__main__":
    main()
