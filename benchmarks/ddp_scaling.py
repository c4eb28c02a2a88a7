"""Images/s of one process against N data-parallel processes (torchrun, gloo on the CPU).

    python benchmarks/ddp_scaling.py [--model mlp-gan] [--nproc 2] [--epochs 2] [--rounds 3]

Each round trains the model on mnist-5k in one plain process, then under `ganzoo train
--nproc N` (alternating which goes first) at the same global batch, and reads the median of
the run's logged images_per_s (the whole job's rate). Statistics are off; the machine's load
falls on both alike. Prints each round and the medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile

from ganzoo.runstore import Run


def images_per_s(model: str, epochs: int, batch: int, nproc: int | None) -> float:
    with tempfile.TemporaryDirectory() as runs:
        cmd = [sys.executable, "-m", "ganzoo", "train", "--model", model, "--dataset", "mnist-5k", "--epochs",
               str(epochs), "--batch-size", str(batch), "--eval-every", "0", "--no-progress", "--runs-dir", runs,
               "--name", "b"]
        if nproc:
            cmd += ["--nproc", str(nproc)]
        subprocess.run(cmd, check=True, capture_output=True)
        rates = Run(f"{runs}/b").scalars(["images_per_s"]).value
        return float(rates.iloc[1:].median())  # the first window holds the warm-up


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="mlp-gan")
    ap.add_argument("--nproc", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    one, many = [], []
    for r in range(args.rounds):
        order = [None, args.nproc] if r % 2 == 0 else [args.nproc, None]
        got = {n: images_per_s(args.model, args.epochs, args.batch_size, n) for n in order}
        one.append(got[None])
        many.append(got[args.nproc])
        print(f"round {r + 1}: 1 process {one[-1]:,.0f} img/s, {args.nproc} processes {many[-1]:,.0f} img/s", flush=True)
    print(f"{args.model}, batch {args.batch_size}: median 1 process {statistics.median(one):,.0f} img/s, "
          f"{args.nproc} processes {statistics.median(many):,.0f} img/s "
          f"(ratio {statistics.median(m / o for m, o in zip(many, one)):.2f})")


if __name__ == "__main__":
    main()
