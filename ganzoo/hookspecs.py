"""The whole plugin contract of ganzoo.

A plugin is a module (or any object) with functions marked ``@hookimpl`` whose names are
the hooks below, registered through an entry point in the ``ganzoo`` group::

    [project.entry-points.ganzoo]
    my-gan = "my_package.my_gan"

Each hook returns a list of specs. The core validates every spec and attributes any
failure to the plugin and distribution that produced it, so one broken plugin never
takes the others down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy
import torch
from torch import nn

from .errors import DataError  # noqa: F401  (dataset plugins raise it)

hookspec = pluggy.HookspecMarker("ganzoo")
hookimpl = pluggy.HookimplMarker("ganzoo")

Shape = tuple[int, ...]


@dataclass
class StepContext:
    """What a training step may use. The trainer owns it; a step only reads it and
    steps the optimisers."""

    G: nn.Module
    D: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    loss: Loss
    latent_dim: int
    hparams: Mapping[str, Any]
    step: int  # global step about to run, counting from 0
    device: torch.device
    # Conditional models (ModelSpec.conditional): the real batch's labels, set by the
    # trainer every step, and the number of classes. None / 0 for the others.
    labels: torch.Tensor | None = None
    num_classes: int = 0

    def sample_z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.latent_dim, device=self.device)

    def sample_labels(self, n: int) -> torch.Tensor:
        """``n`` uniformly random class labels, for a conditional model's fakes."""
        return torch.randint(self.num_classes, (n,), device=self.device)


# A training step: (context, real batch in [-1, 1]) -> scalars to log, as 0-d tensors.
# Return tensors, not floats: the trainer syncs with the device only when it logs.
TrainStep = Callable[[StepContext, torch.Tensor], dict[str, torch.Tensor]]


@dataclass(frozen=True)
class Loss:
    """An adversarial loss: D's loss from its outputs on real and fake, G's from D's
    output on fake. ``d_real``/``d_fake`` are whatever D returns."""

    name: str
    d_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    g_loss: Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class ModelSpec:
    """A GAN: how to build its generator and discriminator, and how to train them.

    ``build(shape, hparams)`` returns ``(G, D)``: G maps ``(n, latent_dim)`` noise to
    ``(n, *shape)`` samples in [-1, 1]; D maps samples to one output per sample.
    ``defaults`` override the trainer's hyperparameters (batch_size, epochs, lr_g, lr_d,
    beta1, beta2) and declare any of the model's own (n_critic, ...), which users may then
    set by flag or config file. ``loss`` is used by the default step; a model whose
    training differs (critic iterations, penalties, extra scalars) gives ``train_step``.

    A ``conditional`` model (class-conditional, Mirza & Osindero 2014) is called as
    ``G(z, y)`` and ``D(x, y)`` with int64 labels ``y``; it trains only on datasets with
    labels, and declares ``num_classes`` in its defaults (labels run from 0 to
    num_classes - 1).
    """

    name: str
    description: str
    build: Callable[[Shape, Mapping[str, Any]], tuple[nn.Module, nn.Module]]
    shape: Shape = (1, 28, 28)
    any_shape: bool = False  # True: build() works for any data shape, not only `shape`
    latent_dim: int = 100
    defaults: Mapping[str, Any] = field(default_factory=dict)
    loss: Loss | None = None  # None: the seed's BCE with the non-saturating G loss
    train_step: TrainStep | None = None  # None: ganzoo.step.adversarial_step
    conditional: bool = False  # True: G(z, y) and D(x, y), trained on labelled data


@dataclass
class Data:
    """A dataset held as one tensor: ``x`` is uint8 in [0, 255] or float in [-1, 1],
    shaped ``(n, *shape)``; ``labels`` are int64 class indices, or None."""

    x: torch.Tensor
    labels: torch.Tensor | None = None
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset. ``load(arg, root, shape)`` returns a :class:`Data`. ``arg`` is the text
    after ``name:`` (``folder:PATH`` gives ``PATH``), or None; ``root`` is ``--data-root``;
    ``shape`` is the shape the model wants, for datasets that can resize. ``shape`` here
    is the dataset's native shape, or None when it takes the model's.

    For the diversity statistics a dataset may name a ``classifier``: a factory of an
    nn.Module with ``features(x) -> (n, d)`` and ``head(features) -> (n, classes)`` logits,
    trained on data like this one (labels then give modes covered and KL, features give the
    Fréchet distance and precision / recall / density / coverage). ``metrics(samples)``
    returns statistics of the dataset's own (the 2-D mixtures' modes captured)."""

    name: str
    description: str
    load: Callable[[str | None, str | None, Shape], Data]
    shape: Shape | None = (1, 28, 28)
    takes_arg: bool = False
    classifier: Callable[[], nn.Module] | None = None
    metrics: Callable[[torch.Tensor], dict[str, float]] | None = None


@hookspec
def ganzoo_models() -> list[ModelSpec]:
    """Return the GAN models this plugin contributes."""


@hookspec
def ganzoo_datasets() -> list[DatasetSpec]:
    """Return the datasets this plugin contributes."""
