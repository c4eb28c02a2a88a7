"""Training runs end to end on small data: the run layout, resume, NaN, repeatability."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from ganzoo import checkpoint, trainer
from ganzoo.errors import TrainingDiverged
from ganzoo.runstore import Run


def train(reg, runs, name="r", model="mlp-gan", dataset="digits-300", **settings):
    settings = {"epochs": 2, "log_every": 2} | settings
    t = trainer.new_run(reg, runs, {"model": model, "dataset": dataset, "device": "cpu", "name": name},
                        [settings], progress=False)
    t.fit()
    return t


def test_a_run_writes_config_scalars_samples_and_checkpoint(reg, runs):
    t = train(reg, runs, epochs=2)
    run = Run(t.run.path)
    cfg = run.config()
    assert cfg["model"] == "mlp-gan" and cfg["dataset"] == "digits-300"
    assert cfg["settings"]["batch_size"] == 60 and cfg["settings"]["lr_g"] == 2e-4
    assert cfg["versions"]["torch"] == torch.__version__ and cfg["plugin"]["dist"] == "ganzoo"
    assert cfg["device"] == "cpu"
    assert run.status()["state"] == "finished" and run.status()["step"] == 10
    df = run.scalars()
    names = set(df.name)
    assert {"d_loss", "g_loss", "d_real", "d_fake", "d_tpr", "d_tnr", "g_grad_norm", "d_grad_norm",
            "images_per_s"} <= names
    per_step = df[df.name == "d_loss"]
    assert per_step.step.tolist() == list(range(1, 11))
    assert per_step.epoch.tolist() == [0] * 5 + [1] * 5
    assert (df[df.name == "images_per_s"].value > 0).all()
    assert [s for s, _ in run.samples()] == [5, 10]
    assert (run.path / "samples" / "progress.gif").stat().st_size > 0
    ckpts = run.checkpoints()
    assert ckpts and ckpts[-1].name == "step-00000010.safetensors"
    ck = checkpoint.load(ckpts[-1])
    assert ck.meta["model"] == "mlp-gan" and ck.meta["step"] == 10
    assert torch.equal(ck.module_state("G")["main.0.weight"], t.G.main[0].weight.detach())
    summary = run.epoch_summary()
    assert list(summary.index) == [0, 1] and "d_tpr" in summary


def test_parquet_parts_read_with_plain_pandas(reg, runs):
    t = train(reg, runs, epochs=1)
    df = pd.read_parquet(t.run.path / "metrics")  # what the README shows: no ganzoo needed
    assert list(df.columns) == ["step", "epoch", "wall_time", "name", "value"]
    assert str(df.step.dtype) == "int64" and str(df.value.dtype) == "float64"
    assert len(df[df.name == "g_loss"]) == 5


def test_checkpoints_hold_no_pickle(reg, runs):
    t = train(reg, runs, epochs=1)
    path = Run(t.run.path).checkpoints()[-1]
    tensors = load_file(path)  # safetensors: plain tensors and a JSON header
    assert "G.main.0.weight" in tensors and "opt_d.0.exp_avg" in tensors


def test_resume_continues_steps_and_metrics_without_duplicates(reg, runs):
    t = train(reg, runs, name="r", epochs=1, checkpoint_every=3)
    # As if killed after step 5's scalars but before its checkpoint: drop that checkpoint.
    Run(t.run.path).checkpoints()[-1].unlink()
    r = trainer.resume_run(reg, runs, "r", [{"epochs": 3}], progress=False)
    assert r.step == 3
    r.fit()
    run = Run(r.run.path)
    df = run.scalars()
    for name in ("d_loss", "g_loss"):
        assert df[df.name == name].step.tolist() == list(range(1, 16))
    assert not df.duplicated(["step", "name"]).any()
    assert [s for s, _ in run.samples()] == [5, 10, 15]
    cfg = run.config()
    assert cfg["resumes"][0]["from_step"] == 3 and cfg["resumes"][0]["changed"] == {"epochs": 3}
    assert run.status() == run.status() | {"state": "finished", "step": 15}


def test_resumed_run_equals_an_uninterrupted_one_bitwise_on_cpu(reg, runs):
    whole = train(reg, runs, name="whole", epochs=3)
    part = train(reg, runs, name="part", epochs=1)
    resumed = trainer.resume_run(reg, runs, "part", [{"epochs": 3}], progress=False)
    resumed.fit()
    for a, b in zip([*whole.G.parameters(), *whole.D.parameters()], [*resumed.G.parameters(), *resumed.D.parameters()]):
        assert torch.equal(a, b)
    assert part.run.path == resumed.run.path


def test_same_seed_repeats_exactly_and_another_seed_differs(reg, runs):
    a = train(reg, runs, name="a", epochs=1, seed=3)
    b = train(reg, runs, name="b", epochs=1, seed=3)
    c = train(reg, runs, name="c", epochs=1, seed=4)
    assert torch.equal(a.G.main[0].weight, b.G.main[0].weight)
    assert not torch.equal(a.G.main[0].weight, c.G.main[0].weight)


def test_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint(reg, runs):
    with pytest.raises(TrainingDiverged, match=r"d_loss became nan at step 8.*step-00000005"):
        train(reg, runs, name="nan", model="nan-test", epochs=4, log_every=1, checkpoint_every=5)
    run = Run(runs / "nan")
    assert [p.name for p in run.checkpoints()] == ["step-00000005.safetensors"]
    assert run.status()["state"] == "failed" and "nan" in run.status()["message"]
    ck = checkpoint.load(run.checkpoints()[-1])
    assert all(torch.isfinite(v).all() for k, v in ck.tensors.items() if v.is_floating_point())


def test_plugin_with_its_own_step_and_scalars_trains_without_core_changes(reg, runs):
    t = train(reg, runs, name="wgan", model="wgan-gp-test", epochs=2)
    df = Run(t.run.path).scalars()
    assert {"wasserstein", "gp", "d_loss", "g_loss"} <= set(df.name)
    # n_critic = 5: G steps only on steps 0, 5 (logged as steps 1 and 6).
    assert df[df.name == "g_loss"].step.tolist() == [1, 6]
    assert len(df[df.name == "gp"]) == 10
    assert json.loads((t.run.path / "config.json").read_text())["settings"]["n_critic"] == 5


def test_a_corrupt_latest_checkpoint_falls_back_to_the_previous(reg, runs):
    t = train(reg, runs, name="c", epochs=1, checkpoint_every=2)
    paths = Run(t.run.path).checkpoints()
    paths[-1].write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="unreadable"):
        ck = checkpoint.load_latest(paths)
    assert ck.path == paths[-2]


def test_training_writes_diversity_statistics_with_what_they_measured(reg, runs):
    t = train(reg, runs, name="div", epochs=2, eval_every=4, eval_samples=200)
    df = Run(t.run.path).diversity()
    assert sorted(df.step.unique()) == [4, 8, 10]  # every 4 steps and at the end
    names = set(df.name)
    assert {"modes_covered", "kl_classes", "fd_digits", "ndb_k", "precision", "recall", "density", "coverage",
            "diversity_ratio"} <= names
    assert (df.n_samples == 200).all() and df.reference.str.startswith("digits-300").all()
    assert "eval_seconds" in set(Run(t.run.path).scalars().name)


def test_2d_mixture_run_logs_modes_and_a_scatter_plot(reg, runs):
    t = train(reg, runs, name="ring", model="mlp2d", dataset="ring8", epochs=1, eval_every=100,
              batch_size=1000, eval_samples=500, pack=2)
    assert t.D.main[0].linear.in_features == 4  # PacGAN: D sees two points at once
    df = Run(t.run.path).diversity()
    assert {"modes_captured", "high_quality", "reverse_kl", "ndb_k", "diversity_ratio"} == set(df.name)
    assert "fd_digits" not in set(df.name)
    assert Run(t.run.path).samples()


def test_diversity_statistics_leave_training_unchanged(reg, runs):
    on = train(reg, runs, name="on", epochs=2, eval_every=3, eval_samples=100)
    off = train(reg, runs, name="off", epochs=2, eval_every=0)
    assert torch.equal(on.G.main[0].weight, off.G.main[0].weight)
    assert torch.equal(on.D.main[0].weight, off.D.main[0].weight)
