"""Mode collapse on the 2-D ring (or grid): a plain MLP GAN against the same with PacGAN
packing, on the CPU with fixed seeds and budget.

    python benchmarks/ring8_packing.py [--dataset ring8] [--epochs 5] [--seeds 0 1 2] [--packs 1 2]

Each run trains ganzoo's mlp2d model (PacGAN's 2-D architecture) and scores 2,500 samples of
its final generator with the VEEGAN / PacGAN statistics. Prints a markdown table of the mean
(and range) over seeds, next to the papers' published figures for their own networks.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile

from ganzoo import registry, trainer
from ganzoo.runstore import Run

PUBLISHED = {  # modes captured, % high quality, reverse KL (VEEGAN Table 1; PacGAN Table 1)
    "ring8": [("VEEGAN paper: GAN", "1", "99.3", "-"), ("VEEGAN paper: VEEGAN", "8", "52.9", "-"),
              ("PacGAN paper: GAN", "6.3 ± 0.5", "98.2 ± 0.2", "0.45 ± 0.09"),
              ("PacGAN paper: PacGAN2", "7.9 ± 0.1", "95.6 ± 2.0", "0.07 ± 0.03")],
    "grid25": [("VEEGAN paper: GAN", "3.3", "0.5", "-"), ("VEEGAN paper: VEEGAN", "24.6", "40", "-"),
               ("PacGAN paper: GAN", "17.3 ± 0.8", "94.8 ± 0.7", "0.70 ± 0.07"),
               ("PacGAN paper: PacGAN2", "23.8 ± 0.7", "91.3 ± 0.8", "0.13 ± 0.04")],
}


def final_stats(reg, dataset: str, pack: int, seed: int, epochs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as runs:
        t = trainer.new_run(reg, runs, {"model": "mlp2d", "dataset": dataset, "device": "cpu", "name": "b"},
                            [{"epochs": epochs, "seed": seed, "pack": pack, "eval_every": 10**9}], progress=False)
        t.fit()
        df = Run(t.run.path).diversity()
        last = df[df.step == df.step.max()]
        return dict(zip(last.name, last.value))


def fmt(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    values = [v * scale for v in values]
    return f"{statistics.mean(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="ring8", choices=["ring8", "grid25"])
    ap.add_argument("--epochs", type=int, default=5, help="epochs of 1,000 steps (batch 100)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--packs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    reg = registry.load()
    rows = []
    for pack in args.packs:
        runs = []
        for seed in args.seeds:
            s = final_stats(reg, args.dataset, pack, seed, args.epochs)
            print(f"pack {pack}, seed {seed}: modes {s['modes_captured']:.0f}, high quality "
                  f"{100 * s['high_quality']:.1f}%, reverse KL {s['reverse_kl']:.3f}", flush=True)
            runs.append(s)
        label = "ganzoo mlp2d: GAN" if pack == 1 else f"ganzoo mlp2d: PacGAN{pack}"
        rows.append((label, fmt([r["modes_captured"] for r in runs]), fmt([r["high_quality"] for r in runs], 100),
                     fmt([r["reverse_kl"] for r in runs], digits=2)))
    print(f"\n{args.dataset}, {args.epochs} epochs x 1,000 steps, seeds {args.seeds}; mean (min–max)\n")
    print("| model | modes captured | % high quality | reverse KL |\n|---|---|---|---|")
    for row in rows + PUBLISHED[args.dataset]:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
