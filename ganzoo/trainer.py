"""The training loop: plain, model-agnostic, and the only writer of a run directory.

The model's step does the maths (ganzoo.step.adversarial_step unless the model brings
its own); the loop feeds it batches and looks after everything around it: logging without
stalling the device, sample grids, checkpoints, resume and stopping on NaN.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import platform
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save

from . import __version__, accel, checkpoint, data, distributed, evaluate
from . import device as devices
from .config import resolve
from .errors import ConfigError, RunError, TrainingDiverged
from .hookspecs import Data, Loss, ModelSpec, StepContext
from .images import grid_png, is_image_shape, progress_gif, scatter_png
from .losses import BCE, LOSSES
from .registry import Registry
from .runstore import Run, RunWriter, atomic_write, resolve_run, write_json
from .step import adversarial_step

GRID = 5  # the seed's 5x5 grid from a fixed z
SCATTER = 1000  # fixed-z points drawn for samples that are not images
FLUSH_SECONDS = 10.0  # at most this long between Parquet parts, so a dashboard sees progress
CHECKPOINT_SECONDS = 60.0  # checkpoint_every = 0: at epoch ends, at least this far apart


def build_models(spec: ModelSpec, settings: dict[str, Any], label: str) -> tuple[torch.nn.Module, torch.nn.Module]:
    """Build G and D and check that they fit together, naming the plugin if not. With
    ``pack`` M > 1 (PacGAN), D comes from a second build() for M times the channels, and
    folds each M consecutive samples into one input (see :func:`pack_inputs`)."""
    pack = settings.get("pack", 1)
    if spec.conditional and not isinstance(settings.get("num_classes"), int):
        raise ConfigError(f"model '{spec.name}' from {label} is conditional but declares no integer num_classes "
                          f"in its defaults")
    if pack > 1 and (not spec.any_shape or spec.conditional):
        why = "it is conditional" if spec.conditional else "its build() takes only its own shape, so no D can be " \
              f"built for {pack} x {spec.shape[0]} channels"
        raise ConfigError(f"model '{spec.name}' cannot be packed (pack={pack}): {why}; use pack=1, or a model "
                          f"whose spec says any_shape")
    try:
        G, D = spec.build(tuple(spec.shape), settings)
        if pack > 1:
            _, D = spec.build((spec.shape[0] * pack, *spec.shape[1:]), settings)
            D.register_forward_pre_hook(functools.partial(pack_inputs, pack))
    except Exception as e:
        raise ConfigError(f"model '{spec.name}' from {label} failed to build: {type(e).__name__}: {e}") from e
    if not isinstance(G, torch.nn.Module) or not isinstance(D, torch.nn.Module):
        raise ConfigError(f"model '{spec.name}' from {label}: build() must return (G, D) nn.Modules")
    G.eval(), D.eval()
    n = min(settings.get("batch_size", 2), 256)
    y = (torch.zeros(n, dtype=torch.long),) if spec.conditional else ()
    with torch.no_grad():
        try:
            out = G(torch.randn(n, spec.latent_dim), *y)
        except Exception as e:
            raise ConfigError(f"model '{spec.name}' from {label}: G fails on a batch of z ({type(e).__name__}: {e}); "
                              f"check latent_dim and build()") from e
        if tuple(out.shape) != (n, *spec.shape):
            raise ConfigError(f"model '{spec.name}' from {label}: G makes samples of shape {tuple(out.shape[1:])}, "
                              f"but the spec says {tuple(spec.shape)}; fix build() or the spec's shape")
        try:
            score = D(out, *y)
        except Exception as e:
            raise ConfigError(f"model '{spec.name}' from {label}: D cannot take G's samples of shape "
                              f"{tuple(out.shape[1:])} ({type(e).__name__}: {e}); make G and D fit") from e
        # One output per sample, or per pack of samples for a packing D (PacGAN).
        if not 1 <= score.shape[0] <= n or score.numel() != score.shape[0]:
            raise ConfigError(f"model '{spec.name}' from {label}: D must give one output per sample, "
                              f"got shape {tuple(score.shape)} for {n} samples")
    G.train(), D.train()
    return G, D


def pack_inputs(m: int, module: torch.nn.Module, args: tuple) -> tuple:
    """PacGAN packing (Lin et al. 2018) as D's forward pre-hook: each m consecutive samples
    become one input with m times the channels (dim 1); a batch's last samples that do not
    fill a pack are left out. D's own code and checkpoint keys stay as they are."""
    x = args[0]
    n = x.shape[0] // m * m
    return (x[:n].reshape(n // m, m * x.shape[1], *x.shape[2:]), *args[1:])


def pick_loss(spec: ModelSpec, settings: dict[str, Any]) -> Loss:
    """The default step's loss: the ``loss`` setting if given, else the model's, else BCE."""
    if not settings.get("loss"):
        return spec.loss or BCE
    if spec.train_step is not None:
        raise ConfigError(f"model '{spec.name}' trains with its own step, which defines its loss; "
                          f"loss={settings['loss']!r} applies only to models using the default step")
    return LOSSES[settings["loss"]]


def conditional_labels(spec: ModelSpec, settings: dict[str, Any], dataset: Data, name: str,
                       device: torch.device) -> torch.Tensor | None:
    """A conditional model's labels of the whole dataset on the device, checked; else None."""
    if not spec.conditional:
        return None
    if dataset.labels is None:
        raise ConfigError(f"model '{spec.name}' is conditional and needs labelled data, but dataset '{name}' has no "
                          f"labels; pick a labelled one (mnist-5k, mnist, fashion-mnist, folder:PATH with class "
                          f"subfolders)")
    k, top = settings["num_classes"], int(dataset.labels.max())
    if top >= k:
        raise ConfigError(f"dataset '{name}' has labels up to {top}, but model '{spec.name}' has num_classes={k}; "
                          f"use --set num_classes={top + 1}")
    return dataset.labels.to(device)


def _grad_norm(module: torch.nn.Module) -> torch.Tensor | None:
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    return torch.nn.utils.get_total_norm(grads) if grads else None


class Trainer:
    def __init__(self, reg: Registry, run: RunWriter, config: dict[str, Any], device: torch.device,
                 data_root: str | None = None, progress: bool = True, world: distributed.World = distributed.SINGLE):
        self.run, self.config, self.device, self.world = run, config, device, world
        self.progress = progress and world.main
        self.settings = config["settings"]
        spec = reg.models[config["model"]]
        self.spec = spec
        torch.manual_seed(self.settings["seed"])
        self.G, self.D = build_models(spec, self.settings, reg.plugin_of_model(spec.name).label)
        s = self.settings
        fmt = accel.memory_format(s, spec.shape)
        self.G.to(device, memory_format=fmt), self.D.to(device, memory_format=fmt)
        if world.active:
            if s["batch_size"] % world.size:
                raise ConfigError(f"batch_size {s['batch_size']} does not split evenly over {world.size} processes; "
                                  f"use a multiple of {world.size}")
            if not world.main:  # rank 0 draws what one process would; the others their own z and dropout
                torch.manual_seed(s["seed"] + 1_000_003 * world.rank)
        # Fused Adam: the same update in one kernel per step (about 10x faster than the
        # per-parameter loop on a CPU, where that loop is torch's default).
        fused = {"fused": True} if device.type in ("cpu", "cuda") else {}
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=s["lr_g"], betas=(s["beta1"], s["beta2"]), **fused)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=s["lr_d"], betas=(s["beta1"], s["beta2"]), **fused)
        dspec, dataset = data.load(reg, config["dataset"], data_root, spec.shape)
        if s["batch_size"] > len(dataset.x):
            raise ConfigError(f"batch_size {s['batch_size']} is larger than dataset '{config['dataset']}' "
                              f"({len(dataset.x)} samples); use --batch-size {len(dataset.x)} or less")
        self.x = data.as_model_input(dataset.x, device).contiguous(memory_format=fmt)
        self.y = conditional_labels(spec, s, dataset, config["dataset"], device)
        self.reference = evaluate.reference(dspec, dataset, self.x) if s["eval_every"] and world.main else None
        self.step_fn = spec.train_step or adversarial_step
        self.ctx = StepContext(G=self.G, D=self.D, opt_g=self.opt_g, opt_d=self.opt_d, loss=pick_loss(spec, s),
                               latent_dim=spec.latent_dim, hparams=s, step=0, device=device,
                               num_classes=s["num_classes"] if spec.conditional else 0)
        self.data_gen = torch.Generator().manual_seed(s["seed"])
        self.step, self.epoch, self.batch = 0, 0, 0  # next step, the epoch and batch it is in
        self.perm: torch.Tensor | None = None
        z_path = run.path / "samples" / "fixed_z.safetensors"
        if not z_path.exists() and world.main:
            n = GRID * GRID if is_image_shape(spec.shape) else SCATTER
            z = torch.randn(n, spec.latent_dim, generator=torch.Generator().manual_seed(s["seed"]))
            atomic_write(z_path, save({"z": z}))
        self.fixed_z = load_file(z_path)["z"].to(device) if world.main else None
        self._rows: list[tuple[int, int, float, dict[str, torch.Tensor]]] = []
        self._logged = 0  # rows of _rows already checked for NaN
        self._last_flush = time.monotonic()
        self._checkpointed = -1  # step of the last checkpoint written
        self._checkpoint_time = time.monotonic()
        self.bar = None

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.x) / self.settings["batch_size"])

    # -- checkpoints -------------------------------------------------------------------

    def restore(self, ckpt: checkpoint.Checkpoint) -> None:
        ckpt.restore_module("G", self.G)
        ckpt.restore_module("D", self.D)
        ckpt.restore_optimizer("opt_g", self.opt_g)
        ckpt.restore_optimizer("opt_d", self.opt_d)
        # Hyperparameters come from the settings, so a resume may change them.
        for opt, lr in ((self.opt_g, self.settings["lr_g"]), (self.opt_d, self.settings["lr_d"])):
            for group in opt.param_groups:
                group["lr"], group["betas"] = lr, (self.settings["beta1"], self.settings["beta2"])
        checkpoint.set_rng_state(ckpt)
        self.data_gen.set_state(ckpt.tensors["data.gen"].cpu())
        self.perm = ckpt.tensors["data.perm"].cpu() if "data.perm" in ckpt.tensors else None
        self.step, self.epoch, self.batch = (ckpt.meta[k] for k in ("step", "epoch", "batch"))
        if not self.world.main:  # the checkpoint holds rank 0's RNG; the others keep drawing their own
            torch.manual_seed(self.settings["seed"] + 1_000_003 * self.world.rank + self.step)

    def save_checkpoint(self) -> None:
        if not self.world.main:
            return
        self.log(flush=True)  # scalars up to this step are on disk before the checkpoint
        rng_tensors, rng_meta = checkpoint.rng_state()
        tensors = dict(rng_tensors, **{"data.gen": self.data_gen.get_state()})
        if self.perm is not None:
            tensors["data.perm"] = self.perm
        meta = {"step": self.step, "epoch": self.epoch, "batch": self.batch, "rng": rng_meta,
                "model": self.spec.name, "shape": list(self.spec.shape), "latent_dim": self.spec.latent_dim,
                "settings": self.settings, "run_id": self.run.path.name}
        ckdir = self.run.path / "checkpoints"
        checkpoint.save(ckdir / f"step-{self.step:08d}.safetensors", {"G": self.G, "D": self.D},
                        {"opt_g": self.opt_g, "opt_d": self.opt_d}, tensors, meta)
        self._checkpointed, self._checkpoint_time = self.step, time.monotonic()
        for old in Run(self.run.path).checkpoints()[:-self.settings["keep_checkpoints"]]:
            old.unlink()

    # -- logging -----------------------------------------------------------------------

    def log(self, flush: bool = False, images_per_s: float | None = None) -> None:
        """Check the new scalars for NaN (one device sync), add gradient norms and speed,
        and write a Parquet part when one is due."""
        if not self.world.main:
            return
        new = self._rows[self._logged:]
        if new:
            keys = [(r[0], name) for r in new for name in r[3]]
            values = torch.stack([v.detach().float().reshape(()) for r in new for v in r[3].values()]).cpu()
            bad = (~torch.isfinite(values)).nonzero()
            if len(bad):
                step, name = keys[int(bad[0])]
                self._on_diverged(step, name, float(values[int(bad[0])]))
            self._logged = len(self._rows)
        if images_per_s is not None:  # a log point, not just a flush
            step, epoch = self._rows[-1][0], self._rows[-1][1]
            extra = {"images_per_s": images_per_s, "g_grad_norm": _grad_norm(self.G), "d_grad_norm": _grad_norm(self.D)}
            self._rows.append((step, epoch, time.time(), {k: torch.as_tensor(float(v)) for k, v in extra.items()
                                                          if v is not None}))
            self._logged = len(self._rows)
            if self.bar is not None:
                last = {name: float(v) for name, v in new[-1][3].items()} if new else {}
                self.bar.set_postfix(epoch=epoch + 1, d_loss=f"{last.get('d_loss', math.nan):.3f}",
                                     g_loss=f"{last.get('g_loss', math.nan):.3f}",
                                     img_s=f"{images_per_s:,.0f}", refresh=False)
        if flush or time.monotonic() - self._last_flush > FLUSH_SECONDS:
            self._flush()

    def _flush(self) -> None:
        rows: dict[str, list] = {"step": [], "epoch": [], "wall_time": [], "name": [], "value": []}
        for step, epoch, wall, scalars in self._rows:
            for name, value in scalars.items():
                rows["step"].append(step)
                rows["epoch"].append(epoch)
                rows["wall_time"].append(wall)
                rows["name"].append(name)
                rows["value"].append(float(value))
        self.run.write_rows(rows)
        self.run.set_status("running", self.step)
        self._rows, self._logged, self._last_flush = [], 0, time.monotonic()

    def _on_diverged(self, step: int, name: str, value: float) -> None:
        self._flush_unchecked()
        kept = Run(self.run.path).checkpoints()
        where = f"the last good checkpoint is {kept[-1].name}" if kept else "no checkpoint had been written yet"
        msg = (f"{name} became {value} at step {step}: training stopped; {where}. Resume with a lower learning "
               f"rate: ganzoo train --resume {self.run.path.name} --lr-d ... --lr-g ...")
        self.run.set_status("failed", step, msg)
        raise TrainingDiverged(msg)

    def _flush_unchecked(self) -> None:
        self._logged = len(self._rows)
        self._flush()

    # -- samples -----------------------------------------------------------------------

    def write_samples(self) -> None:
        if not self.world.main:
            return
        self.G.eval()
        with torch.no_grad():
            if self.ctx.num_classes and is_image_shape(self.spec.shape):  # one row per class, a z per column
                k = self.ctx.num_classes
                fake = self.G(self.fixed_z[:GRID].repeat(k, 1), torch.arange(k, device=self.device).repeat_interleave(GRID))
            elif self.ctx.num_classes:
                fake = self.G(self.fixed_z, torch.arange(len(self.fixed_z), device=self.device) % self.ctx.num_classes)
            else:
                fake = self.G(self.fixed_z)
        self.G.train()
        if is_image_shape(self.spec.shape):
            png = grid_png(fake, nrow=GRID)
        elif len(self.spec.shape) == 1 and self.spec.shape[0] == 2:
            png = scatter_png(fake, self.x[:2000])
        else:
            return
        self.run.write_sample_png(self.step, png)

    def write_diversity(self) -> None:
        """Every applicable diversity statistic on ``eval_samples`` samples from a fixed z."""
        if not self.world.main:
            return
        start = time.perf_counter()
        n = self.settings["eval_samples"]
        stats = self.reference.evaluate(evaluate.generate(self.G, self.spec.latent_dim, n, self.device,
                                                                 num_classes=self.ctx.num_classes))
        ref = f"{self.config['dataset']} ({len(self.reference.x)} samples)"
        now = time.time()
        self.run.write_rows({"step": [self.step] * len(stats), "epoch": [self.epoch] * len(stats),
                             "wall_time": [now] * len(stats), "name": list(stats),
                             "value": [float(v) for v in stats.values()], "n_samples": [n] * len(stats),
                             "reference": [ref] * len(stats), "features": [self.reference.feature_space] * len(stats)},
                            table="diversity")
        self._rows.append((self.step, self.epoch, now, {"eval_seconds": torch.tensor(time.perf_counter() - start)}))

    # -- the loop ----------------------------------------------------------------------

    def fit(self) -> Path:
        s = self.settings
        bs, n, spe = s["batch_size"], len(self.x), self.steps_per_epoch
        total = s["epochs"] * spe
        sample_every, ckpt_every, log_every = s["sample_every"], s["checkpoint_every"], s["log_every"]
        eval_every = s["eval_every"]
        main = self.world.main
        G, D = self.G, self.D
        if self.world.active:
            G, D = distributed.wrap(G, self.device), distributed.wrap(D, self.device)
        self.ctx.G, self.ctx.D = accel.compiled(G, s), accel.compiled(D, s)
        autocast = functools.partial(accel.autocast, s, self.device)
        images_here = 0  # samples this process trained on
        self.bar = None
        if self.progress:
            from tqdm import tqdm
            self.bar = tqdm(total=total, initial=self.step, unit="step", dynamic_ncols=True,
                            desc=self.run.path.name, file=sys.stderr)
        try:
            window_start, window_images = time.perf_counter(), 0
            while self.epoch < s["epochs"]:
                if self.batch == 0 or self.perm is None:
                    self.perm = torch.randperm(n, generator=self.data_gen)
                perm = self.perm.to(self.device)
                while self.batch < spe:
                    idx = perm[self.batch * bs:(self.batch + 1) * bs]
                    mine = self.world.shard(idx)  # all of idx, in one process
                    real = self.x[mine]
                    if self.y is not None:
                        self.ctx.labels = self.y[mine]
                    self.ctx.step = self.step
                    with autocast():
                        scalars = self.step_fn(self.ctx, real)
                    self.step += 1
                    self.batch += 1
                    window_images += len(idx)
                    images_here += len(real)
                    if main:  # other ranks log nothing: rank 0's scalars stand for the run
                        self._rows.append((self.step, self.epoch, time.time(), scalars))
                    end_of_epoch = self.batch == spe
                    if self.bar is not None:
                        self.bar.update(1)
                    if self.step % log_every == 0 or end_of_epoch:
                        if self.device.type == "cuda":
                            torch.cuda.synchronize(self.device)
                        rate = window_images / (time.perf_counter() - window_start)
                        self.log(images_per_s=rate)
                        window_start, window_images = time.perf_counter(), 0
                    if (self.step % sample_every == 0) if sample_every else end_of_epoch:
                        self.write_samples()
                        window_start, window_images = time.perf_counter(), 0
                    last = self.step == total
                    if eval_every and (self.step % eval_every == 0 or last):
                        self.write_diversity()
                        window_start, window_images = time.perf_counter(), 0
                    if end_of_epoch:
                        self.epoch, self.batch = self.epoch + 1, 0
                    if (self.step % ckpt_every == 0) if ckpt_every else (
                            end_of_epoch and time.monotonic() - self._checkpoint_time > CHECKPOINT_SECONDS):
                        self.save_checkpoint()
                        window_start, window_images = time.perf_counter(), 0
                    if end_of_epoch:
                        break
            if self._checkpointed != self.step:
                self.save_checkpoint()
            self.log(flush=True)
        except KeyboardInterrupt:
            if main:
                self._flush_unchecked()
                self.run.set_status("failed", self.step, "interrupted; resume with ganzoo train --resume")
            raise
        except TrainingDiverged:
            raise
        except Exception as e:  # a full disk, say: record it if the disk still lets us
            with contextlib.suppress(OSError):
                if main:
                    self.run.set_status("failed", self.step, f"{type(e).__name__}: {e}")
            raise
        finally:
            if self.bar is not None:
                self.bar.close()
        message = ""
        if self.world.active:
            per_rank = distributed.gather(self.world, images_here)
            message = f"trained by {self.world.size} processes; samples per rank this session: {per_rank}"
            print(f"ganzoo: rank {self.world.rank} of {self.world.size}: {self.step} steps, {images_here} samples",
                  file=sys.stderr)
        if main:
            grids = [p for _, p in Run(self.run.path).samples()]
            if grids:
                atomic_write(self.run.path / "samples" / "progress.gif", progress_gif(grids))
            self.run.set_status("finished", self.step, message)
        return self.run.path


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def new_run(reg: Registry, runs_dir: str | Path, request: dict[str, Any], sources: list[dict[str, Any]],
            progress: bool = True) -> Trainer:
    """Check a training request and create its run. ``request`` holds RUN_KEYS (model,
    dataset, device, data_root, name); ``sources`` hold settings, later ones winning."""
    model = request["model"]
    if model not in reg.models:
        raise ConfigError(f"unknown model '{model}'; valid: {', '.join(sorted(reg.models)) or '(none installed)'}")
    spec = reg.models[model]
    settings = resolve(spec.defaults, *sources)
    world = distributed.world()
    device = distributed.init(world, devices.pick(request.get("device") or "auto"))
    dataset = request.get("dataset") or "mnist-5k"
    plugin = reg.plugin_of_model(model)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    run_id = request.get("name") or f"{model}-{dataset.split(':')[0]}-{stamp}"
    if "/" in run_id or run_id.startswith(".") or not run_id.strip():
        raise ConfigError(f"run name '{run_id}' must be a plain directory name")
    config = {
        "run_id": run_id, "model": model, "dataset": dataset, "settings": settings,
        "device": str(device), "shape": list(spec.shape), "latent_dim": spec.latent_dim,
        "plugin": {"name": plugin.name, "dist": plugin.dist, "version": plugin.version},
        "versions": {"ganzoo": __version__, "torch": torch.__version__, "python": platform.python_version(),
                     "torchvision": _dist_version("torchvision")},
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": sys.argv, "resumes": [], "processes": world.size,
    }
    if not world.main:  # rank 0 names and creates the run; this rank only trains
        config["run_id"] = run_id = distributed.announce(world, None)
        return Trainer(reg, RunWriter(Path(runs_dir) / run_id, clean=False), config, device,
                       request.get("data_root"), progress, world)
    try:
        new_root = not Path(runs_dir).exists()
        writer = RunWriter.create(Path(runs_dir), run_id, config)
        try:
            trainer = Trainer(reg, writer, config, device, request.get("data_root"), progress, world)
        except BaseException:
            shutil.rmtree(writer.path)  # it holds nothing yet: leave no half-made run behind
            if new_root:
                Path(runs_dir).rmdir()
            raise
    except BaseException as e:
        distributed.announce(world, e)
        raise
    distributed.announce(world, run_id)
    return trainer


def resume_run(reg: Registry, runs_dir: str | Path, run_id: str, sources: list[dict[str, Any]],
               request: dict[str, Any] | None = None, progress: bool = True) -> Trainer:
    """Continue a run from its latest readable checkpoint. Scalars and sample grids logged
    after that checkpoint are dropped first, so every step appears exactly once."""
    world = distributed.world()
    try:
        trainer = _resume(reg, runs_dir, run_id, sources, request or {}, progress, world)
    except BaseException as e:
        if world.main:
            distributed.announce(world, e)
        raise
    distributed.announce(world, run_id)
    return trainer


def _resume(reg: Registry, runs_dir: str | Path, run_id: str, sources: list[dict[str, Any]],
            request: dict[str, Any], progress: bool, world: distributed.World) -> Trainer:
    path = resolve_run(runs_dir, run_id)
    config = json.loads((path / "config.json").read_text())
    model = config["model"]
    if model not in reg.models:
        p = config.get("plugin", {})
        raise RunError(f"run {run_id} needs model '{model}' from distribution {p.get('dist')} "
                       f"{p.get('version')}, which is not installed or is disabled")
    for key in ("model", "dataset", "name"):  # the device and data root may move with the run
        if request.get(key) not in (None, config.get(key), path.name if key == "name" else None):
            raise ConfigError(f"--{key.replace('_', '-')} cannot change on --resume (the run uses {config.get(key)!r})")
    settings = resolve(reg.models[model].defaults, config["settings"], *sources)
    device = distributed.init(world, devices.pick(request.get("device") or "auto"))
    run = Run(path)
    # No checkpoint yet (killed in its first steps): start over, from the same seed.
    ckpt = checkpoint.load_latest(run.checkpoints(), device) if run.checkpoints() else None
    start = ckpt.meta["step"] if ckpt else 0
    changed = {k: v for k, v in settings.items() if config["settings"].get(k) != v}
    config["resumes"].append({"from_step": start, "changed": changed, "device": str(device), "processes": world.size,
                              "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
    config["settings"] = settings
    # Everything that can fail (data, models, checkpoint) is checked before the run changes.
    writer = RunWriter(path, clean=world.main)
    trainer = Trainer(reg, writer, config, device, request.get("data_root"), progress, world)
    if ckpt:
        trainer.restore(ckpt)
    if not world.main:
        return trainer
    writer.truncate(start)
    for step, png in run.samples():
        if step > start:
            png.unlink()
    write_json(path / "config.json", config)
    writer.set_status("running", start)
    return trainer
