"""The suite's workloads, by name, in report order.

Each family module holds the gpulayers, PyTorch and Keras builders of its workloads side by side;
:func:`make` builds one at a suite size. Sizes: ``large`` (GEMM-bound GPU sizes), ``cpu`` (reduced),
``small`` (the ``cpu`` shapes, run on a GPU: the launch-bound regime), ``tiny`` (CI, seconds).
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.workloads import convnet, kernels, mlp, recurrent, text_conv1d
from benchmarks.workloads.base import MODES, Context, PeerSteps, Workload

__all__ = ["ALIASES", "MODES", "NAMES", "SIZES", "Context", "PeerSteps", "Workload", "make",
           "resolve"]

SIZES = ("large", "small", "cpu", "tiny")
_SHAPES = {"large": "large", "small": "cpu", "cpu": "cpu", "tiny": "tiny"}

_FACTORIES: dict[str, Callable[[str, int], Workload]] = {
    "mlp": mlp.workload,
    "convnet": convnet.workload,
    "lstm": lambda size, seed: recurrent.workload("lstm", size, seed),
    "gru": lambda size, seed: recurrent.workload("gru", size, seed),
    "conv1d_text": text_conv1d.workload,
    "conv2d_op": kernels.conv2d_op,
    "maxpool_op": kernels.maxpool_op,
    "lstm_op": kernels.lstm_op,
}
NAMES = tuple(_FACTORIES)
ALIASES = {"all": NAMES, "models": NAMES[:5], "kernels": NAMES[5:]}


def resolve(spec: str) -> list[str]:
    """Workload names from a comma-separated list of names and aliases (all, models, kernels)."""
    names: list[str] = []
    for part in (item.strip() for item in spec.split(",")):
        if not part:
            continue
        if part not in _FACTORIES and part not in ALIASES:
            raise ValueError(f"unknown workload {part!r}: expected some of "
                             f"{', '.join(NAMES + tuple(ALIASES))}")
        names += [name for name in ALIASES.get(part, (part,)) if name not in names]
    return names


def make(name: str, size: str, seed: int = 0) -> Workload:
    """Workload ``name`` at suite size ``size`` (``small`` uses the ``cpu`` shapes)."""
    return _FACTORIES[name](_SHAPES[size], seed)
