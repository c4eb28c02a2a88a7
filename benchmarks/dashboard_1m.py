"""How long the dashboard takes to open a run of a million scalar rows.

    python benchmarks/dashboard_1m.py [--rows 1000000] [--repeat 3]

Writes a synthetic run through ganzoo's run store (100,000 steps x 10 scalars, in parts of
10,000 rows as the trainer writes them), then times (1) the read-and-prepare path the
Losses page uses (read only step/name/value, smooth, thin to 2,000 points per curve) and
(2) a whole first render of the app with Streamlit's AppTest, cold cache each time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from importlib.resources import files
from pathlib import Path

import numpy as np
from ganzoo_dashboard import data

from ganzoo.runstore import Run, RunWriter

NAMES = ["d_loss", "g_loss", "d_real", "d_fake", "d_tpr", "d_tnr", "g_grad_norm", "d_grad_norm", "images_per_s",
         "gp"]


def make_run(root: Path, rows: int) -> Path:
    writer = RunWriter.create(root, "big", {"model": "mlp-gan", "dataset": "mnist-5k", "settings": {}, "resumes": []})
    steps = rows // len(NAMES)
    rng = np.random.default_rng(0)
    per_part = 10_000 // len(NAMES)
    for start in range(1, steps + 1, per_part):
        s = np.arange(start, min(start + per_part, steps + 1))
        writer.write_rows({"step": np.repeat(s, len(NAMES)).tolist(), "epoch": np.repeat(s // 1000, len(NAMES)).tolist(),
                           "wall_time": np.repeat(s * 0.01, len(NAMES)).tolist(), "name": NAMES * len(s),
                           "value": rng.normal(size=len(s) * len(NAMES)).tolist()})
    writer.set_status("finished", steps)
    return writer.path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        path = make_run(root, args.rows)
        run = Run(path)
        n = len(run.read("metrics", columns=["step"])[0])
        print(f"run with {n:,} scalar rows in {len(run.parts())} parts")
        prep = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            df, _ = run.read("metrics", columns=["step", "name", "value"])
            for names in data.LOSS_GROUPS.values():
                data.curves({"big": df}, names, 0.6)
            prep.append(time.perf_counter() - start)
        print(f"read + smooth + thin every Losses chart: median {statistics.median(prep):.2f} s")
        import streamlit as st
        from streamlit.testing.v1 import AppTest
        os.environ["GANZOO_RUNS"] = str(root)
        pages = []
        for _ in range(args.repeat):
            st.cache_data.clear()
            at = AppTest.from_file(str(files("ganzoo_dashboard") / "app.py"), default_timeout=120)
            at.query_params["run"] = "big"
            start = time.perf_counter()
            at.run()
            pages.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        print(f"whole page, first render (AppTest, cold cache): median {statistics.median(pages):.2f} s")


if __name__ == "__main__":
    main()
