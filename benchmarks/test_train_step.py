"""Time one full training step (D step + G step) of every registered model on every
available device, beside two references measured in the same run: the seed's own loop and
the machine's float32 matrix-multiply throughput.

    make bench          # save results under .benchmarks/
    make bench-check    # compare against the last saved results; fail if a median is >15% slower

Models come from the installed plugins, so a new plugin is benchmarked without editing this
file. Each result's extra_info holds images/s, the device, FLOPs per image (counted once
with torch's FlopCounterMode on the real step) and the share of matmul throughput reached.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
import torch
from conftest import INJECTED_SLEEP, ROUNDS, device_name, devices
from torch.utils.flop_counter import FlopCounterMode

from ganzoo import accel, registry
from ganzoo.hookspecs import StepContext
from ganzoo.losses import BCE
from ganzoo.step import adversarial_step
from ganzoo.trainer import build_models

REG = registry.load()
MODELS = sorted(REG.models)
BATCHES = ["default", 256]
_matmul: dict[str, float] = {}


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


# Speed options of ganzoo.accel, each timed on and off: on the GPU all of them; on the CPU
# channels_last for image models (bf16 has no fast path on CPUs without AVX-512 BF16, and
# torch.compile was slower than eager on this CPU while taking a minute to compile).
PLAIN = {"channels_last": False, "amp": "off", "compile": False}  # whatever the model's defaults say
OPTIONS = {"plain": PLAIN, "channels_last": PLAIN | {"channels_last": True}, "bf16": PLAIN | {"amp": "bf16"},
           "compile": PLAIN | {"compile": True}}


def options(device: str, model: str) -> list[str]:
    return list(OPTIONS) if device == "cuda" else ["plain", "channels_last"] if _convolutional(model) else ["plain"]


def _convolutional(model: str) -> bool:
    spec = REG.models[model]
    G, D = spec.build(spec.shape, dict(spec.defaults))
    return any(isinstance(m, torch.nn.modules.conv._ConvNd) for m in [*G.modules(), *D.modules()])


def make_step(model: str, device: str, batch: int | str, option: str = "plain"):
    spec = REG.models[model]
    settings = {"batch_size": 60, "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.999} | dict(spec.defaults)
    settings |= OPTIONS[option]
    if batch != "default":
        settings["batch_size"] = batch
    n = settings["batch_size"]
    torch.manual_seed(0)
    G, D = build_models(spec, settings, model)
    fmt = accel.memory_format(settings, spec.shape)
    G.to(device, memory_format=fmt), D.to(device, memory_format=fmt)
    fused = {"fused": True} if device in ("cpu", "cuda") else {}
    betas = (settings["beta1"], settings["beta2"])
    ctx = StepContext(accel.compiled(G, settings), accel.compiled(D, settings),
                      torch.optim.Adam(G.parameters(), settings["lr_g"], betas=betas, **fused),
                      torch.optim.Adam(D.parameters(), settings["lr_d"], betas=betas, **fused),
                      spec.loss or BCE, spec.latent_dim, settings, 0, torch.device(device),
                      num_classes=settings["num_classes"] if spec.conditional else 0)
    step_fn = spec.train_step or adversarial_step
    data = (torch.rand(max(4 * n, 1024), *spec.shape, device=device) * 2 - 1).contiguous(memory_format=fmt)
    autocast = accel.autocast(settings, torch.device(device))

    def step():
        idx = torch.randint(len(data), (n,), device=device)
        with autocast:
            step_fn(ctx, data[idx])
        ctx.step += 1
        if INJECTED_SLEEP:
            time.sleep(INJECTED_SLEEP)

    try:
        with FlopCounterMode(display=False) as counter:
            step()
        return step, n, counter.get_total_flops() / n
    except RuntimeError:  # torch cannot count through a double backward (WGAN-GP's penalty)
        return step, n, None


def matmul_flops(device: str) -> float:
    """float32 FLOP/s of a large matrix multiply on this device, measured once per run."""
    if device not in _matmul:
        a = torch.randn(2048, 2048, device=device)
        b = torch.randn(2048, 2048, device=device)
        for _ in range(3):
            a @ b
        sync(device)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            a @ b
            sync(device)
            best = min(best, time.perf_counter() - start)
        _matmul[device] = 2 * 2048**3 / best
    return _matmul[device]


@pytest.mark.parametrize("device", devices())
def test_matmul_reference(benchmark, device):
    a = torch.randn(1024, 1024, device=device)

    def mm():
        a @ a
        sync(device)

    benchmark.group = f"reference {device}"
    benchmark.pedantic(mm, setup=lambda: sync(device), rounds=20, warmup_rounds=3)
    benchmark.extra_info.update(device=device_name(device), gflops=2 * 1024**3 / benchmark.stats.stats.median / 1e9
                                if benchmark.stats else None)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("model, device, option", [(m, d, o) for m in MODELS for d in devices() for o in options(d, m)])
def test_train_step(benchmark, model, device, option, batch):
    step, n, flops_per_image = make_step(model, device, batch, option)
    benchmark.group = f"train step {device} batch {batch}"
    rounds = 3 * ROUNDS if device == "cuda" else ROUNDS
    benchmark.pedantic(step, setup=lambda: sync(device), rounds=rounds, iterations=1, warmup_rounds=3)
    info = {"device": device_name(device), "batch": n, "option": option, "flops_per_image": flops_per_image}
    if benchmark.stats:  # None under --benchmark-disable (the smoke run)
        per_s = n / benchmark.stats.stats.median
        info["images_per_s"] = per_s
        if flops_per_image:
            info["matmul_share"] = per_s * flops_per_image / matmul_flops(device)
    benchmark.extra_info.update(info)


@pytest.mark.parametrize("model", ["mlp-gan", "dcgan"])
def test_seed_loop_reference(benchmark, model, tmp_path):
    """The seed's loop, batch 60, on the CPU: DataLoader with per-sample PIL transforms."""
    sys.path.insert(0, str(Path(__file__).parent))
    from seed_loop import make_seed, mnist_5k_as_torchvision, seed_batch_step
    from torch.utils.data import DataLoader

    spec = REG.models[model]
    G, D = spec.build(spec.shape, {})
    state = make_seed(G, D)
    batches = iter(DataLoader(mnist_5k_as_torchvision(tmp_path), batch_size=60, shuffle=True))

    def step():
        nonlocal batches
        try:
            real, _ = next(batches)
        except StopIteration:
            batches = iter(DataLoader(mnist_5k_as_torchvision(tmp_path), batch_size=60, shuffle=True))
            real, _ = next(batches)
        seed_batch_step(G, D, real, state)

    benchmark.group = "train step cpu batch default"
    benchmark.pedantic(step, rounds=10, iterations=1, warmup_rounds=2)
    benchmark.extra_info.update(device=device_name("cpu"), batch=60,
                                images_per_s=60 / benchmark.stats.stats.median if benchmark.stats else None)
