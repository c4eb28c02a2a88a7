"""What the live diversity statistics cost: the share of a run's time spent in them.

    python benchmarks/eval_overhead.py [--model mlp-gan] [--epochs 12] [--rounds 2]

Trains the model on mnist-5k at default settings with evaluation on (every 500 steps and at
the end, 1,000 samples) and off, alternating which goes first, and prints the median slowdown; also the time
the evaluations themselves took (the eval_seconds scalar) as a share of the run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from ganzoo import registry, trainer
from ganzoo.runstore import Run


def timed_run(reg, model: str, epochs: int, eval_every: int | None) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as runs:
        settings = {"epochs": epochs} | ({} if eval_every is None else {"eval_every": eval_every})
        t = trainer.new_run(reg, runs, {"model": model, "dataset": "mnist-5k", "device": "cpu", "name": "b"},
                            [settings], progress=False)
        start = time.perf_counter()
        t.fit()
        total = time.perf_counter() - start
        evals = Run(t.run.path).scalars(["eval_seconds"]).value.sum()
        return total, float(evals)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="mlp-gan")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    reg = registry.load()
    ratios, shares = [], []
    for r in range(args.rounds):
        # Alternate which goes first, so that warm-up and drift fall on both alike.
        if r % 2:
            off, _ = timed_run(reg, args.model, args.epochs, 0)
            on, evals = timed_run(reg, args.model, args.epochs, None)
        else:
            on, evals = timed_run(reg, args.model, args.epochs, None)
            off, _ = timed_run(reg, args.model, args.epochs, 0)
        ratios.append(on / off)
        shares.append(evals / on)
        print(f"round {r + 1}: with statistics {on:.1f} s (of which evaluating {evals:.2f} s), without {off:.1f} s")
    print(f"median slowdown {100 * (statistics.median(ratios) - 1):+.1f}%, "
          f"evaluation share of run time {100 * statistics.median(shares):.1f}%")


if __name__ == "__main__":
    main()
