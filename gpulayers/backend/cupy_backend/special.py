"""Special functions on the GPU: ``erf`` (for the exact GELU), from ``cupyx.scipy.special``.

Same names and signatures as :mod:`gpulayers.backend.numpy_backend.special`.
"""

from __future__ import annotations

from typing import Any

import cupy as cp
import cupyx.scipy.special as cupy_special

__all__ = ["erf"]


def erf(x: Any) -> Any:
    """The error function, elementwise (float16 is computed in float32 and cast back).

    Args:
        x: float array of any shape.

    Returns:
        An array of the same shape and dtype.
    """
    x = cp.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else cp.dtype("float64")
    compute = dtype if dtype.name in ("float32", "float64") else cp.dtype("float32")
    return cupy_special.erf(x.astype(compute, copy=False)).astype(dtype, copy=False)
