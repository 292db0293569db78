"""The array backend: NumPy on the CPU, CuPy on NVIDIA GPUs.

This package is the only part of gpulayers that imports numpy or cupy. Everything above it
asks for the active array module with :func:`xp` and for the heavy primitives (im2col,
pooling, fused RNN gates, ...) with :func:`primitives`, so the same model code runs on both.

Selecting a backend::

    GPULAYERS_BACKEND=numpy python train.py      # or cupy
    gpulayers.backend.set_backend("cupy")        # at run time
    with gpulayers.backend.use_backend("numpy"):  # temporarily
        ...

Without a choice, CuPy is used when a CUDA device is usable, otherwise NumPy; one line is
logged saying which and why.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from gpulayers.backend import deferred_checks
from gpulayers.backend.config import (
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_data_format,
)
from gpulayers.backend.utilities import (
    clear_session,
    get_uid,
    is_float_dtype,
    is_int_dtype,
    is_keras_tensor,
    result_type,
    standardize_dtype,
)

__all__ = [
    "BACKENDS", "backend", "clear_session", "cupy_unavailable_reason", "deferred_checks",
    "dtype_name", "epsilon", "floatx", "get_backend", "get_uid", "image_data_format",
    "is_array", "is_float_dtype", "is_gpu", "is_int_dtype", "is_keras_tensor", "primitives",
    "result_type", "set_backend", "set_epsilon", "set_floatx", "set_image_data_format",
    "standardize_data_format", "standardize_dtype", "synchronize", "to_device", "to_numpy",
    "use_backend", "xp",
]

BACKENDS = ("numpy", "cupy")
_logger = logging.getLogger("gpulayers")
_active: ModuleType | None = None


def _load(name: str) -> ModuleType:
    if name not in BACKENDS:
        raise ValueError(f"Unknown backend {name!r}: expected one of {BACKENDS}.")
    if name == "cupy":
        reason = cupy_unavailable_reason()
        if reason is not None:
            raise RuntimeError(f"The cupy backend was requested but cannot be used: {reason}")
    return importlib.import_module(f"gpulayers.backend.{name}_backend")


def cupy_unavailable_reason() -> str | None:
    """Why CuPy cannot run here (not installed / no device / driver too old), or None if it can."""
    from gpulayers.backend.cupy_availability import unavailable_reason

    return unavailable_reason()


def _default() -> ModuleType:
    requested = os.environ.get("GPULAYERS_BACKEND", "").strip().lower()
    if requested:
        module = _load(requested)
        _logger.info("gpulayers: using the %s backend (GPULAYERS_BACKEND)", requested)
        return module
    reason = cupy_unavailable_reason()
    if reason is None:
        _logger.info("gpulayers: using the cupy backend (a CUDA device is usable)")
        return _load("cupy")
    _logger.info("gpulayers: using the numpy backend (cupy unusable: %s)", reason)
    return _load("numpy")


def _current() -> ModuleType:
    global _active
    if _active is None:
        _active = _default()
    return _active


def backend() -> str:
    """Name of the active backend: ``'numpy'`` or ``'cupy'`` (Keras's ``backend()``)."""
    return _current().NAME


get_backend = backend


def set_backend(name: str) -> None:
    """Make ``name`` (``'numpy'`` or ``'cupy'``) the active backend for new arrays and ops.

    Raises RuntimeError naming the reason when ``'cupy'`` is asked for but unusable.
    """
    global _active
    _active = _load(str(name).lower())


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Run a block on another backend, restoring the previous one afterwards."""
    global _active
    previous = _current()
    _active = _load(str(name).lower())
    try:
        yield
    finally:
        _active = previous


def is_gpu() -> bool:
    """True when the active backend runs on a GPU."""
    return _current().NAME == "cupy"


def synchronize() -> None:
    """Block until the device has finished queued work (a no-op on NumPy); use before timing."""
    _current().synchronize()


def xp() -> ModuleType:
    """The active array module (``numpy`` or ``cupy``)."""
    return _current().xp


def primitives(family: str) -> ModuleType:
    """The active backend's implementation of a primitive family, e.g. ``primitives('im2col')``.

    Every family module exists in both ``numpy_backend`` and ``cupy_backend`` with the same
    function names and signatures; the NumPy one is the reference.
    """
    return _current().primitives(family)


def is_array(value: Any) -> bool:
    """True for an array of any installed backend (numpy.ndarray or cupy.ndarray)."""
    from gpulayers.backend import numpy_backend

    if isinstance(value, numpy_backend.xp.ndarray):
        return True
    cupy = _loaded_cupy()
    return cupy is not None and isinstance(value, cupy.ndarray)


def _loaded_cupy() -> ModuleType | None:
    import sys

    return sys.modules.get("cupy")


_DTYPE_NAMES: dict[Any, str] = {}


def dtype_name(dtype: Any) -> str:
    """``numpy.dtype(dtype).name``, remembered: NumPy parses a spelling and rebuilds ``.name``
    on every call, and ops ask for dtype names all the time.

    Example: ``dtype_name(x.dtype)`` -> ``'float32'``.
    """
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        from gpulayers.backend import numpy_backend

        name = _DTYPE_NAMES[dtype] = numpy_backend.xp.dtype(dtype).name
    return name


def to_numpy(value: Any) -> Any:
    """Copy any array (NumPy, CuPy or a gpulayers Tensor) to a NumPy array on the host.

    Always a copy, on both backends: weights read with ``get_weights()`` or ``numpy()`` are
    snapshots that later (in-place) optimizer steps do not change.
    """
    from gpulayers.backend import numpy_backend

    deferred_checks.raise_pending()  # the host waits for the device here anyway
    if hasattr(value, "_data"):  # a gpulayers Tensor or Variable
        value = value._data
    cupy = _loaded_cupy()
    if cupy is not None and isinstance(value, cupy.ndarray):
        return value.get()
    return numpy_backend.xp.array(value)


def to_device(value: Any, dtype: Any = None) -> Any:
    """Move a host value (array, list, scalar) onto the active backend's device."""
    return _current().asarray(value, dtype=dtype)
