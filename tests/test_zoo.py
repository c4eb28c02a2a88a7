"""The zoo's plugins (wgan-gp, cgan, ebgan, began, vae), the loss and pack settings and
conditional sampling, each trained for a few steps on 300 digits."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from ganzoo_plugins import wgan_gp
from PIL import Image

from ganzoo import checkpoint, cli, registry, trainer
from ganzoo.errors import ConfigError
from ganzoo.hookspecs import Data, DatasetSpec, hookimpl
from ganzoo.losses import HINGE, LSGAN
from ganzoo.runstore import Run

ZOO = ["wgan-gp", "cgan", "ebgan", "began", "vae"]


def start(reg, runs, model, name=None, **settings):
    settings = {"epochs": 2, "log_every": 5, "eval_every": 0} | settings
    return trainer.new_run(reg, runs, {"model": model, "dataset": "digits-300", "device": "cpu",
                                       "name": name or model}, [settings], progress=False)


def per_step(run_path, name):
    df = Run(run_path).scalars()
    return df[df.name == name].sort_values("step").value.to_numpy()


# What each model must show after 10 steps on 300 digits: its own scalars, all finite, and
# a change that only training makes.
LEARNS = {
    "wgan-gp": (["wasserstein", "gp", "d_loss", "g_loss"], "wasserstein", "rises"),  # the critic separates
    "cgan": (["d_loss", "g_loss", "d_real", "d_fake"], "d_real", "rises"),  # D tells real from fake
    "ebgan": (["e_real", "e_fake", "margin_loss", "pt"], "e_real", "falls"),  # D reconstructs real digits
    "began": (["k", "convergence", "l_real", "l_fake"], "k", "rises"),  # equilibrium control moves k
    "vae": (["loss", "recon", "kl"], "loss", "falls"),  # the negative ELBO
}


@pytest.mark.parametrize("model", ZOO)
def test_each_zoo_model_trains_and_logs_its_own_scalars(reg, runs, model):
    t = start(reg, runs, model)
    g0 = [p.detach().clone() for p in t.G.parameters()]
    d0 = [p.detach().clone() for p in t.D.parameters()]
    t.fit()
    assert any(not torch.equal(a, p) for a, p in zip(g0, t.G.parameters())), "G did not change"
    assert any(not torch.equal(a, p) for a, p in zip(d0, t.D.parameters())), "D did not change"
    names, watched, direction = LEARNS[model]
    for name in names:
        values = per_step(t.run.path, name)
        assert len(values) and np.isfinite(values).all(), name
    v = per_step(t.run.path, watched)
    assert len(v) == 10
    first, last = v[:2].mean(), v[-2:].mean()
    assert (last > first) if direction == "rises" else (last < first), (watched, v)


def test_wgan_gp_steps_g_every_n_critic_steps(reg, runs):
    t = start(reg, runs, "wgan-gp", epochs=2, n_critic=3)
    t.fit()
    steps = Run(t.run.path).scalars().query("name == 'g_loss'").step.tolist()
    assert steps == [1, 4, 7, 10]  # steps 0, 3, 6, 9, logged one later
    # Critic without sigmoid: its scores are not confined to (0, 1).
    assert not isinstance(list(t.D.modules())[-1], torch.nn.Sigmoid)


def test_gradient_penalty_is_zero_for_a_unit_slope_critic():
    lin = torch.nn.Linear(784, 1, bias=False)
    with torch.no_grad():
        lin.weight.copy_(torch.nn.functional.normalize(torch.randn(1, 784), dim=1))
    D = torch.nn.Sequential(torch.nn.Flatten(), lin)
    G = torch.nn.Sequential(torch.nn.Linear(4, 784), torch.nn.Unflatten(1, (1, 28, 28)))
    from ganzoo.hookspecs import StepContext
    from ganzoo.losses import BCE
    ctx = StepContext(G, D, torch.optim.SGD(G.parameters(), 0.0), torch.optim.SGD(D.parameters(), 0.0), BCE, 4,
                      {"gp_weight": 10.0, "n_critic": 5}, 1, torch.device("cpu"))
    out = wgan_gp.wgan_gp_step(ctx, torch.randn(8, 1, 28, 28))
    assert out["gp"] < 1e-10  # ‖∇D‖ = 1 everywhere
    lin.weight.data *= 3
    assert wgan_gp.wgan_gp_step(ctx, torch.randn(8, 1, 28, 28))["gp"] == pytest.approx(4.0, rel=1e-4)


def test_began_keeps_k_in_its_checkpoint(reg, runs):
    t = start(reg, runs, "began")
    t.fit()
    ck = checkpoint.load(Run(t.run.path).checkpoints()[-1])
    assert float(ck.tensors["D.k"]) == float(t.D.k) > 0
    assert float(t.D.k) == pytest.approx(per_step(t.run.path, "k")[-1])


# -- conditional ------------------------------------------------------------------------


def test_cgan_sample_label_conditions_g_and_grids_have_a_row_per_class(reg, runs, tmp_path, capsys):
    t = start(reg, runs, "cgan")
    t.fit()
    # The fixed-z grid: ten rows (one per class) of five, the same z down each column.
    grid = Image.open(Run(t.run.path).samples()[-1][1])
    expected = Image.open(io.BytesIO(_grid(torch.zeros(50, 1, 28, 28), 5)))
    assert grid.size == expected.size and grid.size[1] > 1.9 * grid.size[0]
    out = {}
    for label in (3, 7):
        path = tmp_path / f"s{label}.npy"
        assert cli.main(["sample", "cgan", "--runs-dir", str(runs), "--label", str(label), "--n", "16",
                         "--seed", "5", "--out", str(path)]) == 0
        out[label] = np.load(path)
    assert "of class 7" in capsys.readouterr().out
    # G receives the label: the same z (same seed) with another label gives other samples,
    # and --label 7 is exactly G(z, 7). (Ten steps do not teach G to draw a seven; whether a
    # longer run does is measured by benchmarks/zoo_table.py, not asserted here.)
    assert np.abs(out[3] - out[7]).mean() > 1e-3
    gen = torch.Generator().manual_seed(5)
    z = torch.randn(16, 100, generator=gen)
    t.G.eval()
    with torch.no_grad():
        direct = t.G(z, torch.full((16,), 7)).numpy()
    assert np.allclose(direct, out[7], atol=1e-6)
    # ganzoo eval draws balanced labels from a conditional G.
    assert cli.main(["eval", "cgan", "--runs-dir", str(runs), "--n", "100", "--json"]) == 0
    assert '"modes_covered"' in capsys.readouterr().out


class SpyD(torch.nn.Module):
    """A conditional D that records what it is called with."""

    def __init__(self):
        super().__init__()
        self.lin, self.calls = torch.nn.Linear(784 + 1, 1), []

    def forward(self, x, y):
        self.calls.append((x.detach().clone(), y.clone()))
        return torch.sigmoid(self.lin(torch.cat([x.flatten(1), y[:, None].float()], 1)))


class SpyG(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(8 + 1, 784)

    def forward(self, z, y):
        return torch.tanh(self.lin(torch.cat([z, y[:, None].float()], 1))).view(-1, 1, 28, 28)


class Spies:
    @hookimpl
    def ganzoo_models(self):
        from ganzoo.hookspecs import ModelSpec
        return [ModelSpec("spy-cond", "records D's inputs", lambda s, hp: (SpyG(), SpyD()), latent_dim=8,
                          conditional=True, defaults={"num_classes": 10})]


def test_default_step_gives_d_each_real_digit_with_its_own_label(runs):
    from tests.conftest import TestData
    reg = registry.load(extra={"spies": Spies(), "test-data": TestData()})
    t = trainer.new_run(reg, runs, {"model": "spy-cond", "dataset": "digits-300", "device": "cpu"},
                        [{"epochs": 1, "eval_every": 0}], progress=False)
    t.D.calls.clear()  # build_models' check called it with label 0
    t.fit()
    reals = t.D.calls[0::3]  # each step: D(real, y), D(fake, y_fake), D(G(z), y_gen)
    assert len(reals) == 5
    for x, y in reals:
        idx = [int((t.x.flatten(1) == row).all(1).nonzero()[0]) for row in x.flatten(1)]
        assert torch.equal(y, t.y[idx])  # the batch's own labels
    fake_labels = torch.cat([y for _, y in t.D.calls[1::3]])
    assert len(fake_labels.unique()) > 5  # fakes get random labels over all classes


def _grid(x, nrow):
    from ganzoo.images import grid_png
    return grid_png(x, nrow)


def test_sample_label_errors(reg, runs, tmp_path, capsys):
    start(reg, runs, "cgan", epochs=1).fit()
    start(reg, runs, "vae", epochs=1).fit()
    out = str(tmp_path / "s.npy")
    assert cli.main(["sample", "cgan", "--runs-dir", str(runs), "--label", "10", "--out", out]) == 1
    assert "--label must be in 0..9" in capsys.readouterr().err
    assert cli.main(["sample", "vae", "--runs-dir", str(runs), "--label", "1", "--out", out]) == 1
    assert "needs a conditional model" in capsys.readouterr().err


class Unlabelled:
    @hookimpl
    def ganzoo_datasets(self):
        return [DatasetSpec("blank-64", "64 blank images, no labels", lambda a, r, s: Data(torch.zeros(64, 1, 28, 28)))]


def test_conditional_model_needs_labelled_data(runs):
    reg = registry.load(extra={"unlabelled": Unlabelled()})
    with pytest.raises(ConfigError, match="conditional and needs labelled data.*'blank-64' has no labels"):
        trainer.new_run(reg, runs, {"model": "cgan", "dataset": "blank-64", "device": "cpu"}, [{}], progress=False)
    assert not runs.exists()  # nothing half-made left behind


# -- the loss setting -------------------------------------------------------------------


def test_lsgan_and_hinge_act_on_the_logit_behind_the_sigmoid():
    # float32 sigmoids of scores past ~8 keep few digits of 1 - p: compare to 1e-3.
    s_real, s_fake = torch.randn(64) * 3, torch.randn(64) * 3
    p_real, p_fake = torch.sigmoid(s_real), torch.sigmoid(s_fake)
    close = dict(rtol=1e-3, atol=1e-4)
    torch.testing.assert_close(HINGE.d_loss(p_real, p_fake),
                               torch.relu(1 - s_real).mean() + torch.relu(1 + s_fake).mean(), **close)
    torch.testing.assert_close(LSGAN.d_loss(p_real, p_fake),
                               0.5 * ((s_real - 1) ** 2).mean() + 0.5 * (s_fake**2).mean(), **close)
    torch.testing.assert_close(LSGAN.g_loss(p_fake), 0.5 * ((s_fake - 1) ** 2).mean(), **close)
    # The gradient reaches the pre-sigmoid score unsaturated, even where D is sure.
    s = torch.tensor([-15.0], requires_grad=True)
    HINGE.g_loss(torch.sigmoid(s)).backward()
    assert s.grad.item() == pytest.approx(-1.0, rel=1e-3)


@pytest.mark.parametrize("loss", ["lsgan", "hinge"])
def test_any_default_step_model_can_pick_a_loss(reg, runs, loss):
    t = start(reg, runs, "mlp-gan", name=loss, epochs=1, loss=loss)
    assert t.ctx.loss.name == loss
    t.fit()
    d = per_step(t.run.path, "d_loss")
    assert len(d) == 5 and np.isfinite(d).all()
    assert Run(t.run.path).config()["settings"]["loss"] == loss


def test_loss_setting_is_validated(reg, runs):
    with pytest.raises(ConfigError, match="setting 'loss' must be one of '', 'bce', 'lsgan', 'hinge'"):
        start(reg, runs, "mlp-gan", loss="wasserstein")
    with pytest.raises(ConfigError, match="'ebgan' trains with its own step"):
        start(reg, runs, "ebgan", loss="hinge")


# -- packing ----------------------------------------------------------------------------


def test_pack_makes_any_any_shape_models_d_judge_m_samples_at_once(reg, runs):
    t = start(reg, runs, "mlp-gan", epochs=1, pack=3)
    assert t.D.main[0].in_features == 3 * 784  # built for 3 stacked images
    with torch.no_grad():
        assert t.D(torch.zeros(60, 1, 28, 28)).shape == (20, 1)
        # One pack is its three samples side by side along the channels.
        x = torch.randn(3, 1, 28, 28)
        t.D.eval()
        torch.testing.assert_close(t.D(x), t.D.main(torch.cat([x[0], x[1], x[2]]).flatten()[None]))
    t.fit()
    assert len(per_step(t.run.path, "d_loss")) == 5
    assert Run(t.run.path).checkpoints()[-1].exists()


def test_pack_refuses_models_that_cannot_be_packed(reg, runs):
    with pytest.raises(ConfigError, match="'dcgan' cannot be packed.*takes only its own shape"):
        start(reg, runs, "dcgan", pack=2)
    with pytest.raises(ConfigError, match="'cgan' cannot be packed.*conditional"):
        start(reg, runs, "cgan", pack=2)
    with pytest.raises(ConfigError, match="setting 'pack' must be at least 1"):
        start(reg, runs, "mlp-gan", pack=0)


def test_models_lists_every_model_on_one_line(reg, capsys):
    assert cli.main(["models"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 + len(reg.models)
    for name in [*ZOO, "mlp-gan", "dcgan", "mlp2d"]:
        assert sum(line.split()[0] == name for line in lines) == 1


def test_cgan_learns_to_draw_the_asked_digit(tmp_path):
    """20 epochs of mnist-5k (1,680 steps, ~30 s): the digit classifier reads samples drawn
    for label y as y well above chance (10%); 60 epochs reach 68% (see plugins/cgan.py)."""
    from ganzoo_plugins import digit_classifier

    from ganzoo import evaluate

    t = trainer.new_run(registry.load(), tmp_path, {"model": "cgan", "dataset": "mnist-5k", "device": "cpu",
                                                    "name": "c"}, [{"epochs": 20, "eval_every": 0}], progress=False)
    t.fit()
    clf = digit_classifier.load()
    hits = []
    for label in range(10):
        x = evaluate.generate(t.G, 100, 100, torch.device("cpu"), num_classes=10, label=label)
        with torch.no_grad():
            hits.append((clf.head(clf.features(x)).argmax(1) == label).float().mean().item())
    assert sum(hits) / 10 > 0.25, hits
