"""The one timing core of the benchmarks: warm-up, interleaved rounds, medians and ratios.

Method (shared BENCHMARKING.md): every variant (gpulayers, each peer, the BLAS floor) runs in the
same process; after a warm-up that is never timed, each *round* times every variant once, in turn
(A B C A B C ...), over ``steps`` calls bracketed by a device synchronization (the host clock is
read only after the device has finished). A variant's time is the median over rounds; a ratio is
the median over rounds of the per-round ratio, reported with its min and max, because the rounds
of two variants share whatever load the machine had at that moment.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Timed", "interleaved", "ratio_stats", "stats", "time_steps", "warm_up"]


def _no_sync() -> None:
    """Synchronization of a host-only variant: nothing to wait for."""


@dataclass
class Timed:
    """A step to time and the synchronization that makes its device work finish."""

    step: Callable[[], object]
    sync: Callable[[], None] = _no_sync


def time_steps(step: Callable[[], object], steps: int,
               sync: Callable[[], None] = _no_sync) -> float:
    """Seconds per call of ``step`` over ``steps`` calls, synchronized before and after."""
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    return (time.perf_counter() - start) / steps


def warm_up(step: Callable[[], object], steps: int, sync: Callable[[], None] = _no_sync) -> None:
    """Run ``step`` ``steps`` times untimed (kernel compilation, caches, lazy builds)."""
    for _ in range(steps):
        step()
    sync()


def interleaved(variants: Mapping[str, Timed], rounds: int, steps: int,
                warmup: int = 0) -> dict[str, list[float]]:
    """Per-variant seconds per step, one value per round, the variants interleaved in each round.

    Each variant is first warmed up ``warmup`` steps (untimed).
    """
    for variant in variants.values():
        warm_up(variant.step, warmup, variant.sync)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, variant in variants.items():
            times[name].append(time_steps(variant.step, steps, variant.sync))
    return times


def stats(values: Sequence[float]) -> dict[str, float]:
    """Median, min and max of ``values``."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def ratio_stats(numerator: Sequence[float], denominator: Sequence[float]) -> dict[str, float]:
    """Median, min and max over rounds of ``numerator[r] / denominator[r]``."""
    return stats([a / b for a, b in zip(numerator, denominator, strict=True)])
