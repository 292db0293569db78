"""General (non-symmetric) eigendecomposition on the CPU: ``numpy.linalg.eig``.

Same names and signatures as :mod:`gpulayers.backend.cupy_backend.eigen`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["eig"]


def eig(a: Any) -> tuple[Any, Any]:
    """Eigenvalues ``(..., M)`` and right eigenvectors ``(..., M, M)`` (columns), always as
    complex arrays (NumPy returns real ones when every eigenvalue is real)."""
    w, v = np.linalg.eig(a)
    return w.astype(np.result_type(w, np.complex64)), v.astype(np.result_type(v, np.complex64))
