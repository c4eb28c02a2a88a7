"""Sample grids as PNG and the training-progress GIF."""

import io
from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image
from torchvision.utils import make_grid


def to_pil_grid(samples: torch.Tensor, nrow: int) -> Image.Image:
    """A grid of ``(n, C, H, W)`` samples in [-1, 1]."""
    grid = make_grid(samples.detach().float().cpu(), nrow=nrow, padding=2, normalize=True,
                     value_range=(-1, 1), pad_value=1.0)
    array = grid.mul(255).add_(0.5).clamp_(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
    if array.shape[2] == 1:
        return Image.fromarray(array[:, :, 0], mode="L")
    return Image.fromarray(array)


def grid_png(samples: torch.Tensor, nrow: int) -> bytes:
    buf = io.BytesIO()
    to_pil_grid(samples, nrow).save(buf, format="PNG")
    return buf.getvalue()


def progress_gif(pngs: Sequence[Path], ms_per_frame: int = 200) -> bytes:
    """The seed's signature picture: every grid of a run, in order, as one animation."""
    frames = [Image.open(p).convert("L") for p in pngs]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:],
                   duration=ms_per_frame, loop=0)
    return buf.getvalue()


def scatter_png(points: torch.Tensor, real: torch.Tensor, size: int = 320) -> bytes:
    """2-D samples (black) over real data (grey), on the real data's bounding box."""
    from PIL import ImageDraw

    real, points = real.detach().float().cpu(), points.detach().float().cpu()
    lo, hi = real.min(0).values, real.max(0).values
    pad = (hi - lo).clamp_min(1e-6) * 0.15
    lo, span = lo - pad, (hi - lo) + 2 * pad

    def pixels(p):
        xy = (p - lo) / span * (size - 1)
        return [(float(x), float(size - 1 - y)) for x, y in xy]

    im = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(im)
    for x, y in pixels(real):
        draw.point((x, y), fill=190)
    for x, y in pixels(points):
        draw.ellipse((x - 1, y - 1, x + 1, y + 1), fill=0)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def is_image_shape(shape: Sequence[int]) -> bool:
    return len(shape) == 3 and shape[0] in (1, 3)
