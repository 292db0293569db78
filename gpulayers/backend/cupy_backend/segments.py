"""Segment reductions on the GPU: CuPy's atomic ``ufunc.at`` scatters.

CuPy implements ``at`` only for some ufuncs (add, subtract, maximum, minimum); there is no
atomic multiply, so ``'prod'`` (and any dtype CuPy's scatter rejects) makes a round trip to
the host and NumPy computes it: correct, but a device-host copy each call.
"""

from __future__ import annotations

from typing import Any

import cupy
import numpy as np

__all__ = ["scatter_reduce"]

_DEVICE = {"sum": cupy.add, "max": cupy.maximum, "min": cupy.minimum}
_HOST = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


def scatter_reduce(target: Any, index: Any, values: Any, reduction: str) -> None:
    """``target[index[i]] = reduction(target[index[i]], values[i])`` in place (same contract
    as ``numpy_backend.segments.scatter_reduce``)."""
    ufunc = _DEVICE.get(reduction)
    if ufunc is not None:
        try:
            ufunc.at(target, index, values)
            return
        except (TypeError, NotImplementedError):
            pass  # e.g. a dtype without an atomic: fall back to the host below
    host = cupy.asnumpy(target)
    _HOST[reduction].at(host, cupy.asnumpy(index), cupy.asnumpy(values))
    target[...] = cupy.asarray(host)
