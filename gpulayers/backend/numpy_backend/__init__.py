"""The NumPy backend: the reference implementation of every primitive, on the CPU."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as xp

NAME = "numpy"


def asarray(value: Any, dtype: Any = None) -> Any:
    """Host value -> numpy array (CuPy arrays are copied back to the host)."""
    if hasattr(value, "get") and type(value).__module__.startswith("cupy"):
        value = value.get()
    return xp.asarray(value, dtype=dtype)


_FAMILIES: dict[str, ModuleType] = {}


def primitives(family: str) -> ModuleType:
    """This backend's module for a primitive family (``im2col``, ``pooling``, ``rnn``, ...)."""
    module = _FAMILIES.get(family)
    if module is None:  # ops ask on every call: import_module's lookup is not free
        module = _FAMILIES[family] = importlib.import_module(f"{__name__}.{family}")
    return module


def synchronize() -> None:
    """Nothing to wait for on the CPU."""
