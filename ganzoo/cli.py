"""The ``ganzoo`` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import os
import sys
from pathlib import Path

from .errors import GanzooError

RUNS_ENV = "GANZOO_RUNS"


class Parser(argparse.ArgumentParser):
    """Bad input is one line on stderr and exit status 2, not a usage dump."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _registry(args):
    from . import registry

    reg = registry.load(disabled=args.disable_plugin)
    if args.command != "plugins":
        for err in reg.errors:
            print(f"ganzoo: warning: {err}", file=sys.stderr)
    return reg


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    return "\n".join(lines)


def cmd_plugins(args) -> int:
    reg = _registry(args)
    rows = []
    for p in reg.plugins:
        gives = "; ".join(f"{k}: {', '.join(v)}" for k, v in (("models", p.models), ("datasets", p.datasets)) if v)
        state = "disabled" if p.disabled else (f"ERROR: {p.error}" if p.error else "ok")
        rows.append([p.name, p.dist, p.version, gives or "-", state])
    print(_table(rows, ["plugin", "distribution", "version", "contributes", "status"]))
    return 0


def cmd_models(args) -> int:
    reg = _registry(args)
    rows = []
    for name, spec in sorted(reg.models.items()):
        p = reg.plugin_of_model(name)
        shape = "x".join(map(str, spec.shape)) + ("+" if spec.any_shape else "")
        rows.append([name, p.dist, p.version, shape, spec.description])
    print(_table(rows, ["model", "distribution", "version", "shape", "description"]))
    return 0


def cmd_datasets(args) -> int:
    reg = _registry(args)
    rows = []
    for name, spec in sorted(reg.datasets.items()):
        p = reg.owner[("dataset", name)]
        rows.append([f"{name}:PATH" if spec.takes_arg else name, p.dist, p.version, spec.description])
    print(_table(rows, ["dataset", "distribution", "version", "description"]))
    return 0


def cmd_runs(args) -> int:
    from .runstore import list_runs

    runs = list_runs(args.runs_dir)
    if not runs:
        print(f"no runs in {Path(args.runs_dir).resolve()}; start one with: ganzoo train --model mlp-gan")
        return 0
    rows = []
    for run in runs:
        cfg, st = run.config(), run.status()
        updated = dt.datetime.fromtimestamp(st["updated"]).strftime("%Y-%m-%d %H:%M:%S") if st["updated"] else "-"
        rows.append([run.id, cfg.get("model", "?"), cfg.get("dataset", "?"), st["state"], st["step"], updated])
    print(_table(rows, ["run", "model", "dataset", "status", "step", "updated"]))
    return 0


def cmd_train(args) -> int:
    from . import config, distributed, trainer

    if args.nproc is not None:
        return _torchrun(args.nproc, args.argv)
    reg = _registry(args)
    sources = []
    request = {"model": args.model, "dataset": args.dataset, "device": args.device,
               "data_root": args.data_root, "name": args.name}
    if args.config:
        file = config.read_toml(args.config)
        for key in config.RUN_KEYS:
            if key in file and request[key] is None:
                request[key] = file[key]
        sources.append({k: v for k, v in file.items() if k not in config.RUN_KEYS})
    flags = {k: getattr(args, k, None) for k in config.TRAINER_DEFAULTS}  # settings without a flag: --set
    sources.append(flags | config.parse_assignments(args.set))
    try:  # leave the process group cleanly on every exit, or torch aborts the process
        if args.resume:
            t = trainer.resume_run(reg, args.runs_dir, args.resume, sources, request, progress=not args.no_progress)
        else:
            if request["model"] is None:
                raise GanzooError(f"--model is required; valid: {', '.join(sorted(reg.models))}")
            t = trainer.new_run(reg, args.runs_dir, request, sources, progress=not args.no_progress)
        if t.world.main:
            print(f"run {t.run.path.name} in {t.run.path.parent.resolve()} on {t.device}"
                  + (f", {t.world.size} processes" if t.world.active else ""), file=sys.stderr)
        path = t.fit()
    finally:
        distributed.shutdown()
    if t.world.main:
        print(path)
    return 0


def _torchrun(nproc: int, argv: list[str]) -> int:
    """`ganzoo train --nproc N ...` is `torchrun --nproc_per_node=N -m ganzoo train ...`."""
    import subprocess

    if nproc < 1:
        raise GanzooError(f"--nproc must be at least 1, got {nproc}")
    if "WORLD_SIZE" in os.environ:
        raise GanzooError("--nproc inside torchrun: pass one or the other")
    rest = []
    skip = False
    for a in argv:  # everything but --nproc, which torchrun now carries
        if skip:
            skip = False
        elif a == "--nproc":
            skip = True
        elif not a.startswith("--nproc="):
            rest.append(a)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
           "-m", "ganzoo", *rest]
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130


def cmd_sample(args) -> int:
    import numpy as np

    from . import checkpoint, evaluate
    from . import device as devices
    from .images import grid_png
    from .runstore import Run, atomic_write, resolve_run
    from .trainer import build_models

    if args.n < 1:
        raise GanzooError("--n must be at least 1")
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".npy"):
        raise GanzooError(f"--out must end in .png (a grid) or .npy (an array), got '{out.name}'")
    if not out.parent.is_dir():
        raise GanzooError(f"--out: directory {out.parent} does not exist")
    reg = _registry(args)
    device = devices.pick(args.device)
    ckpt = checkpoint.load_latest(Run(resolve_run(args.runs_dir, args.run)).checkpoints(), device)
    name = ckpt.meta["model"]
    if name not in reg.models:
        raise GanzooError(f"this checkpoint needs model '{name}', which is not installed or is disabled")
    spec = reg.models[name]
    k = ckpt.meta["settings"].get("num_classes", 0) if spec.conditional else 0
    if args.label is not None and not k:
        raise GanzooError(f"--label needs a conditional model; '{name}' is not (see ganzoo models)")
    if args.label is not None and not 0 <= args.label < k:
        raise GanzooError(f"--label must be in 0..{k - 1} for this run, got {args.label}")
    G, _ = build_models(spec, ckpt.meta["settings"], reg.plugin_of_model(name).label)
    ckpt.restore_module("G", G)
    x = evaluate.generate(G.to(device), spec.latent_dim, args.n, device, seed=args.seed, num_classes=k,
                          label=args.label).cpu()
    if out.suffix.lower() == ".npy":
        buf = io.BytesIO()
        np.save(buf, x.float().numpy(), allow_pickle=False)
        atomic_write(out, buf.getvalue())
    else:
        atomic_write(out, grid_png(x, nrow=math.ceil(math.sqrt(args.n))))
    which = f" of class {args.label}" if args.label is not None else ""
    print(f"wrote {args.n} samples{which} of {name} (step {ckpt.meta['step']}) to {out}")
    return 0


def cmd_eval(args) -> int:
    import json

    import numpy as np
    import torch

    from . import checkpoint, data, evaluate
    from . import device as devices
    from .diversity import GUIDE
    from .runstore import Run, resolve_run
    from .trainer import build_models

    if (args.run is None) == (args.samples is None):
        raise GanzooError("give either RUN or --samples FILE.npy (with --dataset)")
    reg = _registry(args)
    device = devices.pick(args.device)
    if args.run is not None:
        path = resolve_run(args.runs_dir, args.run)
        ckpt = checkpoint.load_latest(Run(path).checkpoints(), device)
        name = ckpt.meta["model"]
        if name not in reg.models:
            raise GanzooError(f"this run needs model '{name}', which is not installed or is disabled")
        spec = reg.models[name]
        G, _ = build_models(spec, ckpt.meta["settings"], reg.plugin_of_model(name).label)
        ckpt.restore_module("G", G)
        dataset = args.dataset or Run(path).config()["dataset"]
        shape = tuple(spec.shape)
        k = ckpt.meta["settings"].get("num_classes", 0) if spec.conditional else 0
        samples = evaluate.generate(G.to(device), spec.latent_dim, args.n, device, num_classes=k)
        what = f"run {args.run} at step {ckpt.meta['step']}"
    else:
        if args.dataset is None:
            raise GanzooError("--samples needs --dataset NAME, the data to compare against")
        try:
            array = np.load(args.samples, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise GanzooError(f"cannot read --samples {args.samples}: {e}") from None
        samples = torch.from_numpy(np.asarray(array, dtype=np.float32)).to(device)
        shape, what = tuple(samples.shape[1:]), f"{len(samples)} samples from {args.samples}"
        if samples.ndim < 2 or len(samples) < 10:
            raise GanzooError(f"--samples must hold at least 10 samples as N x ..., got shape {tuple(array.shape)}")
    dspec, d = data.load(reg, dataset if args.run else args.dataset, args.data_root, shape)
    x = data.as_model_input(d.x, device)
    stats = evaluate.reference(dspec, d, x).evaluate(samples)
    if args.json:
        print(json.dumps({"evaluated": what, "reference": dspec.name, "n_samples": len(samples), "statistics": stats},
                         indent=2))
    else:
        print(f"{what}, against {dspec.name}:")
        print(_table([[k, f"{v:.4g}", *GUIDE.get(k, ("", ""))] for k, v in stats.items()],
                     ["statistic", "value", "healthy", "collapsed"]))
    return 0


def free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def cmd_dashboard(args) -> int:
    import subprocess

    from ganzoo_dashboard.serve import streamlit_command

    root = Path(args.runs_dir_pos or args.runs_dir).resolve()
    if args.run:
        from .runstore import resolve_run
        resolve_run(root, args.run)  # a clear error now, not in the page
    port = args.port or free_port(args.host)
    cmd = streamlit_command(args.host, port)
    url = f"http://{args.host}:{port}/" + (f"?run={args.run}" if args.run else "")
    print(f"ganzoo dashboard: {url} (runs in {root}); Ctrl-C stops it", flush=True)
    proc = subprocess.Popen(cmd, env=dict(os.environ, GANZOO_RUNS=str(root)), stdout=subprocess.DEVNULL)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=10)
        print("ganzoo dashboard: stopped", file=sys.stderr)
        return 0


def build_parser() -> Parser:
    common = Parser(add_help=False)
    common.add_argument("--disable-plugin", action="append", default=[], metavar="NAME",
                        help="skip this plugin (repeatable; also GANZOO_DISABLE_PLUGINS=a,b)")
    runs = Parser(add_help=False)
    runs.add_argument("--runs-dir", default=os.environ.get(RUNS_ENV, "runs"),
                      help=f"directory holding runs (default: ${RUNS_ENV} or ./runs)")

    parser = Parser(prog="ganzoo", description="A plugin-based GAN zoo: train GANs, log runs, sample them.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"ganzoo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    p = sub.add_parser("train", parents=[common, runs], help="train a model on a dataset",
                       description="Train a GAN. Settings come from the trainer's defaults (the seed's: batch 60, "
                                   "Adam 2e-4, betas 0.5/0.999, 100 epochs), then the model's, then --config, "
                                   "then flags.")
    p.add_argument("--model", help="model name (see ganzoo models)")
    p.add_argument("--dataset", help="dataset name (see ganzoo datasets; default mnist-5k)")
    p.add_argument("--config", metavar="FILE.toml", help="TOML file of settings (flags override it)")
    p.add_argument("--resume", metavar="RUN", help="continue RUN from its latest checkpoint")
    p.add_argument("--device", help="auto (default: cuda, then mps, then cpu), cpu, cuda, cuda:N or mps")
    p.add_argument("--data-root", help="where torchvision datasets' files are (default ./data)")
    p.add_argument("--name", help="run id (default MODEL-DATASET-TIMESTAMP)")
    for key, flag_type, text in [
            ("epochs", int, "passes over the dataset"), ("batch_size", int, "samples per step"),
            ("lr_g", float, "G's Adam learning rate"), ("lr_d", float, "D's Adam learning rate"),
            ("beta1", float, "Adam beta1"), ("beta2", float, "Adam beta2"),
            ("seed", int, "seed of every RNG; a CPU run with the same seed repeats exactly"),
            ("sample_every", int, "steps between sample grids (0: each epoch)"),
            ("checkpoint_every", int, "steps between checkpoints (0: at the end of an epoch, at most once a minute)"),
            ("keep_checkpoints", int, "checkpoints kept"),
            ("log_every", int, "steps between progress updates, gradient norms and NaN checks"),
            ("eval_every", int, "steps between diversity statistics (0: never)"),
            ("eval_samples", int, "samples per diversity evaluation")]:
        p.add_argument("--" + key.replace("_", "-"), dest=key, type=flag_type, help=text)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="any setting, including a model's own, loss=lsgan|hinge and pack=M (repeatable)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--nproc", type=int, metavar="N",
                   help="train data-parallel in N processes on this machine (torchrun --standalone; one per GPU, "
                        "or gloo on the CPU); the batch size stays the global batch")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("plugins", parents=[common], help="list installed plugins and what they contribute")
    p.set_defaults(func=cmd_plugins)
    p = sub.add_parser("models", parents=[common], help="list the models plugins provide")
    p.set_defaults(func=cmd_models)
    p = sub.add_parser("datasets", parents=[common], help="list the datasets plugins provide")
    p.set_defaults(func=cmd_datasets)
    p = sub.add_parser("runs", parents=[common, runs], help="list runs and their status")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("sample", parents=[common, runs], help="draw samples from a run's latest checkpoint",
                       description="Draw samples from RUN's latest checkpoint; needs neither the dataset nor "
                                   "the config.")
    p.add_argument("run", metavar="RUN", help="run id (see ganzoo runs)")
    p.add_argument("--n", type=int, default=25, help="number of samples (default 25)")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.png: a grid; FILE.npy: N x C x H x W floats in [-1, 1]")
    p.add_argument("--seed", type=int, default=0, help="seed for z (default 0)")
    p.add_argument("--label", type=int, help="a conditional model's class to draw (default: all classes in turn)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("eval", parents=[common, runs], help="mode-collapse statistics of a run or of saved samples",
                       description="Diversity statistics of RUN's latest checkpoint, or of samples saved as .npy "
                                   "(N x C x H x W floats in [-1, 1], as `ganzoo sample` writes), against a dataset.")
    p.add_argument("run", metavar="RUN", nargs="?", help="run id (see ganzoo runs)")
    p.add_argument("--samples", metavar="FILE.npy", help="evaluate these samples instead of a run")
    p.add_argument("--dataset", help="reference dataset (default: the run's)")
    p.add_argument("--data-root", help="where torchvision datasets' files are")
    p.add_argument("--n", type=int, default=2000, help="samples to draw from a run (default 2000)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("dashboard", parents=[common, runs], help="open the monitoring dashboard (Streamlit)",
                       description="Serve the dashboard for a runs directory. It listens on 127.0.0.1 unless "
                                   "--host says otherwise.")
    p.add_argument("runs_dir_pos", metavar="RUNS_DIR", nargs="?", help="runs directory (default: --runs-dir)")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    p.add_argument("--run", help="run to show first")
    p.set_defaults(func=cmd_dashboard)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)  # for --nproc, which runs them again
    try:
        return args.func(args)
    except GanzooError as e:
        print(f"ganzoo {args.command}: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # a full disk, a read-only or missing directory
        where = f" ({e.filename})" if e.filename else ""
        print(f"ganzoo {args.command}: error: {e.strerror or e}{where}; free space or choose a writable "
              f"--runs-dir", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ganzoo {args.command}: interrupted", file=sys.stderr)
        return 130
