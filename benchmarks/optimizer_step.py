"""One optimizer step over a model-sized parameter list: fused gpulayers vs unfused vs PyTorch.

For Adam and SGD with momentum 0.9, times ``apply_gradients`` over a ResNet/MLP-like list of
float32 parameters (a few 4M-element matrices and many small conv kernels and vectors) with
fixed gradients, for:

- ``gpulayers fused``: the optimizers as shipped (one fused multi-tensor update for the whole
  list: one kernel launch on CuPy);
- ``gpulayers per-parameter``: the same fused update called once per parameter (one launch
  each), to measure what the multi-tensor launch buys;
- ``gpulayers unfused``: the same optimizer with the previous whole-array expressions as its
  ``update_step`` (written below), to measure what fusing buys;
- ``torch foreach`` / ``torch fused``: ``torch.optim.Adam`` / ``SGD`` with ``foreach=True`` and
  ``fused=True`` on the same device ("unsupported" where this torch build refuses).

Method (shared/BENCHMARKING.md): warm-up, then interleaved rounds (every variant once per round,
each timing ``steps`` steps between device synchronizations); the table gives each variant's
median step time and the median [min, max] over rounds of its ratio to gpulayers fused.
Precision: fp32 parameters and state (no matmul, so TF32 plays no part).

    PYTHONPATH=. python benchmarks/optimizer_step.py [--size gpu|cpu|tiny] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
from collections.abc import Callable
from typing import Any

import numpy as np

import gpulayers as gl
from benchmarks.timing import Timed, interleaved
from gpulayers import backend
from gpulayers.optimizers import SGD, Adam

# (shape, count): 4M-element dense matrices, 3x3 conv kernels, bias/norm vectors.
SIZES = {
    "gpu": [((2048, 2048), 4), ((3, 3, 64, 64), 40), ((512,), 60)],
    "cpu": [((2048, 2048), 2), ((3, 3, 64, 64), 20), ((512,), 30)],
    "tiny": [((64, 64), 2), ((3, 3, 4, 4), 4), ((16,), 6)],
}
LEARNING_RATE = 1e-3


class UnfusedAdam(Adam):
    """Adam with the pre-fusion update: ~10 whole-array passes, each a new array."""

    def update_step(self, gradient: Any, variable: gl.Variable, learning_rate: float) -> None:
        xp = backend.xp()
        t = self.local_step
        alpha = learning_rate * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m.assign(m.data + (gradient - m.data) * (1.0 - self.beta_1))
        v.assign(v.data + (xp.square(gradient) - v.data) * (1.0 - self.beta_2))
        variable.assign(variable.data - (m.data * alpha) / (xp.sqrt(v.data) + self.epsilon))


def _per_parameter(optimizer_class: type) -> type:
    """``optimizer_class`` with one fused update per parameter: overriding ``update_step``
    makes the step call it for each variable, and the built-in ``update_step`` updates that
    one (one launch each on CuPy)."""

    def update_step(self: Any, gradient: Any, variable: gl.Variable,
                    learning_rate: float) -> None:
        optimizer_class.update_step(self, gradient, variable, learning_rate)

    return type(f"PerParameter{optimizer_class.__name__}", (optimizer_class,),
                {"update_step": update_step})


PerParameterAdam = _per_parameter(Adam)
PerParameterSGD = _per_parameter(SGD)


class UnfusedSGD(SGD):
    """SGD with momentum, pre-fusion: a few whole-array passes, each a new array."""

    def update_step(self, gradient: Any, variable: gl.Variable, learning_rate: float) -> None:
        m = self.momentums[self._get_variable_index(variable)]
        step = m.data * self.momentum - gradient * learning_rate
        m.assign(step)
        variable.assign(variable.data + step)


def _host_parameters(size: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    shapes = [shape for shape, count in SIZES[size] for _ in range(count)]
    params = [rng.standard_normal(s).astype("float32") * 0.05 for s in shapes]
    grads = [rng.standard_normal(s).astype("float32") * 1e-3 for s in shapes]
    return params, grads


def gpulayers_step(optimizer: Any, size: str) -> Callable[[], None]:
    """``step()`` applying fixed device gradients to fresh Variables with ``optimizer``."""
    params, grads = _host_parameters(size)
    variables = [gl.Variable(p) for p in params]
    pairs = list(zip([backend.to_device(g) for g in grads], variables))
    return lambda: optimizer.apply_gradients(pairs)


def torch_step(torch: Any, device: str, size: str, kind: str, mode: str
               ) -> Callable[[], None] | None:
    """``step()`` of a torch optimizer (``mode``: foreach or fused), or None if unsupported."""
    params, grads = _host_parameters(size)
    tensors = [torch.tensor(p, device=device, requires_grad=True) for p in params]
    for tensor, grad in zip(tensors, grads):
        tensor.grad = torch.tensor(grad, device=device)
    options = {mode: True}
    try:
        if kind == "adam":
            optimizer = torch.optim.Adam(tensors, lr=LEARNING_RATE, eps=1e-7, **options)
        else:
            optimizer = torch.optim.SGD(tensors, lr=LEARNING_RATE, momentum=0.9, **options)
        optimizer.step()  # some builds only refuse a mode when stepping
    except (RuntimeError, TypeError, ValueError):
        return None
    return optimizer.step


def measure(variants: dict[str, tuple[Callable[[], None], Callable[[], None]]], rounds: int,
            steps: int, warmup: int) -> dict[str, list[float]]:
    """Per-variant step times (seconds), one per round, variants interleaved in each round."""
    return interleaved({name: Timed(step, sync) for name, (step, sync) in variants.items()},
                       rounds, steps, warmup)


def rows_for(kind: str, times: dict[str, list[float]]) -> list[dict[str, Any]]:
    """Table rows: median ms per variant and its per-round ratio to gpulayers fused."""
    base = times["gpulayers fused"]
    rows = []
    for name, values in times.items():
        ratios = [value / reference for value, reference in zip(values, base)]
        rows.append({"optimizer": kind, "variant": name, "median_ms": statistics.median(values)
                     * 1e3, "ratio_median": statistics.median(ratios),
                     "ratio_min": min(ratios), "ratio_max": max(ratios)})
    return rows


def _torch(threads: int | None) -> Any:
    try:
        import torch
    except ImportError:
        return None
    if threads:
        torch.set_num_threads(threads)
    return torch


def _variants(kind: str, size: str, torch: Any, device: str
              ) -> dict[str, tuple[Callable[[], None], Callable[[], None]]]:
    classes = ((Adam, PerParameterAdam, UnfusedAdam) if kind == "adam" else
               (SGD, PerParameterSGD, UnfusedSGD))
    options = {} if kind == "adam" else {"momentum": 0.9}
    fused, per_parameter, unfused = (cls(LEARNING_RATE, **options) for cls in classes)
    sync = backend.synchronize
    variants = {"gpulayers fused": (gpulayers_step(fused, size), sync),
                "gpulayers per-parameter": (gpulayers_step(per_parameter, size), sync),
                "gpulayers unfused": (gpulayers_step(unfused, size), sync)}
    if torch is not None:
        torch_sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
        for mode in ("foreach", "fused"):
            step = torch_step(torch, device, size, kind, mode)
            if step is not None:
                variants[f"torch {mode}"] = (step, torch_sync)
    return variants


def _meta(size: str, torch: Any, device: str) -> dict[str, Any]:
    shapes = SIZES[size]
    meta = {"backend": backend.backend(), "size": size, "precision": "fp32",
            "parameters": sum(math.prod(s) * n for s, n in shapes),
            "tensors": sum(n for _, n in shapes), "numpy": np.__version__,
            "torch": getattr(torch, "__version__", "absent"), "commit": _commit()}
    if torch is not None:
        meta["torch_threads"] = torch.get_num_threads()
        if device == "cuda":
            meta["device"] = torch.cuda.get_device_name()
    if backend.is_gpu():
        import cupy

        properties = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
        meta.update(cupy=cupy.__version__, device=properties["name"].decode(),
                    driver=cupy.cuda.runtime.driverGetVersion())
    return meta


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default=None,
                        help="parameter list (default: gpu on the cupy backend, else cpu)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=None, help="steps timed per round")
    parser.add_argument("--torch-threads", type=int, default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    size = args.size or ("gpu" if backend.is_gpu() else "cpu")
    device = "cuda" if backend.is_gpu() else "cpu"
    torch = _torch(args.torch_threads)
    if torch is not None and device == "cuda" and not torch.cuda.is_available():
        torch = None
    steps = args.steps or (20 if device == "cuda" else 5)
    warmup = 10 if device == "cuda" else 2
    rows = []
    for kind in ("adam", "sgd_momentum"):
        times = measure(_variants(kind, size, torch, device), args.rounds, steps, warmup)
        rows += rows_for(kind, times)
    meta = _meta(size, torch, device)
    _print_table(rows, meta)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"meta": meta, "rows": rows}, handle, indent=2)


def _print_table(rows: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    print(" ".join(f"{key}={value}" for key, value in meta.items()))
    print("| optimizer | variant | median ms / step | ratio to gpulayers fused "
          "(median [min, max]) |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row['optimizer']} | {row['variant']} | {row['median_ms']:.3f} | "
              f"{row['ratio_median']:.2f} [{row['ratio_min']:.2f}, {row['ratio_max']:.2f}] |")


if __name__ == "__main__":
    main()
