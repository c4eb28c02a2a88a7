"""Plugin discovery through entry points, and isolation of broken plugins."""

from __future__ import annotations

import textwrap

import pytest

from ganzoo import cli, registry


def fake_distribution(tmp_path, monkeypatch, dist: str, ep_name: str, module: str, source: str):
    """Install a distribution the way pip would leave it: a module and a dist-info folder
    whose entry_points.txt names it, on sys.path."""
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
    info = tmp_path / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[ganzoo]\n{ep_name} = {module}\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def by_name(reg, name):
    return next(p for p in reg.plugins if p.name == name)


def test_builtin_plugins_come_from_the_ganzoo_distribution_entry_points():
    reg = registry.load()
    assert {"mlp-gan", "dcgan"} <= set(reg.models)
    assert {"mnist-5k", "mnist", "fashion-mnist", "folder"} <= set(reg.datasets)
    assert reg.plugin_of_model("mlp-gan").dist == "ganzoo"
    assert reg.plugin_of_model("dcgan").dist == "ganzoo"


def test_out_of_tree_example_plugin_is_found_through_its_installed_entry_point():
    # plugins/example is pip-installed by the test set-up (make test), as a user would.
    reg = registry.load()
    assert "tiny-gan" in reg.models
    info = reg.plugin_of_model("tiny-gan")
    assert (info.dist, info.name) == ("ganzoo-example", "tiny-gan")
    G, D = reg.models["tiny-gan"].build((1, 28, 28), reg.models["tiny-gan"].defaults)
    assert G[0].out_features == 128  # the plugin's own default hyperparameter reached build()


GOOD = """
    from ganzoo.hookspecs import ModelSpec, hookimpl
    from ganzoo_plugins.mlp_gan import Generator, Discriminator

    @hookimpl
    def ganzoo_models():
        return [ModelSpec("third-gan", "x", lambda s, hp: (Generator(), Discriminator()))]
"""


def test_a_third_party_distribution_is_discovered(tmp_path, monkeypatch):
    fake_distribution(tmp_path, monkeypatch, "third-party", "third", "third_mod", GOOD)
    reg = registry.load()
    assert reg.plugin_of_model("third-gan").dist == "third-party"
    assert reg.plugin_of_model("third-gan").version == "1.2.3"


def test_plugin_that_raises_on_import_is_reported_and_others_keep_working(tmp_path, monkeypatch, capsys):
    fake_distribution(tmp_path, monkeypatch, "broken-dist", "broken", "broken_mod", "raise ImportError('no cuda')\n")
    reg = registry.load()
    info = by_name(reg, "broken")
    assert "no cuda" in info.error and "broken_mod" in info.error
    assert any("plugin 'broken' (distribution broken-dist 1.2.3)" in e for e in reg.errors)
    assert {"mlp-gan", "dcgan", "mnist-5k"} <= set(reg.models) | set(reg.datasets)
    assert cli.main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "broken-dist" in out and "ERROR" in out and "mlp-gan" in out


def test_plugin_returning_the_wrong_type_is_reported(tmp_path, monkeypatch):
    fake_distribution(tmp_path, monkeypatch, "junk-dist", "junk", "junk_mod", """
        from ganzoo.hookspecs import hookimpl

        @hookimpl
        def ganzoo_models():
            return ["not a spec"]
    """)
    reg = registry.load()
    err = by_name(reg, "junk").error
    assert "must return a list of ganzoo.hookspecs.ModelSpec" in err and "str" in err
    assert any("distribution junk-dist" in e for e in reg.errors)
    assert "mlp-gan" in reg.models


def test_plugin_with_a_misspelled_hook_is_reported(tmp_path, monkeypatch):
    fake_distribution(tmp_path, monkeypatch, "typo-dist", "typo", "typo_mod", """
        from ganzoo.hookspecs import hookimpl

        @hookimpl
        def ganzoo_model():
            return []
    """)
    reg = registry.load()
    assert "ganzoo_model" in by_name(reg, "typo").error
    assert "mlp-gan" in reg.models


def test_model_name_clash_is_reported_naming_both_plugins(tmp_path, monkeypatch):
    fake_distribution(tmp_path, monkeypatch, "clash-dist", "clash", "clash_mod", GOOD.replace("third-gan", "mlp-gan"))
    reg = registry.load()
    err = by_name(reg, "clash").error
    assert "'mlp-gan' is already registered by plugin 'mlp-gan' (distribution ganzoo" in err
    assert reg.plugin_of_model("mlp-gan").dist == "ganzoo"  # the original keeps working
    assert any("distribution clash-dist 1.2.3" in e for e in reg.errors)


def test_plugins_can_be_disabled_by_flag_and_environment(monkeypatch, capsys):
    assert "dcgan" not in registry.load(disabled=["dcgan"]).models
    monkeypatch.setenv(registry.DISABLE_ENV, "dcgan, tiny-gan")
    reg = registry.load()
    assert "dcgan" not in reg.models and "tiny-gan" not in reg.models and "mlp-gan" in reg.models
    assert by_name(reg, "dcgan").disabled
    monkeypatch.delenv(registry.DISABLE_ENV)
    assert cli.main(["models", "--disable-plugin", "mlp-gan"]) == 0
    out = capsys.readouterr().out
    assert "dcgan" in out and "mlp-gan" not in out


def test_models_and_plugins_commands_list_name_distribution_and_version(capsys):
    assert cli.main(["models"]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("mlp-gan"))
    assert "ganzoo" in line and "0.1.0" in line and "1x28x28" in line
    assert cli.main(["plugins"]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("datasets"))
    assert "datasets: mnist-5k" in line and " ok" in line


@pytest.mark.parametrize("hook_src", ["def ganzoo_models():\n    raise RuntimeError('boom')\n"])
def test_plugin_whose_hook_raises_is_reported(tmp_path, monkeypatch, hook_src):
    fake_distribution(tmp_path, monkeypatch, "boom-dist", "boom", "boom_mod",
                      "from ganzoo.hookspecs import hookimpl\n@hookimpl\n" + hook_src)
    reg = registry.load()
    assert "RuntimeError: boom" in by_name(reg, "boom").error
    assert "dcgan" in reg.models
