"""How float32 matrix products may trade precision for speed on a GPU (torch's setting).

Tensor cores multiply float32 matrices several times faster when the inputs are rounded
internally (to TF32's 10-bit or bfloat16's 7-bit mantissa) while storage and accumulation stay
float32. gpulayers runs every GEMM through cuBLAS on CuPy (Dense, the im2col convolutions, the
recurrent layers, attention), so one setting covers them all:

- ``"highest"`` (default): full float32 products;
- ``"high"``: TF32 tensor cores (float32 range, about 3 decimal digits per product);
- ``"medium"``: bfloat16 tensor cores (float32 range, about 2 decimal digits per product).

The names and meanings are PyTorch's ``torch.set_float32_matmul_precision``. On CuPy this sets
the cuBLAS compute type of float32 products for the whole process (CuPy's own ``CUPY_TF32=1``
gives ``"high"``, and is what the default reports when it is set). NumPy's BLAS has no such mode:
on the CPU the setting is kept but changes nothing.

Example::

    gpulayers.config.set_float32_matmul_precision("high")   # TF32 on the GPU
"""

from __future__ import annotations

import os

__all__ = ["CUPY_COMPUTE_TYPES", "PRECISIONS", "get_float32_matmul_precision",
           "set_float32_matmul_precision"]

PRECISIONS = ("highest", "high", "medium")
# The cuBLAS compute type (CuPy's constant names) of float32 products for each precision.
CUPY_COMPUTE_TYPES = {"highest": "COMPUTE_TYPE_FP32", "high": "COMPUTE_TYPE_TF32",
                      "medium": "COMPUTE_TYPE_BF16"}


def _initial_precision() -> str:
    """``"high"`` where CuPy is told to use TF32 (``CUPY_TF32`` set and not 0), else
    ``"highest"``: what CuPy does before anyone sets the precision."""
    return "high" if os.environ.get("CUPY_TF32", "0").strip() not in ("", "0") else "highest"


_precision = _initial_precision()


def get_float32_matmul_precision() -> str:
    """The current setting: ``"highest"``, ``"high"`` or ``"medium"``."""
    return _precision


def set_float32_matmul_precision(precision: str) -> None:
    """Let float32 matrix products on the GPU use TF32 (``"high"``) or bfloat16 (``"medium"``)
    tensor cores, or keep them full float32 (``"highest"``, the default).

    Takes effect at once for every later product, on the CuPy backend; on the CPU it changes
    nothing (NumPy's BLAS computes in full float32 always).

    Args:
        precision: ``"highest"``, ``"high"`` or ``"medium"`` (see the module docstring).

    Raises:
        ValueError: ``precision`` is not one of ``"highest"``, ``"high"``, ``"medium"``.
        RuntimeError: the installed CuPy has no cuBLAS compute-type setting.
    """
    global _precision
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise ValueError(f"set_float32_matmul_precision: expected one of {PRECISIONS}. "
                         f"Received: precision={precision!r}")
    _apply_to_cupy(precision)
    _precision = precision


def _apply_to_cupy(precision: str) -> None:
    """Set CuPy's float32 compute type where CuPy can run (it is process-wide in CuPy)."""
    from gpulayers.backend.cupy_availability import unavailable_reason

    if unavailable_reason() is not None:
        return
    import numpy

    try:
        from cupy._core import _routines_linalg  # CuPy's cuBLAS compute-type registry

        compute_type = getattr(_routines_linalg, CUPY_COMPUTE_TYPES[precision])
        setter = _routines_linalg.set_compute_type
    except (ImportError, AttributeError) as error:
        raise RuntimeError(
            f"set_float32_matmul_precision: this CuPy build has no cuBLAS compute-type setting "
            f"({error}); set CUPY_TF32=1 before the first matrix product instead") from error
    setter(numpy.float32, compute_type)
