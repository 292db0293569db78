"""Launch plumbing shared by the CuPy wrappers of the kernels in ``kernels/``.

Every kernel there is a grid-stride loop with one ``extern "C"`` entry point per dtype (suffix
``_f32`` or ``_f64``), launched on a 1-d grid of :data:`THREADS_PER_BLOCK`-thread blocks. The
3-d kernels (im2col, pooling) take their geometry as ``long long`` scalars, 1D and 2D problems
lifted to 3D with leading spatial dims of length 1.

Example::

    function = kernels.get_function("pooling", f"avg_pool_forward_{dtype_suffix(dtype)}")
    launch(function, output.size, (contiguous(x, dtype), output, *geometry), max_blocks=65535)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cupy as cp

__all__ = [
    "THREADS_PER_BLOCK", "contiguous", "dtype_suffix", "kernel_dtype", "launch", "lifted_geometry",
]

THREADS_PER_BLOCK = 256
_SUFFIXES = {"f": "f32", "d": "f64"}  # by dtype.char (dtype.name is slow on the launch path)
_HALF_SUFFIX = {"e": "f16"}  # families with float16 entry points (float16 data, float math)


def dtype_suffix(dtype: Any) -> str | None:
    """The entry-point suffix of a dtype: ``'f32'``, ``'f64'``, ``'f16'``, or None where no
    kernel runs it."""
    return _SUFFIXES.get(dtype.char) or _HALF_SUFFIX.get(dtype.char)


def kernel_dtype(dtype: Any, op: str, native_float16: bool = False) -> Any:
    """The dtype a kernel runs in: float32/float64 as they are, float16 as it is where the
    family has float16 entry points (``native_float16``), other floats in float32.

    Raises TypeError (naming ``op``) for non-float dtypes.
    """
    dtype = cp.dtype(dtype)
    if dtype.char in _SUFFIXES or (native_float16 and dtype.char in _HALF_SUFFIX):
        return dtype
    if dtype.kind == "f" or dtype.name == "bfloat16":
        return cp.dtype(cp.float32)
    raise TypeError(f"{op}: expected a float array. Received dtype={dtype.name}")


def contiguous(array: Any, dtype: Any) -> Any:
    """``array`` as a C-contiguous array of ``dtype`` (no copy when it already is one)."""
    return cp.ascontiguousarray(array, dtype=dtype)


def launch(function: Any, threads: int, args: tuple[Any, ...], max_blocks: int) -> None:
    """Run ``function(*args)`` on enough blocks for ``threads`` threads, at most ``max_blocks``
    (the kernels' grid-stride loops cover the rest)."""
    blocks = min((threads + THREADS_PER_BLOCK - 1) // THREADS_PER_BLOCK, max_blocks)
    function((blocks,), (THREADS_PER_BLOCK,), args)


def lifted_geometry(batch: int, channels: int, per_dim: Sequence[Sequence[int]],
                    pad_before: Sequence[int]) -> tuple[Any, ...]:
    """The ``long long`` geometry parameters of a 3-d kernel, in the order the kernels take them.

    ``batch, channels``, then each tuple of ``per_dim`` (one value per spatial dim: input
    shape, output shape, window, strides, ...) and last ``pad_before``, each lifted to 3
    spatial dims by leading 1s (leading 0s for the padding).
    """
    lift = 3 - len(pad_before)
    values = (
        batch, channels,
        *(value for values in per_dim for value in (1,) * lift + tuple(values)),
        *((0,) * lift + tuple(pad_before)),
    )
    return tuple(cp.int64(value) for value in values)
