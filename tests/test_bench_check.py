"""`make bench-check` fails on a slowed training step and passes the normal one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench(tmp_path, *args, sleep: float = 0.0) -> subprocess.CompletedProcess:
    env = dict(os.environ, GANZOO_BENCH_INJECT_SLEEP=str(sleep), GANZOO_BENCH_ROUNDS="5")
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "benchmarks" / "test_train_step.py"), "-q", "-p",
           "no:cacheprovider", "-k", "test_train_step and mlp-gan and cpu and default", "--benchmark-only",
           f"--benchmark-storage={tmp_path}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)


def test_bench_check_catches_an_injected_slowdown(tmp_path):
    saved = bench(tmp_path, "--benchmark-autosave")
    assert saved.returncode == 0, saved.stdout + saved.stderr
    # A wide margin: this must pass on a noisy shared machine, and the injected second of
    # sleep is many times the step's own ~30 ms.
    check = ["--benchmark-compare", "--benchmark-compare-fail=median:100%"]
    normal = bench(tmp_path, *check)
    assert normal.returncode == 0, normal.stdout + normal.stderr
    slowed = bench(tmp_path, *check, sleep=1.0)
    assert slowed.returncode != 0, slowed.stdout[-3000:] + slowed.stderr[-2000:]
    assert "Performance has regressed" in slowed.stdout + slowed.stderr
