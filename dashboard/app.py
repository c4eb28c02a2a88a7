"""ganzoo's dashboard: runs, losses, mode-collapse statistics, samples and config, live.

Start it with `ganzoo dashboard [RUNS_DIR]`. It reads runs through ganzoo's run store and
trains nothing. The runs directory comes from $GANZOO_RUNS (Streamlit passes no argv to
tests); `?run=ID,ID` in the URL preselects runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from ganzoo_dashboard import data

from ganzoo.errors import RunError
from ganzoo.runstore import Run

ROOT = Path(os.environ.get("GANZOO_RUNS", "runs"))
REFRESH = os.environ.get("GANZOO_DASHBOARD_REFRESH", "5s")

st.set_page_config(page_title="ganzoo", layout="wide")


@st.cache_data(max_entries=64, show_spinner=False)
def read_table(path: str, table: str, signature: tuple) -> tuple[pd.DataFrame, list[str]]:
    # Only the columns the charts need; the signature (part names, mtimes, sizes) makes
    # a new part or a rewrite invalidate the cache, so a live run re-reads what changed.
    df, problems = Run(Path(path)).read(table, columns=["step", "name", "value"])
    df["name"] = df["name"].astype("category")
    return df, problems


def load(run: Run, table: str) -> pd.DataFrame:
    df, problems = read_table(str(run.path), table, data.parts_signature(run, table))
    for p in problems:
        st.warning(f"{run.id}: {p}")
    return df


def line_chart(df: pd.DataFrame, title: str, runs: list[str], healthy: float | None = None) -> alt.Chart:
    # A run keeps its colour on every chart (the domain is all runs shown); scalars sharing a
    # chart differ by dash. Legends sit below, so narrow charts keep their width for data.
    legend = alt.Legend(orient="bottom", direction="horizontal", title=None, labelLimit=240)
    color = alt.Color("run:N", scale=alt.Scale(domain=runs, scheme="category10"), legend=legend if len(runs) > 1 else None)
    enc = {"x": alt.X("step:Q", title="step"), "color": color}
    if df["name"].nunique() > 1:
        enc["strokeDash"] = alt.StrokeDash("name:N", legend=legend)
    base = alt.Chart(df).encode(**enc)
    raw = base.mark_line(opacity=0.25, strokeWidth=1).encode(y=alt.Y("raw:Q", title=title))
    smooth = base.mark_line(strokeWidth=2).encode(y="smoothed:Q", tooltip=["run", "name", "step", "raw", "smoothed"])
    chart = raw + smooth
    if healthy is not None:
        chart += alt.Chart(pd.DataFrame({"y": [healthy]})).mark_rule(strokeDash=[4, 4], color="green").encode(y="y:Q")
    return chart.properties(height=260, title=title).interactive()


def page_runs(overview: pd.DataFrame) -> None:
    st.dataframe(overview, hide_index=True, width="stretch",
                 column_config={"updated": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})


def page_losses(runs: list[Run], weight: float) -> None:
    frames = {r.id: load(r, "metrics") for r in runs}
    if all(f.empty for f in frames.values()):
        st.info("No scalars yet: the first part is written within seconds of the first steps.")
        return
    extra = sorted({n for f in frames.values() for n in f.name.unique()} -
                   {n for group in data.LOSS_GROUPS.values() for n in group} - {"eval_seconds"})
    groups = dict(data.LOSS_GROUPS, **({"Plugin scalars": extra} if extra else {}))
    cols = st.columns(2)
    for i, (title, names) in enumerate(groups.items()):
        df = data.curves(frames, names, weight)
        if not df.empty:
            cols[i % 2].altair_chart(line_chart(df, title, list(frames)), width="stretch")


def page_collapse(runs: list[Run], weight: float) -> None:
    frames = {r.id: load(r, "diversity") for r in runs}
    if all(f.empty for f in frames.values()):
        st.info("No diversity statistics yet: they are computed every eval_every steps (500 by default) "
                "and at the end of a run.")
        return
    for run_id, df in frames.items():
        for note in data.collapse_warnings(df):
            st.warning(f"**{run_id}** looks collapsed: {note}")
    names = sorted({n for f in frames.values() for n in f.name.unique()})
    cols = st.columns(3)
    for i, name in enumerate(names):
        df = data.curves(frames, [name], 0.0 if weight < 0.5 else weight / 2)
        with cols[i % 3]:
            st.altair_chart(line_chart(df, name, list(frames), data.healthy_value(name)), width="stretch")
            st.caption(data.guide(name))


def page_samples(run: Run) -> None:
    grids = run.samples()
    if not grids:
        st.info(f"{run.id} has no sample grids yet: one is written at the end of every epoch.")
        return
    steps = [s for s, _ in grids]
    paths = dict(grids)
    left, right = st.columns([3, 2])
    with left:
        st.subheader(f"Latest: step {steps[-1]}")
        st.image(str(paths[steps[-1]]), width=480)
    with right:
        st.subheader("The same z over training")
        step = st.select_slider("step", options=steps, value=steps[-1], key=f"slider-{run.id}")
        st.image(str(paths[step]), width=320, caption=f"step {step}")
    st.subheader("Two steps side by side")
    a, b = st.columns(2)
    first = a.selectbox("left", steps, index=0, key=f"a-{run.id}")
    second = b.selectbox("right", steps, index=len(steps) - 1, key=f"b-{run.id}")
    a.image(str(paths[first]), width=320, caption=f"step {first}")
    b.image(str(paths[second]), width=320, caption=f"step {second}")


def page_config(run: Run) -> None:
    cfg = run.config()
    st.write(f"**{run.id}**: {cfg.get('model')} on {cfg.get('dataset')}, device {cfg.get('device')}, "
             f"created {cfg.get('created')}")
    st.json(cfg.get("versions", {}))
    st.json(cfg, expanded=False)


def guarded(page, *args) -> None:
    """A page that meets a broken run shows a message, never a traceback."""
    try:
        page(*args)
    except (RunError, OSError, ValueError, KeyError) as e:
        st.error(f"Cannot show this page: {e}")


def main() -> None:
    st.title("ganzoo")
    if not ROOT.is_dir():
        st.info(f"The runs directory {ROOT.resolve()} does not exist yet. Start a run: "
                f"`ganzoo train --model mlp-gan --runs-dir {ROOT}`")
        return
    overview = data.runs_overview(ROOT)
    if overview.empty:
        st.info(f"No runs in {ROOT.resolve()} yet. Start one: `ganzoo train --model mlp-gan --runs-dir {ROOT}`")
        return
    wanted = [r for r in st.query_params.get("run", "").split(",") if r]
    chosen: list[Run] = []
    for run_id in wanted:
        try:
            chosen.append(data.find_run(ROOT, run_id))
        except RunError as e:
            st.error(str(e))
    ids = overview["run"].tolist()
    with st.sidebar:
        st.caption(f"Runs in {ROOT.resolve()}")
        picked = st.multiselect("Runs", ids, default=[r.id for r in chosen if r.id in ids] or ids[:1])
        weight = st.slider("Smoothing", 0.0, 0.99, 0.6, 0.01, help="Exponential moving average, as TensorBoard's")
        live = st.toggle("Live refresh", value=True, help=f"Re-read new data every {REFRESH} while a run trains")
    runs = [Run(ROOT / r) for r in picked]
    if not runs:
        page_runs(overview)
        st.info("Pick one or more runs in the sidebar.")
        return
    running = live and any(r.state() == "running" for r in runs)

    @st.fragment(run_every=REFRESH if running else None)
    def content() -> None:
        tabs = st.tabs(["Runs", "Losses", "Mode collapse", "Samples", "Config"])
        with tabs[0]:
            guarded(page_runs, data.runs_overview(ROOT))
        with tabs[1]:
            guarded(page_losses, runs, weight)
        with tabs[2]:
            guarded(page_collapse, runs, weight)
        with tabs[3]:
            for run in runs:
                if len(runs) > 1:
                    st.header(run.id)
                guarded(page_samples, run)
        with tabs[4]:
            for run in runs:
                guarded(page_config, run)

    content()


main()
