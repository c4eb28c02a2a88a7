"""pytest-benchmark set-up: the device in the machine info and in every group, so CPU and
GPU results never compare against each other, and an optional injected slowdown used by
the test that proves `make bench-check` catches a regression."""

from __future__ import annotations

import os
import platform

import torch


def devices() -> list[str]:
    return (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]


def device_name(device: str) -> str:
    if device == "cuda":
        return torch.cuda.get_device_name(0)
    return f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"


def pytest_benchmark_update_machine_info(config, machine_info):
    machine_info["torch"] = torch.__version__
    machine_info["devices"] = {d: device_name(d) for d in devices()}
    machine_info["cpu_threads"] = torch.get_num_threads()


# Seconds to sleep in every timed ganzoo step: only for proving that bench-check fails.
INJECTED_SLEEP = float(os.environ.get("GANZOO_BENCH_INJECT_SLEEP", "0"))
# Timed rounds per CPU benchmark (the regression test uses fewer).
ROUNDS = int(os.environ.get("GANZOO_BENCH_ROUNDS", "10"))
