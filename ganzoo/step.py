"""The seed's training step: one D step on a real and a fake batch, then one G step on a
fresh z. A model with other needs passes its own step in its ModelSpec."""

import torch

from .hookspecs import StepContext


def adversarial_step(ctx: StepContext, real: torch.Tensor) -> dict[str, torch.Tensor]:
    n, loss = real.shape[0], ctx.loss
    if ctx.num_classes:  # a conditional model: G(z, y), D(x, y); fakes get random labels
        y = ctx.labels if ctx.labels is not None else ctx.sample_labels(n)
        y_fake, y_gen = ctx.sample_labels(n), ctx.sample_labels(n)
        G = lambda z, y: ctx.G(z, y)
        D = lambda x, y: ctx.D(x, y)
    else:  # the seed's: no labels, and no random numbers drawn for them
        y = y_fake = y_gen = None
        G = lambda z, y: ctx.G(z)
        D = lambda x, y: ctx.D(x)

    # D step. The fake is made without a graph through G: the seed backpropagates D's loss
    # into G too and then throws those gradients away, so skipping it is the same maths.
    with torch.no_grad():
        fake = G(ctx.sample_z(n), y_fake)
    d_real, d_fake = D(real, y), D(fake, y_fake)
    d_loss = loss.d_loss(d_real, d_fake)
    ctx.opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    ctx.opt_d.step()

    # G step on a fresh z. D's parameter gradients are not needed here: switching them off
    # saves their computation without changing G's gradient.
    ctx.D.requires_grad_(False)
    try:
        d_gen = D(G(ctx.sample_z(n), y_gen), y_gen)
        g_loss = loss.g_loss(d_gen)
        ctx.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        ctx.opt_g.step()
    finally:
        ctx.D.requires_grad_(True)

    d_real, d_fake = d_real.detach(), d_fake.detach()
    return {
        "d_loss": d_loss.detach(),
        "g_loss": g_loss.detach(),
        "d_real": d_real.mean(),
        "d_fake": d_fake.mean(),
        # The seed notebooks' discriminator accuracy: true positives on real, true
        # negatives on fake, with D's output read as a probability.
        "d_tpr": (d_real > 0.5).float().mean(),
        "d_tnr": (d_fake < 0.5).float().mean(),
    }
