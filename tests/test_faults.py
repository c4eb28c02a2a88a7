"""Crashes, kills and bad input: a run is never lost, duplicated or half-changed."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import textwrap
import time

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from ganzoo import cli, trainer
from ganzoo.errors import ConfigError
from ganzoo.hookspecs import ModelSpec, hookimpl
from ganzoo.runstore import Run

EPOCH = 84  # steps in one epoch of mnist-5k at batch 60

# Runs `ganzoo train` in a child process; with KILL set, the child SIGKILLs itself in the
# middle of writing the given kind of file (after half the bytes hit a temporary file).
CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import ganzoo.checkpoint, ganzoo.runstore
    from ganzoo.cli import main

    kill, count = os.environ.get("KILL", ""), {"n": 0}
    original = ganzoo.runstore.atomic_write

    def write(path, data):
        if kill and kill in str(path):
            count["n"] += 1
            if count["n"] == 2:
                (path.parent / f".{path.name}.killed.tmp").write_bytes(data[: len(data) // 2])
                os.kill(os.getpid(), signal.SIGKILL)
        return original(path, data)

    ganzoo.runstore.atomic_write = ganzoo.checkpoint.atomic_write = write
    sys.exit(main(sys.argv[1:]))
""")


def child(args, runs, kill=""):
    env = dict(os.environ, KILL=kill, GANZOO_RUNS=str(runs))
    return subprocess.Popen([sys.executable, "-c", CHILD, *args, "--no-progress"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


TRAIN = ["train", "--model", "mlp-gan", "--dataset", "mnist-5k", "--epochs", "1", "--checkpoint-every", "20",
         "--log-every", "5", "--eval-every", "30", "--eval-samples", "100", "--sample-every", "15"]


def assert_complete(path, steps):
    run = Run(path)
    df = run.scalars()
    for name in ("d_loss", "g_loss"):
        assert df[df.name == name].step.tolist() == list(range(1, steps + 1))
    assert not df.duplicated(["step", "name"]).any()
    div = run.diversity()
    assert sorted(div.step.unique()) == [30, 60, steps]
    assert not div.duplicated(["step", "name"]).any()
    assert [s for s, _ in run.samples()] == [15, 30, 45, 60, 75]
    assert run.status()["state"] == "finished" and run.status()["step"] == steps
    assert not list(path.glob("**/.*.tmp"))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    p = child([*TRAIN, "--name", "whole"], runs)
    assert p.wait(timeout=300) == 0, p.stderr.read()
    return load_file(Run(runs / "whole").checkpoints()[-1])


@pytest.mark.parametrize("kill", ["checkpoints/", "metrics/", "mid-step", "first-step"])
def test_sigkill_then_resume_gives_a_complete_duplicate_free_run(tmp_path, kill, uninterrupted):
    runs = tmp_path / "runs"
    if kill == "first-step":  # before any checkpoint: the resume starts over
        p = child([*TRAIN, "--name", "r"], runs)
        while not list((runs / "r" / "samples").glob("fixed_z*")) if (runs / "r").exists() else True:
            assert p.poll() is None, p.stderr.read()
        p.kill()
        p.wait()
    elif kill == "mid-step":
        p = child([*TRAIN, "--name", "r"], runs)
        deadline = 300
        while not (runs / "r" / "checkpoints").exists() or not Run(runs / "r").checkpoints():
            assert p.poll() is None, p.stderr.read()
            deadline -= 1
            assert deadline > 0
            time.sleep(0.1)
        time.sleep(0.7)  # well inside the steps after the first checkpoint
        p.kill()
        p.wait()
    else:
        p = child([*TRAIN, "--name", "r"], runs, kill=kill)
        assert p.wait(timeout=300) == -9  # it really died mid-write
        assert list((runs / "r").glob("**/.*.killed.tmp"))
    assert Run(runs / "r").status()["state"] == "running"  # what a killed run leaves: the dashboard says stale
    p = child(["train", "--resume", "r"], runs)
    assert p.wait(timeout=300) == 0, p.stderr.read()
    assert_complete(runs / "r", EPOCH)
    final = load_file(Run(runs / "r").checkpoints()[-1])
    for key in ("G.main.0.weight", "D.main.9.weight", "opt_g.0.exp_avg_sq"):
        assert torch.equal(final[key], uninterrupted[key])  # bitwise the uninterrupted run


def fingerprint(path):
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("flags, message", [
    (["--lr-g", "-0.1"], "setting 'lr_g' must be positive"),
    (["--batch-size", "100000"], "batch_size 100000 is larger than dataset 'digits-300' (300 samples)"),
    (["--dataset", "mnist-5k"], "--dataset cannot change on --resume"),
    (["--set", "beta1=1.5"], "setting 'beta1' must be in [0, 1)"),
])
def test_bad_resume_input_changes_nothing(reg, runs, capsys, flags, message):
    t = trainer.new_run(reg, runs, {"model": "mlp-gan", "dataset": "digits-300", "device": "cpu", "name": "r"},
                        [{"epochs": 1, "checkpoint_every": 3}], progress=False)
    t.fit()
    Run(t.run.path).checkpoints()[-1].unlink()  # so that a resume would truncate rows, if it got that far
    before = fingerprint(t.run.path)
    code = cli.main(["train", "--resume", "r", "--runs-dir", str(runs), *flags])
    err = capsys.readouterr().err
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1
    assert fingerprint(t.run.path) == before


class Mismatch:
    @hookimpl
    def ganzoo_models(self):
        G = lambda: nn.Sequential(nn.Linear(100, 28 * 28), nn.Unflatten(1, (1, 28, 28)))
        return [ModelSpec("mismatch", "G makes 1x28x28, D wants 3x32x32", lambda s, hp: (G(), nn.Sequential(
            nn.Flatten(), nn.Linear(3 * 32 * 32, 1))), shape=(1, 28, 28))]


def test_g_and_d_that_do_not_fit_are_refused_before_a_run_exists(reg, runs):
    from ganzoo import registry
    reg = registry.load(extra={"mismatch": Mismatch()})
    with pytest.raises(ConfigError, match=r"model 'mismatch' from plugin 'mismatch' .*D cannot take G's samples of "
                                          r"shape \(1, 28, 28\)"):
        trainer.new_run(reg, runs, {"model": "mismatch", "dataset": "digits-300", "device": "cpu", "name": "m"},
                        [{}], progress=False)
    assert not (runs / "m").exists()


def test_unwritable_runs_directory_is_a_clear_error(reg, tmp_path, capsys):
    (tmp_path / "a-file").write_text("not a directory")
    code = cli.main(["train", "--model", "mlp-gan", "--dataset", "digits-300", "--runs-dir", str(tmp_path / "a-file")])
    err = capsys.readouterr().err
    assert code == 1 and "choose a writable --runs-dir" in err and "Traceback" not in err
    if os.geteuid() != 0:  # root writes anywhere, so only others can see the read-only case
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
        code = cli.main(["train", "--model", "mlp-gan", "--dataset", "digits-300", "--runs-dir", str(ro / "runs")])
        assert code == 1 and "Permission denied" in capsys.readouterr().err


def test_a_failed_write_leaves_a_clear_error_and_no_half_run(reg, tmp_path, capsys, monkeypatch):
    import ganzoo.runstore as rs

    def full(path, data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(rs, "atomic_write", full)
    code = cli.main(["train", "--model", "mlp-gan", "--dataset", "digits-300", "--runs-dir", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 1 and "No space left on device" in err and "Traceback" not in err


class WrongShape:
    @hookimpl
    def ganzoo_models(self):
        G = lambda: nn.Sequential(nn.Linear(100, 784), nn.Unflatten(1, (1, 28, 28)))
        return [ModelSpec("wrong-shape", "spec says 3x32x32, G makes 1x28x28",
                          lambda s, hp: (G(), nn.Sequential(nn.Flatten(), nn.Linear(784, 1))), shape=(3, 32, 32))]


def test_g_whose_samples_disagree_with_its_spec_is_refused(runs):
    from ganzoo import registry
    reg = registry.load(extra={"wrong-shape": WrongShape()})
    with pytest.raises(ConfigError, match=r"G makes samples of shape \(1, 28, 28\), but the spec says \(3, 32, 32\)"):
        trainer.new_run(reg, runs, {"model": "wrong-shape", "dataset": "folder:/nonexistent-but-unused", "device": "cpu",
                                    "name": "w"}, [{}], progress=False)


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory):
    from PIL import Image

    d = tmp_path_factory.mktemp("images")
    Image.new("L", (40, 17)).save(d / "odd-sized.png")
    (d / "broken.png").write_bytes(b"not a png")
    return d


@pytest.fixture(scope="module")
def kept_runs(tmp_path_factory):
    """A runs directory holding one finished run, which bad input must leave alone."""
    from ganzoo import registry

    from .conftest import TestData

    runs = tmp_path_factory.mktemp("kept") / "runs"
    reg = registry.load(extra={"test-data": TestData()})
    trainer.new_run(reg, runs, {"model": "mlp-gan", "dataset": "digits-300", "device": "cpu", "name": "keep"},
                    [{"epochs": 1, "eval_every": 0}], progress=False).fit()
    return runs


@pytest.mark.parametrize("flags, message", [
    (["--lr-d", "-1"], "setting 'lr_d' must be positive, got -1.0"),
    (["--batch-size", "100000"], "batch_size 100000 is larger than dataset 'digits-300' (300 samples); "
                                 "use --batch-size 300 or less"),
    (["--model", "mlp2d"], "dataset 'digits-300' holds samples of shape (1, 28, 28) but the model wants (2,)"),
    (["--dataset", "FOLDER"], "broken.png"),
    (["--model", "mismatch"], "D cannot take G's samples of shape (1, 28, 28)"),
])
def test_bad_new_run_input_is_refused_before_training_and_leaves_other_runs_alone(
        reg, kept_runs, capsys, monkeypatch, bad_folder, flags, message):
    from ganzoo import registry

    runs = kept_runs
    before = fingerprint(runs)
    loaded = registry.load
    monkeypatch.setattr(registry, "load", lambda disabled=(), extra=None: loaded(disabled, {"mismatch": Mismatch()}))
    args = ["train", "--model", "mlp-gan", "--dataset", "digits-300", "--runs-dir", str(runs), "--name", "bad"]
    args += [f"folder:{bad_folder}" if f == "FOLDER" else f for f in flags]
    code = cli.main(args)
    err = capsys.readouterr().err
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1, err
    assert fingerprint(runs) == before  # no new run, and not a byte of the old one changed
