"""The dashboard's pages, on runs written by the real trainer, with Streamlit's AppTest."""

from __future__ import annotations

from importlib.resources import files

import pandas as pd
import pytest
from ganzoo_dashboard import data
from streamlit.testing.v1 import AppTest

APP = str(files("ganzoo_dashboard") / "app.py")


def app(monkeypatch, root, run: str | None = None) -> AppTest:
    monkeypatch.setenv("GANZOO_RUNS", str(root))
    at = AppTest.from_file(APP, default_timeout=60)
    if run is not None:
        at.query_params["run"] = run
    return at.run()


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_every_page_renders_a_real_run(monkeypatch, runs_root):
    at = app(monkeypatch, runs_root, "alpha")
    assert not at.exception and not at.error
    assert [t.label for t in at.tabs] == ["Runs", "Losses", "Mode collapse", "Samples", "Config"]
    overview = at.dataframe[0].value
    assert set(overview.run) == {"alpha", "beta"}
    assert overview.set_index("run").loc["alpha", "status"] == "finished"
    assert overview.set_index("run").loc["alpha", "step"] == 15
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 5 + 9  # five loss groups, nine diversity statistics
    assert at.select_slider[0].options == ["5", "10", "15"]  # the fixed-z grids of steps 5, 10, 15
    assert len(at.get("image")) >= 1
    assert any("mlp-gan on digits-300" in str(m.value) for m in at.markdown)


def test_step_slider_picks_a_grid(monkeypatch, runs_root):
    at = app(monkeypatch, runs_root, "alpha")
    at.select_slider[0].set_value(5).run()
    assert not at.exception
    assert at.select_slider[0].value == 5
    assert "step 5" in [img.proto.imgs[0].caption for img in at.get("image") if img.proto.imgs[0].caption]


def test_two_runs_are_overlaid(monkeypatch, runs_root):
    at = app(monkeypatch, runs_root, "alpha,beta")
    assert at.multiselect[0].value == ["alpha", "beta"]
    assert not at.exception and not at.error
    frames = {r: data.Run(runs_root / r).read("metrics")[0] for r in ("alpha", "beta")}
    df = data.curves(frames, ["d_loss"], 0.6)
    assert set(df.run) == {"alpha", "beta"}


def test_empty_runs_directory_says_so(monkeypatch, tmp_path):
    at = app(monkeypatch, tmp_path)
    assert not at.exception and "No runs in" in texts(at.info)
    at = app(monkeypatch, tmp_path / "missing")
    assert not at.exception and "does not exist yet" in texts(at.info)


def test_path_outside_the_runs_directory_is_refused(monkeypatch, runs_root):
    at = app(monkeypatch, runs_root, "../../etc")
    assert not at.exception
    assert "outside the runs directory" in texts(at.error)


def copy_run(src, dst):
    import shutil
    shutil.copytree(src, dst)
    return dst


def test_corrupt_parquet_part_is_skipped_with_a_message(monkeypatch, runs_root, tmp_path):
    root = tmp_path / "runs"
    run = copy_run(runs_root / "alpha", root / "alpha")
    (run / "metrics" / "part-999999.parquet").write_bytes(b"PAR1 half-written")
    at = app(monkeypatch, root, "alpha")
    assert not at.exception
    assert "part-999999.parquet is unreadable and was skipped" in texts(at.warning)
    assert len(at.get("vega_lite_chart")) >= 5  # the good parts still plot


def test_run_without_samples_or_statistics_yet(monkeypatch, runs_root, tmp_path):
    root = tmp_path / "runs"
    run = copy_run(runs_root / "beta", root / "beta")
    for p in [*(run / "samples").glob("*.png"), *(run / "diversity").glob("*.parquet")]:
        p.unlink()
    at = app(monkeypatch, root, "beta")
    assert not at.exception
    info = texts(at.info)
    assert "no sample grids yet" in info and "No diversity statistics yet" in info


def test_collapse_warning_in_plain_words():
    steps = [100, 200, 300]
    rows = []
    for s, modes, kl, rec, prec in zip(steps, [10, 10, 3], [0.01, 0.05, 1.4], [0.8, 0.7, 0.1], [0.8, 0.82, 0.85]):
        rows += [(s, "modes_covered", modes), (s, "kl_classes", kl), (s, "recall", rec), (s, "precision", prec)]
    notes = data.collapse_warnings(pd.DataFrame(rows, columns=["step", "name", "value"]))
    assert any("Modes covered fell to 3" in n for n in notes)
    assert any("Recall dropped to 0.10" in n and "precision holds" in n for n in notes)
    healthy = pd.DataFrame([(100, "modes_covered", 10), (100, "kl_classes", 0.01)], columns=["step", "name", "value"])
    assert data.collapse_warnings(healthy) == []
    wobble = pd.DataFrame([(100, "modes_covered", 9), (200, "modes_covered", 8), (200, "kl_classes", 0.2)],
                          columns=["step", "name", "value"])
    assert data.collapse_warnings(wobble) == []  # one class at the 1% line is noise, not collapse


def test_smoothing_is_tensorboards_debiased_ema_and_plots_are_downsampled():
    s = pd.Series([1.0, 0.0, 0.0])
    assert data.ema(s, 0.5).tolist() == pytest.approx([1.0, 1 / 3, 1 / 7])
    big = pd.DataFrame({"run": "r", "name": "x", "step": range(100_000), "value": 1.0})
    out = data.curves({"r": big}, ["x"], 0.9)
    assert len(out) <= data.MAX_POINTS and out.step.iloc[-1] == 99_999
