"""What the dashboard shows, computed from runs on disk through ganzoo's run store: plain
functions of paths and frames, so they are testable without Streamlit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ganzoo.diversity import GUIDE
from ganzoo.errors import RunError
from ganzoo.runstore import Run, list_runs, resolve_run

LOSS_GROUPS = {
    "Losses": ["d_loss", "g_loss"],
    "D(x) and D(G(z))": ["d_real", "d_fake"],
    "Discriminator accuracy": ["d_tpr", "d_tnr"],
    "Gradient norms": ["g_grad_norm", "d_grad_norm"],
    "Speed (images/s)": ["images_per_s"],
}
# Direction in which each statistic gets worse, for the collapse warning.
WORSE_WHEN_LOWER = {"modes_covered", "recall", "coverage", "diversity_ratio", "modes_captured", "high_quality"}
WORSE_WHEN_HIGHER = {"kl_classes", "fd_digits", "ndb_k", "reverse_kl"}
MAX_POINTS = 2000


def parts_signature(run: Run, table: str = "metrics") -> tuple:
    """Changes whenever a part is added, rewritten or removed: the cache key of a read."""
    out = []
    for p in run.parts(table):
        try:
            st = p.stat()
            out.append((p.name, st.st_mtime_ns, st.st_size))
        except OSError:
            continue
    return tuple(out)


def find_run(root: str | Path, run_id: str) -> Run:
    """The run ``run_id`` inside ``root``; RunError for anything outside it or missing."""
    return Run(resolve_run(root, run_id))


def runs_overview(root: str | Path) -> pd.DataFrame:
    rows = []
    for run in reversed(list_runs(root)):
        try:
            cfg = run.config()
        except (OSError, ValueError):
            continue
        st = run.status()
        latest = latest_diversity(run)
        updated = dt.datetime.fromtimestamp(st["updated"]) if st.get("updated") else None
        rows.append({"run": run.id, "model": cfg.get("model"), "dataset": cfg.get("dataset"), "status": run.state(),
                     "step": st.get("step", 0), "updated": updated,
                     "modes": latest.get("modes_covered", latest.get("modes_captured")),
                     "fd_digits": latest.get("fd_digits"), "recall": latest.get("recall")})
    return pd.DataFrame(rows, columns=["run", "model", "dataset", "status", "step", "updated", "modes",
                                       "fd_digits", "recall"])


def latest_diversity(run: Run) -> dict[str, float]:
    df, _ = run.read("diversity", columns=["step", "name", "value"])
    if df.empty:
        return {}
    last = df[df.step == df.step.max()]
    return dict(zip(last.name, last.value))


def downsample(df: pd.DataFrame, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """At most ``max_points`` rows per (run, name), keeping first and last; applied after
    smoothing, so the curve's shape is kept."""
    def thin(g: pd.DataFrame) -> pd.DataFrame:
        if len(g) <= max_points:
            return g
        idx = np.unique(np.linspace(0, len(g) - 1, max_points).round().astype(int))
        return g.iloc[idx]
    return df.groupby(["run", "name"], group_keys=False, sort=False)[df.columns.tolist()].apply(thin)


def ema(values: pd.Series, weight: float) -> pd.Series:
    """TensorBoard's smoothing: an exponential moving average, debiased at the start."""
    if weight <= 0:
        return values
    return values.ewm(alpha=1 - weight, adjust=True).mean()


def curves(frames: dict[str, pd.DataFrame], names: list[str], weight: float) -> pd.DataFrame:
    """Long frame (run, name, step, raw, smoothed) of the scalars ``names`` of several runs."""
    out = []
    for run_id, df in frames.items():
        sub = df[df.name.isin(names)]
        for name, g in sub.groupby("name", sort=False):
            g = g.sort_values("step")
            out.append(pd.DataFrame({"run": run_id, "name": name, "step": g.step.to_numpy(),
                                     "raw": g.value.to_numpy(), "smoothed": ema(g.value, weight).to_numpy()}))
    if not out:
        return pd.DataFrame(columns=["run", "name", "step", "raw", "smoothed"])
    return downsample(pd.concat(out, ignore_index=True))


def collapse_warnings(div: pd.DataFrame) -> list[str]:
    """Plain-words warnings when the latest statistics look collapsed or are falling."""
    if div.empty:
        return []
    wide = div.pivot_table(index="step", columns="name", values="value", aggfunc="last").sort_index()
    last, first_best = wide.iloc[-1], wide.max()
    notes = []
    if "modes_covered" in wide and "kl_classes" in wide:
        n_classes = max(wide["modes_covered"].max(), 1)
        # One class in or out at one evaluation is noise at a 1% threshold; two is a trend.
        if last["modes_covered"] <= n_classes - 2:
            notes.append(f"Modes covered fell to {last['modes_covered']:.0f} (it reached {n_classes:.0f}): the generator "
                         f"has stopped making some classes.")
        if last["kl_classes"] > 0.5:
            notes.append(f"Class histogram KL is {last['kl_classes']:.2f}: samples crowd into a few classes "
                         f"(one class alone gives 2.30).")
    if "recall" in wide and "precision" in wide and len(wide) > 1:
        peak = first_best["recall"]
        if last["recall"] < 0.5 * peak and last["precision"] >= 0.8 * wide["precision"].max():
            notes.append(f"Recall dropped to {last['recall']:.2f} (peak {peak:.2f}) while precision holds at "
                         f"{last['precision']:.2f}: samples still look real but cover less of the data, the "
                         f"signature of mode collapse.")
    if "diversity_ratio" in wide and last["diversity_ratio"] < 0.3:
        notes.append(f"Diversity ratio is {last['diversity_ratio']:.2f}: samples are much closer to each other than "
                     f"real data is; the generator may be repeating itself.")
    if "modes_captured" in wide:
        total = wide["modes_captured"].max()
        if last["modes_captured"] <= total - 2:
            notes.append(f"Modes captured fell to {last['modes_captured']:.0f} of the {total:.0f} it reached.")
    return notes


def healthy_value(name: str) -> float | None:
    """A number to draw as the healthy line, where one exists."""
    return {"kl_classes": 0.0, "ndb_k": 0.05, "density": 1.0, "diversity_ratio": 1.0, "reverse_kl": 0.0,
            "coverage": 0.97, "high_quality": 0.99}.get(name)


def guide(name: str) -> str:
    healthy, collapsed = GUIDE.get(name, ("", ""))
    return f"healthy: {healthy}; collapsed: {collapsed}" if healthy else ""


__all__ = ["RunError", "runs_overview", "find_run", "curves", "collapse_warnings", "parts_signature", "downsample"]
