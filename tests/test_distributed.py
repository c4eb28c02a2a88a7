"""Data-parallel training: torchrun with two CPU processes (gloo), and the sharding rule."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import torch

from ganzoo import cli
from ganzoo.distributed import World
from ganzoo.runstore import Run

# 5,000 digits at batch 250: 20 steps an epoch, 125 samples per rank per step.
TRAIN = ["train", "--model", "mlp-gan", "--dataset", "mnist-5k", "--batch-size", "250", "--epochs", "1",
         "--log-every", "5", "--eval-every", "10", "--eval-samples", "100", "--no-progress"]


def torchrun(args, runs, nproc=2):
    env = dict(os.environ, GANZOO_RUNS=str(runs))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
           "-m", "ganzoo", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def test_shards_split_every_batch_without_overlap():
    idx = torch.arange(60)
    shards = [World(r, 3).shard(idx) for r in range(3)]
    assert torch.equal(torch.cat(shards), idx) and {len(s) for s in shards} == {20}
    tiny = [World(r, 4).shard(torch.arange(2)) for r in range(4)]
    assert all(len(s) == 1 for s in tiny)  # every rank steps, even on a last batch of 2
    assert torch.equal(World().shard(idx), idx)


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    p = torchrun([*TRAIN, "--name", "ddp"], runs)
    assert p.returncode == 0, p.stderr[-3000:]
    return runs, p


def test_torchrun_two_processes_both_step_and_rank_0_alone_writes(ddp_run):
    runs, p = ddp_run
    ranks = dict(re.findall(r"rank (\d) of 2: 20 steps, (\d+) samples", p.stderr))
    assert ranks == {"0": "2500", "1": "2500"}  # each trained on its half of every batch
    assert [d.name for d in runs.iterdir()] == ["ddp"]
    run = Run(runs / "ddp")
    df = run.scalars()
    for name in ("d_loss", "g_loss"):  # two writers would have logged every step twice
        assert df[df.name == name].step.tolist() == list(range(1, 21))
    assert not run.diversity().duplicated(["step", "name"]).any()
    assert [s for s, _ in run.samples()] == [20]
    assert [c.name for c in run.checkpoints()] == ["step-00000020.safetensors"]
    status = run.status()
    assert status["state"] == "finished" and "trained by 2 processes" in status["message"]
    assert json.loads((runs / "ddp" / "config.json").read_text())["processes"] == 2


def test_a_ddp_checkpoint_resumes_in_one_process(ddp_run, capsys):
    runs, _ = ddp_run
    assert cli.main(["train", "--resume", "ddp", "--epochs", "2", "--runs-dir", str(runs), "--no-progress"]) == 0
    run = Run(runs / "ddp")
    g = run.scalars(["g_loss"])
    assert g.step.tolist() == list(range(1, 41))  # continued from step 20, nothing twice
    assert run.config()["resumes"][-1]["processes"] == 1
    out = runs / "s.npy"
    assert cli.main(["sample", "ddp", "--n", "4", "--out", str(out), "--runs-dir", str(runs)]) == 0


def test_a_batch_that_does_not_split_stops_every_rank_before_a_run_exists(tmp_path):
    runs = tmp_path / "runs"
    p = torchrun([*TRAIN, "--batch-size", "61", "--name", "odd"], runs)
    assert p.returncode != 0
    assert "batch_size 61 does not split evenly over 2 processes; use a multiple of 2" in p.stderr
    assert "terminate called" not in p.stderr  # each rank left the process group cleanly
    assert not re.search(r'File ".*/ganzoo/', p.stderr)  # no traceback from ganzoo (torchrun prints its own)
    assert not (runs / "odd").exists()
