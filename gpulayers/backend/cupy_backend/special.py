"""Special functions on the GPU: ``erf`` (for the exact GELU), ``erfc``, ``erfinv`` and ``i1``,
from ``cupyx.scipy.special``.

Same names and signatures as :mod:`gpulayers.backend.numpy_backend.special`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cupy as cp
import cupyx.scipy.special as cupy_special

__all__ = ["erf", "erfc", "erfinv", "i1"]


def _in_float32_or_64(function: Callable[[Any], Any], x: Any) -> Any:
    """Apply ``function`` in float32/float64 (float16 goes through float32 and back; integer
    inputs give float64, like the NumPy backend)."""
    x = cp.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else cp.dtype("float64")
    compute = dtype if dtype.name in ("float32", "float64") else cp.dtype("float32")
    return function(x.astype(compute, copy=False)).astype(dtype, copy=False)


def erf(x: Any) -> Any:
    """The error function, elementwise.

    Args:
        x: float array of any shape.

    Returns:
        An array of the same shape and dtype.
    """
    return _in_float32_or_64(cupy_special.erf, x)


def erfc(x: Any) -> Any:
    """The complementary error function ``1 - erf(x)``, accurate in the upper tail.

    Args:
        x: float array of any shape.

    Returns:
        An array of the same shape and dtype.
    """
    return _in_float32_or_64(cupy_special.erfc, x)


def erfinv(y: Any) -> Any:
    """The inverse error function (``+-inf`` at ``+-1``, NaN outside ``[-1, 1]``).

    Args:
        y: float array of any shape.

    Returns:
        An array of the same shape and dtype.
    """
    return _in_float32_or_64(cupy_special.erfinv, y)


def i1(x: Any) -> Any:
    """The modified Bessel function of the first kind of order 1 (``d/dx cupy.i0``).

    Args:
        x: float array of any shape.

    Returns:
        An array of the same shape and dtype.
    """
    return _in_float32_or_64(cupy_special.i1, x)
