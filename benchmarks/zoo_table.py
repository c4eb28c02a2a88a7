"""Every model of the zoo trained on mnist-5k for the same budget on the CPU, scored by the
mode-collapse statistics of its final generator: the README's "The zoo" table.

    python benchmarks/zoo_table.py [--epochs 10] [--only cgan vae ...] [--runs-dir DIR]

Each row is one run (seed 0, each model's own default settings, batch 60 unless the model
says otherwise) of EPOCHS passes over the 5,000 digits, then 2,000 samples of its final
generator scored against the data (modes covered, KL of the class histogram, fd_digits,
precision, recall: see the README's statistics table). A row is marked "did not learn"
when modes_covered < 8, fd_digits > 30 or recall < 0.05 (real digits score 10, 0.5 and
0.91; one collapsed class 1-2, 151 and 0.01). For the conditional GAN it also prints how
often the digit classifier reads a sample G(z, y) as class y. Prints a markdown table; the
runs stay under --runs-dir (default: a temporary directory, removed at the end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import tempfile
import time

import torch
from ganzoo_plugins import digit_classifier

from ganzoo import evaluate, registry, trainer
from ganzoo.runstore import Run

# (row label, model, settings beyond the model's defaults)
ROWS = [
    ("mlp-gan (the seed's)", "mlp-gan", {}),
    ("dcgan (the seed's)", "dcgan", {}),
    ("mlp-gan, loss=lsgan", "mlp-gan", {"loss": "lsgan"}),
    ("mlp-gan, loss=hinge", "mlp-gan", {"loss": "hinge"}),
    ("mlp-gan, pack=2 (PacGAN2)", "mlp-gan", {"pack": 2}),
    ("wgan-gp", "wgan-gp", {}),
    ("cgan", "cgan", {}),
    ("ebgan", "ebgan", {}),
    ("began", "began", {}),
    ("vae (not a GAN)", "vae", {}),
]
EVAL_SAMPLES = 2000


def learned(s: dict[str, float]) -> bool:
    return s["modes_covered"] >= 8 and s["fd_digits"] <= 30 and s["recall"] >= 0.05


@torch.no_grad()
def label_accuracy(t: trainer.Trainer, n: int = 2000) -> float:
    """Share of G(z, y), y balanced over classes, that the digit classifier reads as y."""
    k = t.ctx.num_classes
    x = evaluate.generate(t.G, t.spec.latent_dim, n, t.device, num_classes=k)
    clf = digit_classifier.load().eval()
    pred = torch.cat([clf(x[i:i + 500]).argmax(1) for i in range(0, n, 500)])
    return float((pred == torch.arange(n) % k).float().mean())


def run_row(reg, runs: str, label: str, model: str, extra: dict, epochs: int) -> dict:
    name = label.split(" ")[0].rstrip(",") + "".join(f"-{k}{v}" for k, v in extra.items())
    start = time.perf_counter()
    t = trainer.new_run(reg, runs, {"model": model, "dataset": "mnist-5k", "device": "cpu", "name": name},
                        [{"epochs": epochs, "eval_every": 10**9, "eval_samples": EVAL_SAMPLES} | extra],
                        progress=False)
    t.fit()
    seconds = time.perf_counter() - start
    df = Run(t.run.path).diversity()
    stats = dict(zip(df.name, df.value))
    row = {"label": label, "steps": t.step, "seconds": seconds, **stats}
    if t.spec.conditional:
        row["label_accuracy"] = label_accuracy(t)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=10, help="passes over mnist-5k per model (84 steps each at batch 60)")
    ap.add_argument("--only", nargs="+", metavar="MODEL", help="only these models")
    ap.add_argument("--runs-dir", help="keep the runs here (default: a temporary directory)")
    args = ap.parse_args()
    reg = registry.load()
    rows = [r for r in ROWS if r[1] in reg.models and (not args.only or r[1] in args.only)]
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        runs = args.runs_dir or tmp
        results = []
        for label, model, extra in rows:
            r = run_row(reg, runs, label, model, extra, args.epochs)
            print(f"{label}: {r['steps']} steps in {r['seconds']:.0f} s, modes {r['modes_covered']:.0f}, "
                  f"fd_digits {r['fd_digits']:.1f}", flush=True)
            results.append(r)
    total = (time.perf_counter() - began) / 60
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    cpu = f"{os.cpu_count()}-core {platform.machine()} CPU"
    print(f"\nmnist-5k, {args.epochs} epochs per model ({args.epochs * 84} steps at batch 60), seed 0, "
          f"{EVAL_SAMPLES} samples scored; {cpu}, torch {torch.__version__}, {when}, {total:.0f} min in all.\n")
    print("| model | steps | wall min | modes covered | KL classes | fd_digits | precision | recall | learned? |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        verdict = "yes" if learned(r) else "**did not learn**"
        if "label_accuracy" in r:
            verdict += f"; G(z, y) read as y: {100 * r['label_accuracy']:.0f}%"
        print(f"| {r['label']} | {r['steps']} | {r['seconds'] / 60:.1f} | {r['modes_covered']:.0f} | "
              f"{r['kl_classes']:.2f} | {r['fd_digits']:.1f} | {r['precision']:.2f} | {r['recall']:.2f} | {verdict} |")
    print("\nReal digits (held out): 10 modes, KL 0.00, fd_digits 0.5, precision 0.91, recall 0.91.")


if __name__ == "__main__":
    main()
