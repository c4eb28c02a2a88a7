"""Every diversity statistic scores real held-out data as healthy and a collapsed
generator as collapsed, in the direction each number is meant to move."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from ganzoo_plugins import digit_classifier
from ganzoo_plugins.datasets import load_mnist_5k
from ganzoo_plugins.mixtures import grid_means, mixture_stats, ring_means, sample_mixture

from ganzoo import cli
from ganzoo.diversity import Reference, class_coverage, frechet_distance, kmeans, ndb, prdc


@pytest.fixture(scope="module")
def digits():
    d = load_mnist_5k(None, None, None)
    x = d.x.float() / 127.5 - 1
    train, held = digit_classifier.holdout(d.labels)
    ref = Reference.build(x[train], d.labels[train], digit_classifier.load(), n_classes=10, max_n=2000)
    held_x, held_y = x[held], d.labels[held]
    ones = held_x[held_y == 1]
    return {
        "ref": ref,
        "real": ref.evaluate(held_x),
        "one_class": ref.evaluate(ones[torch.randint(len(ones), (1000,), generator=torch.Generator().manual_seed(0))]),
        "one_image": ref.evaluate(held_x[:1].repeat(1000, 1, 1, 1)),
        "noise": ref.evaluate(torch.rand(1000, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1),
        "held": (held_x, held_y),
    }


def test_classifier_is_accurate_on_digits_it_never_saw(digits):
    x, y = digits["held"]
    with torch.no_grad():
        acc = (digit_classifier.load()(x).argmax(1) == y).float().mean().item()
    assert acc >= 0.97


def test_modes_covered_and_kl(digits):
    real, one_class, one_image = digits["real"], digits["one_class"], digits["one_image"]
    assert real["modes_covered"] == 10 and real["kl_classes"] < 0.02
    assert one_class["modes_covered"] <= 2 and one_class["kl_classes"] > 2.0
    assert one_image["modes_covered"] == 1 and one_image["kl_classes"] == pytest.approx(math.log(10), abs=0.1)


def test_fd_digits(digits):
    assert digits["real"]["fd_digits"] < 5
    assert digits["one_class"]["fd_digits"] > 20 * digits["real"]["fd_digits"]
    assert digits["noise"]["fd_digits"] > digits["one_class"]["fd_digits"]


def test_ndb_k(digits):
    assert digits["real"]["ndb_k"] <= 0.15  # about alpha for matching distributions
    assert digits["one_class"]["ndb_k"] >= 0.8 and digits["one_image"]["ndb_k"] >= 0.9


def test_precision_recall_density_coverage(digits):
    real, one_class, noise = digits["real"], digits["one_class"], digits["noise"]
    assert real["precision"] > 0.8 and real["recall"] > 0.8 and real["coverage"] > 0.8
    assert 0.8 < real["density"] < 1.2
    # Collapse shows in recall and coverage; precision (fidelity) stays high.
    assert one_class["recall"] < 0.1 and one_class["coverage"] < 0.15 and one_class["precision"] > 0.8
    # Samples off the data manifold have neither fidelity nor diversity.
    assert noise["precision"] < 0.05 and noise["density"] < 0.05


def test_diversity_ratio(digits):
    assert digits["real"]["diversity_ratio"] == pytest.approx(1, abs=0.05)
    assert digits["one_image"]["diversity_ratio"] < 0.01
    assert digits["one_class"]["diversity_ratio"] < 0.8


def test_plain_functions_on_toy_data():
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(2000, 8, generator=gen), torch.randn(2000, 8, generator=gen)
    assert frechet_distance(a, b) < 0.1
    assert frechet_distance(a + 3, b) == pytest.approx(8 * 9, rel=0.05)  # ||mu||^2 = 8 * 3^2
    assert class_coverage(torch.zeros(100, dtype=torch.long), torch.arange(10).repeat(10), 10) == \
        {"modes_covered": 1.0, "kl_classes": pytest.approx(math.log(10))}
    centroids = kmeans(b, 10)
    assert ndb(a, b, centroids) <= 0.2 and ndb(a[:, :1].repeat(1, 8), b, centroids) >= 0.5
    same = prdc(a, b)
    assert same["coverage"] == pytest.approx(1 - 2 ** -5, abs=0.05) and same["density"] == pytest.approx(1, abs=0.15)


@pytest.mark.parametrize("make_means, std", [(ring_means, 0.01), (grid_means, 0.05)])
def test_mixture_statistics(make_means, std):
    means = make_means()
    k = len(means)
    real, _ = sample_mixture(means, std, 2500, seed=1)
    healthy = mixture_stats(real, means, std)
    assert healthy["modes_captured"] == k and healthy["high_quality"] > 0.97 and healthy["reverse_kl"] < 0.05
    one_mode = means[:1] + std * torch.randn(2500, 2)
    collapsed = mixture_stats(one_mode, means, std)
    assert collapsed["modes_captured"] == 1 and collapsed["reverse_kl"] == pytest.approx(math.log(k), abs=1e-6)
    off = mixture_stats(real + 10 * std, means, std)  # every sample between modes
    assert off["high_quality"] < 0.01 and off["modes_captured"] <= 1


def test_ring_has_eight_distinct_modes():
    means = ring_means()
    assert torch.cdist(means, means).add(torch.eye(8)).min() > 0.7  # not linspace(0, 2pi, 8)


def test_eval_command_on_saved_samples(reg, tmp_path, capsys):
    d = load_mnist_5k(None, None, None)
    _, held = digit_classifier.holdout(d.labels)
    np.save(tmp_path / "real.npy", (d.x[held].float() / 127.5 - 1).numpy())
    np.save(tmp_path / "ones.npy", (d.x[held][:1].float().repeat(300, 1, 1, 1) / 127.5 - 1).numpy())
    assert cli.main(["eval", "--samples", str(tmp_path / "real.npy"), "--dataset", "mnist-5k", "--json"]) == 0
    real = json.loads(capsys.readouterr().out)["statistics"]
    assert cli.main(["eval", "--samples", str(tmp_path / "ones.npy"), "--dataset", "mnist-5k"]) == 0
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if line.startswith("modes_covered"))
    assert real["modes_covered"] == 10 and row.split()[1] == "1"
    assert cli.main(["eval", "--samples", str(tmp_path / "real.npy")]) == 1
    assert "needs --dataset" in capsys.readouterr().err
