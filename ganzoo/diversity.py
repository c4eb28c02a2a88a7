"""Mode-collapse statistics that need no download: each a plain, vectorised function of
generated samples (or their features) and a real reference set, run on their device.

`Reference` prepares what the real side needs once (features, bins, radii), and
`Reference.evaluate(samples)` gives every statistic that applies to the dataset.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

ALPHA = 0.05

# What a healthy and a collapsed value look like, for tables, the README and the dashboard.
GUIDE = {
    "modes_covered": ("all classes (10 for digits)", "few classes"),
    "kl_classes": ("about 0", "up to ln(classes): 2.30 for one digit class"),
    "fd_digits": ("about 1 (real vs real)", "100s"),
    "ndb_k": ("about 0.05 (alpha) or less", "close to 1"),
    "precision": ("about 0.9 (real vs real)", "high even when collapsed: a fidelity measure"),
    "recall": ("about 0.9 (real vs real)", "near 0"),
    "density": ("about 1", "far from 1"),
    "coverage": ("about 0.9 (real vs real)", "near 0"),
    "diversity_ratio": ("about 1", "near 0 (one repeated sample)"),
    "modes_captured": ("all modes (8 or 25)", "few modes"),
    "high_quality": ("about 0.99 (3 std)", "near 0: samples off every mode"),
    "reverse_kl": ("about 0", "up to ln(modes): 2.08 (ring8), 3.22 (grid25)"),
}


def class_coverage(gen_labels: torch.Tensor, real_labels: torch.Tensor, n_classes: int,
                   min_share: float = 0.01) -> dict[str, float]:
    """Modes covered: classes holding at least ``min_share`` of the samples; and
    KL(class histogram of samples || class histogram of the data), in nats.

    The label-based mode count of Che et al. 2017 ("Mode Regularized GANs") and the KL of
    Srivastava et al. 2017 (VEEGAN) and Lin et al. 2018 (PacGAN), with ganzoo's own
    classifier as the labeller. A generator making one class of balanced 10-class data
    scores 1 mode and KL = ln 10 = 2.30; a healthy one 10 and about 0.
    """
    p = torch.bincount(gen_labels, minlength=n_classes).double() / len(gen_labels)
    q = torch.bincount(real_labels, minlength=n_classes).double() / len(real_labels)
    nz = p > 0
    return {"modes_covered": float((p >= min_share).sum()),
            "kl_classes": float((p[nz] * (p[nz] / q[nz].clamp_min(1e-12)).log()).sum())}


def frechet_distance(f_gen: torch.Tensor, f_real: torch.Tensor) -> float:
    """||mu_g - mu_r||^2 + Tr(S_g + S_r - 2 (S_g S_r)^(1/2)) between Gaussians fitted to two
    feature sets (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule"), here
    in ganzoo's digit classifier's features, so it is named fd_digits, not FID.

    Tr((S_g S_r)^(1/2)) is the sum of the square roots of the eigenvalues of
    S_r^(1/2) S_g S_r^(1/2), a symmetric matrix, so only symmetric eigensolvers are needed.
    """
    a, b = f_gen.double(), f_real.double()
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.cov(a.T), torch.cov(b.T)
    w, v = torch.linalg.eigh(cov_b)
    sqrt_b = (v * w.clamp_min(0).sqrt()) @ v.T
    tr_sqrt = torch.linalg.eigvalsh(sqrt_b @ cov_a @ sqrt_b).clamp_min(0).sqrt().sum()
    return float((mu_a - mu_b).square().sum() + cov_a.trace() + cov_b.trace() - 2 * tr_sqrt)


def kmeans(x: torch.Tensor, k: int, iters: int = 30, seed: int = 0) -> torch.Tensor:
    """Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii 2007); returns centroids."""
    gen = torch.Generator(device="cpu").manual_seed(seed)
    x = x.flatten(1).float()
    centroids = x[torch.randint(len(x), (1,), generator=gen)]
    d2 = torch.cdist(x, centroids).square().min(1).values
    for _ in range(1, k):
        pick = torch.multinomial((d2 / d2.sum()).cpu(), 1, generator=gen).to(x.device)
        centroids = torch.cat([centroids, x[pick]])
        d2 = torch.minimum(d2, torch.cdist(x, x[pick]).square().flatten())
    for _ in range(iters):
        assign = torch.cdist(x, centroids).argmin(1)
        counts = torch.bincount(assign, minlength=k).unsqueeze(1)
        sums = torch.zeros_like(centroids).index_add_(0, assign, x)
        centroids = torch.where(counts > 0, sums / counts.clamp_min(1), centroids)
    return centroids


def ndb(gen: torch.Tensor, real: torch.Tensor, centroids: torch.Tensor, alpha: float = ALPHA) -> float:
    """NDB/K (Richardson & Weiss 2018, "On GANs and GMMs"): bin real and generated samples
    by their nearest k-means centroid (fitted on real data), two-proportion z-test per bin,
    and return the share of bins whose proportions differ at level ``alpha``. A model that
    matches the data scores about ``alpha``; a collapsed one close to 1."""
    k = len(centroids)
    n_g = torch.bincount(torch.cdist(gen.flatten(1).float(), centroids).argmin(1), minlength=k).double()
    n_r = torch.bincount(torch.cdist(real.flatten(1).float(), centroids).argmin(1), minlength=k).double()
    p_g, p_r = n_g / n_g.sum(), n_r / n_r.sum()
    pooled = (n_g + n_r) / (n_g.sum() + n_r.sum())
    se = (pooled * (1 - pooled) * (1 / n_g.sum() + 1 / n_r.sum())).sqrt()
    z = (p_g - p_r) / se.clamp_min(1e-12)
    z_crit = math.sqrt(2) * torch.special.erfinv(torch.tensor(1 - alpha, dtype=torch.float64)).item()
    return float((z.abs() > z_crit).double().mean())


def knn_radii(f: torch.Tensor, k: int) -> torch.Tensor:
    """Distance from each point to its k-th nearest other point of the same set."""
    return torch.cdist(f, f).kthvalue(k + 1, dim=1).values


def prdc(f_real: torch.Tensor, f_gen: torch.Tensor, k: int = 5,
         real_radii: torch.Tensor | None = None) -> dict[str, float]:
    """Precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall
    Metric for Assessing Generative Models"): the share of generated samples inside the
    real k-NN manifold, and of real samples inside the generated one. Density and coverage
    (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative Models"):
    how many real k-NN balls hold each generated sample, on average over k; and the share of
    real balls holding at least one generated sample. k = 5, as Naeem et al. For the same
    distribution density ~ 1 and coverage ~ 1 - 2^-k; a collapsed generator has low recall
    and coverage."""
    f_real, f_gen = f_real.float(), f_gen.float()
    r_real = knn_radii(f_real, k) if real_radii is None else real_radii
    r_gen = knn_radii(f_gen, k)
    d = torch.cdist(f_real, f_gen)  # (n_real, n_gen)
    inside_real = d <= r_real.unsqueeze(1)
    return {
        "precision": float(inside_real.any(0).double().mean()),
        "recall": float((d <= r_gen.unsqueeze(0)).any(1).double().mean()),
        "density": float(inside_real.double().sum() / (k * f_gen.shape[0])),
        "coverage": float((d.min(1).values <= r_real).double().mean()),
    }


def mean_pairwise_distance(x: torch.Tensor) -> float:
    x = x.flatten(1).float()
    n = len(x)
    return float(torch.cdist(x, x).sum() / (n * (n - 1)))


def diversity_ratio(gen: torch.Tensor, real: torch.Tensor) -> float:
    """Mean pairwise L2 distance among generated samples divided by the same among real
    ones (in the samples' own space; label-free). About 1 when healthy; near 0 when the
    generator repeats one sample. A simple label-free proxy in the spirit of the
    sample-diversity checks of Arora & Zhang 2017 ("Do GANs learn the distribution?")."""
    return mean_pairwise_distance(gen) / mean_pairwise_distance(real)


@dataclass
class Reference:
    """The real side of every statistic, computed once per run."""

    x: torch.Tensor  # real samples, model input space
    pair_dist: float
    centroids: torch.Tensor
    classifier: nn.Module | None = None
    labels: torch.Tensor | None = None
    n_classes: int = 0
    features: torch.Tensor | None = None
    radii: torch.Tensor | None = None
    extra: Callable[[torch.Tensor], dict[str, float]] | None = None
    k: int = 5

    @classmethod
    def build(cls, x: torch.Tensor, labels: torch.Tensor | None = None, classifier: nn.Module | None = None,
              n_classes: int = 0, extra=None, max_n: int = 2000, ndb_bins: int = 50, seed: int = 0) -> Reference:
        gen = torch.Generator().manual_seed(seed)
        idx = torch.randperm(len(x), generator=gen)[:max_n].to(x.device)
        x = x[idx]
        ref = cls(x=x, pair_dist=mean_pairwise_distance(x), centroids=kmeans(x, min(ndb_bins, len(x)), seed=seed),
                  extra=extra)
        if classifier is not None and labels is not None:
            classifier = classifier.to(x.device).eval()
            ref.classifier, ref.labels, ref.n_classes = classifier, labels.to(x.device)[idx], n_classes
            ref.features = _features(classifier, x)
            ref.radii = knn_radii(ref.features, ref.k)
        return ref

    @property
    def feature_space(self) -> str:
        return "digit classifier (ganzoo)" if self.classifier is not None else "samples"

    def evaluate(self, samples: torch.Tensor) -> dict[str, float]:
        out = {"ndb_k": ndb(samples, self.x, self.centroids),
               "diversity_ratio": mean_pairwise_distance(samples) / self.pair_dist}
        if self.classifier is not None:
            feats, pred = _features(self.classifier, samples, with_labels=True)
            out |= class_coverage(pred, self.labels, self.n_classes)
            out["fd_digits"] = frechet_distance(feats, self.features)
            out |= prdc(self.features, feats, self.k, self.radii)
        if self.extra is not None:
            out |= self.extra(samples)
        return out


@torch.no_grad()
def _features(classifier: nn.Module, x: torch.Tensor, with_labels: bool = False, batch: int = 1000):
    feats = torch.cat([classifier.features(x[i:i + batch]) for i in range(0, len(x), batch)])
    if with_labels:
        return feats, classifier.head(feats).argmax(1)
    return feats
