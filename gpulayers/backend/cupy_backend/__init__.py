"""The CuPy backend: the same primitives as ``numpy_backend``, on an NVIDIA GPU.

GEMMs go through ``cupy.matmul`` (cuBLAS); convolution, pooling and recurrent gates call the
hand-written kernels in ``kernels/`` through :mod:`gpulayers.backend.kernels`.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import cupy as xp

NAME = "cupy"


def asarray(value: Any, dtype: Any = None) -> Any:
    """Host or device value -> cupy array on the current device."""
    return xp.asarray(value, dtype=dtype)


_FAMILIES: dict[str, ModuleType] = {}


def primitives(family: str) -> ModuleType:
    """This backend's module for a primitive family (``im2col``, ``pooling``, ``rnn``, ...)."""
    module = _FAMILIES.get(family)
    if module is None:  # ops ask on every call: import_module's lookup is not free
        module = _FAMILIES[family] = importlib.import_module(f"{__name__}.{family}")
    return module


def synchronize() -> None:
    """Wait until the device has finished all queued work (for timing)."""
    xp.cuda.Device().synchronize()
