"""The command line: training, sampling, listing, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from ganzoo import cli


def run_cli(args, capsys):
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def trained(reg, runs, capsys):
    code, out, _ = run_cli(["train", "--model", "mlp-gan", "--dataset", "digits-300", "--epochs", "1",
                            "--runs-dir", str(runs), "--name", "r1", "--no-progress"], capsys)
    assert code == 0
    return runs / "r1"


def test_train_then_runs_lists_it(trained, runs, capsys):
    code, out, _ = run_cli(["runs", "--runs-dir", str(runs)], capsys)
    assert code == 0 and "r1" in out and "finished" in out and "mlp-gan" in out


def test_sample_writes_npy_in_range_and_png_grid(trained, runs, tmp_path, capsys):
    code, _, _ = run_cli(["sample", "r1", "--n", "7", "--out", str(tmp_path / "s.npy"), "--runs-dir", str(runs)], capsys)
    assert code == 0
    x = np.load(tmp_path / "s.npy", allow_pickle=False)
    assert x.shape == (7, 1, 28, 28) and x.dtype == np.float32 and x.min() >= -1 and x.max() <= 1
    code, _, _ = run_cli(["sample", "r1", "--n", "9", "--out", str(tmp_path / "s.png"), "--runs-dir", str(runs)], capsys)
    assert code == 0
    assert Image.open(tmp_path / "s.png").size == (3 * 30 + 2, 3 * 30 + 2)


def test_sample_needs_neither_the_dataset_nor_the_config(trained, runs, tmp_path, capsys):
    (trained / "config.json").write_text("{}")  # the run stays findable, but its config says nothing
    code, _, err = run_cli(["sample", "r1", "--out", str(tmp_path / "s.npy"), "--runs-dir", str(runs),
                            "--disable-plugin", "test-data"], capsys)
    assert code == 0, err


def test_config_file_and_flags_set_hyperparameters(reg, runs, tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('model = "mlp-gan"\ndataset = "digits-300"\nepochs = 1\nlr_g = 1e-3\nbatch_size = 100\n')
    code, _, err = run_cli(["train", "--config", str(cfg), "--batch-size", "150", "--runs-dir", str(runs),
                            "--name", "c", "--no-progress"], capsys)
    assert code == 0, err
    import json
    settings = json.loads((runs / "c" / "config.json").read_text())["settings"]
    assert settings["lr_g"] == 1e-3 and settings["batch_size"] == 150 and settings["epochs"] == 1


@pytest.mark.parametrize("args, message", [
    (["train", "--model", "nope"], "unknown model 'nope'; valid: began, cgan, dcgan, ebgan, mlp-gan"),
    (["train", "--model", "mlp-gan", "--dataset", "nope"], "unknown dataset 'nope'; valid: "),
    (["train", "--model", "mlp-gan", "--lr-g", "-1"], "setting 'lr_g' must be positive, got -1.0"),
    (["train", "--model", "mlp-gan", "--set", "warp=9"], "unknown setting 'warp'; known: "),
    (["train", "--model", "mlp-gan", "--config", "/nonexistent.toml"], "config file /nonexistent.toml does not exist"),
    (["train", "--model", "mlp-gan", "--device", "cuda:0"], None),
    (["train", "--resume", "../../etc"], "outside the runs directory"),
    (["train", "--resume", "missing-run"], "no run 'missing-run'"),
    (["sample", "missing-run", "--out", "x.png"], "no run 'missing-run'"),
    (["sample", "r", "--out", "x.jpg"], "--out must end in .png"),
    (["train"], "--model is required; valid: "),
])
def test_bad_input_is_one_line_and_a_nonzero_exit(reg, runs, capsys, args, message):
    import torch
    if message is None:
        if torch.cuda.is_available():
            pytest.skip("a GPU is present")
        message = "sees no CUDA GPU; use --device cpu"
    code, _, err = run_cli([*args, "--runs-dir", str(runs)], capsys)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert not (runs.exists() and any(runs.iterdir()))


def test_unknown_flag_is_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["train", "--warp-speed"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and len(err.strip().splitlines()) == 1 and "--warp-speed" in err


@pytest.mark.parametrize("command", ["train", "plugins", "models", "datasets", "runs", "sample"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main([command, "--help"])
    assert e.value.code == 0 and "usage: ganzoo " + command in capsys.readouterr().out


def test_installed_console_script_reports_errors_without_traceback(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    p = subprocess.run([exe, "train", "--model", "nope", "--runs-dir", str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 1 and "unknown model 'nope'" in p.stderr and "Traceback" not in p.stderr
