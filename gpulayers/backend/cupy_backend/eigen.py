"""General (non-symmetric) eigendecomposition on the GPU.

``cupy.linalg.eig`` exists from CuPy 14 (cuSOLVER's ``geev``, CUDA 12.6 update 2 or later).
Where it is missing or the installed cuSOLVER lacks ``geev``, the matrices make a round trip
to the host and NumPy computes them: correct, but a device-host copy each call.
"""

from __future__ import annotations

from typing import Any

import cupy
import numpy as np

__all__ = ["eig"]


def eig(a: Any) -> tuple[Any, Any]:
    """Eigenvalues ``(..., M)`` and right eigenvectors ``(..., M, M)``, as complex arrays."""
    device_eig = getattr(cupy.linalg, "eig", None)
    if device_eig is not None:
        try:
            w, v = device_eig(a)
        except (AttributeError, NotImplementedError, RuntimeError):
            device_eig = None  # cuSOLVER without geev: fall back to the host below
    if device_eig is None:
        w, v = np.linalg.eig(cupy.asnumpy(a))
        w, v = cupy.asarray(w), cupy.asarray(v)
    return w.astype(cupy.result_type(w, cupy.complex64)), v.astype(
        cupy.result_type(v, cupy.complex64))
