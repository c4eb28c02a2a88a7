"""Datasets: the shipped subset, torchvision's MNIST offline, folders of images."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ganzoo_plugins.datasets import write_idx
from PIL import Image

from ganzoo import cli, data
from ganzoo.errors import DataError


def test_mnist_5k_ships_500_real_digits_per_class(reg):
    _, d = data.load(reg, "mnist-5k", None, (1, 28, 28))
    assert d.x.shape == (5000, 1, 28, 28) and d.x.dtype == torch.uint8
    assert torch.bincount(d.labels).tolist() == [500] * 10
    assert d.x.float().mean() > 20  # real strokes, not blank images
    x = data.as_model_input(d.x, torch.device("cpu"))
    assert x.min() == -1 and x.max() == 1  # ToTensor + Normalize(0.5, 0.5)


def test_offline_mnist_fails_with_one_sentence_naming_where_to_put_the_files(reg, tmp_path, capsys):
    with pytest.raises(DataError, match=r"place its four unzipped IDX files .* or pass --data-root"):
        data.load(reg, "mnist", str(tmp_path), (1, 28, 28))
    code = cli.main(["train", "--model", "mlp-gan", "--dataset", "mnist", "--data-root", str(tmp_path),
                     "--runs-dir", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(tmp_path / "MNIST" / "raw") in err
    assert not (tmp_path / "runs").exists()  # nothing was created for a run that cannot start


def test_mnist_loads_through_torchvision_from_idx_files(reg, tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (30, 28, 28), dtype=np.uint8)
    labels = np.arange(30) % 10
    for prefix in ("train", "t10k"):
        write_idx(tmp_path / "MNIST" / "raw", images, labels, prefix)
    _, d = data.load(reg, "mnist", str(tmp_path), (1, 28, 28))
    assert torch.equal(d.x[:, 0], torch.from_numpy(images)) and d.labels.tolist() == labels.tolist()


def test_folder_of_odd_sized_images_is_resized_to_the_model_shape(reg, tmp_path):
    for i, size in enumerate([(50, 30), (28, 28), (7, 90)]):
        Image.new("RGB", size, (255, 0, 0)).save(tmp_path / f"{i}.png")
    _, d = data.load(reg, f"folder:{tmp_path}", None, (1, 28, 28))
    assert d.x.shape == (3, 1, 28, 28) and d.labels is None
    _, d = data.load(reg, f"folder:{tmp_path}", None, (3, 16, 16))
    assert d.x.shape == (3, 3, 16, 16) and (d.x[:, 0] == 255).all() and (d.x[:, 1] == 0).all()


def test_folder_subdirectories_become_classes(reg, tmp_path):
    for cls in ("cats", "dogs"):
        (tmp_path / cls).mkdir()
        Image.new("L", (10, 10)).save(tmp_path / cls / "a.png")
    _, d = data.load(reg, f"folder:{tmp_path}", None, (1, 28, 28))
    assert d.classes == ("cats", "dogs") and d.labels.tolist() == [0, 1]


@pytest.mark.parametrize("name, message", [
    ("nope", "unknown dataset 'nope'; valid: .*mnist-5k"),
    ("folder", "needs an argument: folder:PATH"),
    ("mnist-5k:x", "takes no argument"),
    ("folder:/does/not/exist", "is not a directory"),
])
def test_bad_dataset_names_get_clear_errors(reg, name, message):
    with pytest.raises(DataError, match=message):
        data.load(reg, name, None, (1, 28, 28))


def test_unreadable_image_in_a_folder_is_named(reg, tmp_path):
    Image.new("L", (10, 10)).save(tmp_path / "ok.png")
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="bad.png"):
        data.load(reg, f"folder:{tmp_path}", None, (1, 28, 28))
