"""Diversity statistics of a generator against its dataset, for the trainer and `ganzoo eval`."""

from __future__ import annotations

import torch
from torch import nn

from .diversity import Reference
from .hookspecs import Data, DatasetSpec

EVAL_SEED = 1234  # the same z at every evaluation, so that values are comparable over time


def reference(spec: DatasetSpec, data: Data, x: torch.Tensor, max_n: int = 2000) -> Reference:
    """The real side of the statistics for dataset ``spec``; ``x`` is ``data.x`` as model
    input on the device. Label statistics need both labels and the dataset's classifier."""
    # Building the classifier initialises layers from the global RNG before its weights are
    # loaded: fork the RNG so that switching the statistics on leaves training unchanged.
    with torch.random.fork_rng(devices=[]):
        classifier = spec.classifier() if spec.classifier is not None and data.labels is not None else None
    return Reference.build(x, data.labels, classifier, n_classes=len(data.classes), extra=spec.metrics, max_n=max_n)


@torch.no_grad()
def generate(G: nn.Module, latent_dim: int, n: int, device: torch.device, seed: int = EVAL_SEED,
             batch: int = 1024, num_classes: int = 0, label: int | None = None) -> torch.Tensor:
    """``n`` samples from G in eval mode, from z drawn by a generator of its own (so the
    training RNG is untouched and a resumed run stays bitwise equal). A conditional G
    (``num_classes`` > 0) gets ``label`` for every sample, or balanced labels 0, 1, ...,
    num_classes - 1, 0, 1, ... when ``label`` is None."""
    gen = torch.Generator(device=device).manual_seed(seed)
    was_training = G.training
    G.eval()

    def labels(i: int, m: int) -> tuple[torch.Tensor, ...]:
        if not num_classes:
            return ()
        if label is not None:
            return (torch.full((m,), label, dtype=torch.long, device=device),)
        return (torch.arange(i, i + m, device=device) % num_classes,)

    try:
        return torch.cat([G(torch.randn(m, latent_dim, generator=gen, device=device), *labels(i, m))
                          for i in range(0, n, batch) for m in [min(batch, n - i)]])
    finally:
        G.train(was_training)
