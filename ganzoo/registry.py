"""Finding plugins through the ``ganzoo`` entry-point group and collecting their specs.

pluggy's ``load_setuptools_entrypoints`` stops at the first plugin that fails to import,
and a pluggy hook call stops at the first implementation that raises. We want each
plugin isolated, so we load entry points one by one and call each plugin's hook
implementation on its own, recording failures against the plugin and its distribution.
"""

from __future__ import annotations

import importlib.metadata as md
import os
from dataclasses import dataclass, field
from typing import Any

import pluggy

from . import hookspecs
from .hookspecs import DatasetSpec, ModelSpec

GROUP = "ganzoo"
DISABLE_ENV = "GANZOO_DISABLE_PLUGINS"


@dataclass
class PluginInfo:
    name: str
    dist: str
    version: str
    models: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    error: str | None = None
    disabled: bool = False

    @property
    def label(self) -> str:
        return f"plugin '{self.name}' (distribution {self.dist} {self.version})"


@dataclass
class Registry:
    models: dict[str, ModelSpec] = field(default_factory=dict)
    datasets: dict[str, DatasetSpec] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)
    owner: dict[tuple[str, str], PluginInfo] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        return [f"{p.label}: {p.error}" for p in self.plugins if p.error]

    def plugin_of_model(self, name: str) -> PluginInfo:
        return self.owner[("model", name)]


def disabled_names(extra: list[str] | tuple[str, ...] = ()) -> set[str]:
    names = {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
    return names | set(extra)


def load(disabled: list[str] | tuple[str, ...] = (), extra: dict[str, Any] | None = None) -> Registry:
    """Load every installed plugin (and ``extra``: name -> plugin object, for tests and
    embedding) and collect their models and datasets."""
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    reg = Registry()
    blocked = disabled_names(disabled)
    candidates: list[tuple[PluginInfo, Any]] = []

    eps = sorted(md.entry_points(group=GROUP), key=lambda ep: (ep.dist.name != "ganzoo", ep.name))
    for ep in eps:
        dist = ep.dist
        info = PluginInfo(ep.name, dist.name if dist else "?", dist.version if dist else "?")
        reg.plugins.append(info)
        if ep.name in blocked:
            info.disabled = True
            continue
        if pm.get_plugin(ep.name) is not None or any(c[0].name == ep.name for c in candidates):
            info.error = "entry-point name clashes with an already loaded plugin; rename it"
            continue
        try:
            candidates.append((info, ep.load()))
        except Exception as e:  # a plugin's import can raise anything
            info.error = f"failed to import {ep.value}: {type(e).__name__}: {e}"
    for name, obj in (extra or {}).items():
        info = PluginInfo(name, "(registered in-process)", "")
        reg.plugins.append(info)
        if name in blocked:
            info.disabled = True
        else:
            candidates.append((info, obj))

    for info, obj in candidates:
        try:
            pm.register(obj, name=info.name)
            pm.check_pending()
        except Exception as e:
            if pm.is_registered(obj):
                pm.unregister(obj)
            info.error = f"is not a valid ganzoo plugin: {e}"
            continue
        _collect(pm, info, "ganzoo_models", ModelSpec, reg.models, info.models, reg)
        _collect(pm, info, "ganzoo_datasets", DatasetSpec, reg.datasets, info.datasets, reg)
    return reg


def _collect(pm, info: PluginInfo, hook: str, kind: type, table: dict, names: list, reg: Registry) -> None:
    for impl in getattr(pm.hook, hook).get_hookimpls():
        if impl.plugin_name != info.name:
            continue
        what = kind.__name__
        try:
            specs = impl.function()
        except Exception as e:
            info.error = f"{hook}() raised {type(e).__name__}: {e}"
            return
        if not isinstance(specs, (list, tuple)) or not all(isinstance(s, kind) for s in specs):
            got = type(specs).__name__ if not isinstance(specs, (list, tuple)) else \
                ", ".join(sorted({type(s).__name__ for s in specs}))
            info.error = f"{hook}() must return a list of ganzoo.hookspecs.{what}, got {got}"
            return
        for spec in specs:
            key = ("model" if kind is ModelSpec else "dataset", spec.name)
            if spec.name in table:
                other = reg.owner[key]
                info.error = (f"{key[0]} name '{spec.name}' is already registered by {other.label}; "
                              f"this one is skipped (rename it in the plugin)")
                continue
            table[spec.name] = spec
            reg.owner[key] = info
            names.append(spec.name)
