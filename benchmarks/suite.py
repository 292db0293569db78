"""Running one workload: build every framework, measure memory, time the modes interleaved.

For each workload: gpulayers, then each present peer, is built and its training step warmed up
(the peak device memory of that build + warm-up is recorded on the GPU); then, per mode (train,
infer), the frameworks and the BLAS floor (the mode's canonical GEMMs alone) run in interleaved
rounds (:mod:`benchmarks.timing`). A peer that is absent, or fails, is reported with the reason.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from benchmarks import timing
from benchmarks.gemm_rate import gemm_floor, total_flops
from benchmarks.peers import GpulayersMemory, TorchMemory, torch_sync
from benchmarks.workloads import Context, PeerSteps, Workload

__all__ = ["Options", "run_workload"]


@dataclass
class Options:
    """How much to time: rounds, steps per round, warm-up steps (each framework, each mode)."""

    rounds: int
    steps: int
    warmup: int
    absent: dict[str, str]  # peer -> reason, for peers absent from the whole run


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _build(build: Callable[[], PeerSteps], sync: Callable[[], None], warmup: int,
           probe: GpulayersMemory | TorchMemory) -> tuple[PeerSteps, int | None]:
    """Build a framework's steps and warm its training step up, under a memory probe."""
    probe.start()
    steps = build()
    timing.warm_up(steps.train, warmup, sync)
    return steps, probe.peak()


def _error(error: BaseException) -> str:
    return f"failed: {type(error).__name__}: {error}".splitlines()[0][:300]


def _timed(times: list[float], batch: int, flops: int | None,
           blas: list[float] | None) -> dict[str, Any]:
    summary = timing.stats(times)
    median = summary["median"]
    result: dict[str, Any] = {
        "median_ms": median * 1e3, "min_ms": summary["min"] * 1e3,
        "max_ms": summary["max"] * 1e3, "times_ms": [value * 1e3 for value in times],
        "samples_per_s": batch / median,
        "tflops": flops / median / 1e12 if flops else None, "pct_of_blas": None}
    if blas is not None:
        result["pct_of_blas"] = {key: value * 100 for key, value in
                                 timing.ratio_stats(blas, times).items()}
    return result


def run_workload(workload: Workload, context: Context, options: Options) -> dict[str, Any]:
    """Time ``workload`` for every framework and mode; the workload's JSON entry."""
    from gpulayers import backend

    gpu = context.device == "cuda"
    ours_sync = backend.synchronize
    entry: dict[str, Any] = {"description": workload.description, "batch": workload.batch,
                             "config": workload.config}
    _log(f"[{workload.name}] {workload.description}: building gpulayers")
    try:
        ours, ours_peak = _build(partial(workload.gpulayers, context), ours_sync, options.warmup,
                                 GpulayersMemory(gpu))
    except Exception as error:
        traceback.print_exc()
        return {**entry, "error": _error(error)}
    frameworks: dict[str, tuple[PeerSteps, Callable[[], None]]] = {
        "gpulayers": (ours, ours_sync)}
    peaks: dict[str, int | None] = {"gpulayers": ours_peak}
    absent = dict(options.absent)
    if isinstance(workload.keras, str):
        absent["keras"] = workload.keras
    for peer in ("torch", "keras"):
        if peer in absent:
            continue
        assert context.torch is not None
        sync = torch_sync(context.torch, context.device)
        _log(f"[{workload.name}] building {peer}")
        build: Callable[[], PeerSteps]
        if peer == "torch":
            build = partial(workload.torch, context)
        else:
            assert not isinstance(workload.keras, str)
            build = partial(workload.keras, context, ours.weights)
        try:
            steps, peak = _build(build, sync, options.warmup,
                                 TorchMemory(context.torch, context.device))
        except Exception as error:
            traceback.print_exc()
            absent[peer] = _error(error)
            continue
        frameworks[peer], peaks[peer] = (steps, sync), peak
    entry["peak_memory_bytes"] = peaks if gpu else None
    entry["modes"] = {}
    for mode, label in workload.modes.items():
        _log(f"[{workload.name}] timing {label}: {', '.join(frameworks)}")
        try:
            entry["modes"][mode] = _time_mode(workload, mode, label, frameworks, absent, options)
        except Exception as error:  # a failure while timing: reported, the suite goes on
            traceback.print_exc()
            return {**entry, "error": f"{mode}: {_error(error)}"}
    return entry


def _time_mode(workload: Workload, mode: str, label: str,
               frameworks: dict[str, tuple[PeerSteps, Callable[[], None]]],
               absent: dict[str, str], options: Options) -> dict[str, Any]:
    """One mode of a workload: interleaved rounds of every framework and the BLAS floor."""
    from gpulayers import backend

    variants = {name: timing.Timed(getattr(steps, mode), sync)
                for name, (steps, sync) in frameworks.items()}
    gemms = workload.gemms.get(mode) or []
    flops = total_flops(gemms) or None
    if gemms:
        variants["blas"] = timing.Timed(gemm_floor(gemms, backend.xp()), backend.synchronize)
    # The training steps were warmed up when built; a warm-up of the floor and inference here.
    warmup = options.warmup
    for name, variant in variants.items():
        if mode != "train" or name == "blas":
            timing.warm_up(variant.step, warmup, variant.sync)
    times = timing.interleaved(variants, options.rounds, options.steps)
    blas = times.get("blas")
    results: dict[str, Any] = {}
    ratios: dict[str, dict[str, float]] = {}
    for name in ("gpulayers", "torch", "keras"):
        if name in times:
            results[name] = _timed(times[name], workload.batch, flops, blas)
            if name != "gpulayers":
                ratios[name] = timing.ratio_stats(times["gpulayers"], times[name])
        else:
            results[name] = {"absent": absent.get(name, "not run")}
    return {"label": label, "gemm_flops": flops, "results": results, "ratios": ratios,
            "blas": _timed(blas, workload.batch, flops, None) if blas else None}
