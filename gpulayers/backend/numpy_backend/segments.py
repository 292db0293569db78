"""Segment reductions on the CPU: unbuffered ``ufunc.at`` scatters.

Same names and signatures as :mod:`gpulayers.backend.cupy_backend.segments`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["scatter_reduce"]

_UFUNCS = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


def scatter_reduce(target: Any, index: Any, values: Any, reduction: str) -> None:
    """``target[index[i]] = reduction(target[index[i]], values[i])`` in place, for every i
    (repeated indices accumulate).

    Args:
        target: array ``(S, ...)``, pre-filled with the reduction's identity.
        index: int array ``(N,)`` of rows of ``target``, all in range.
        values: array ``(N, ...)`` matching ``target``'s trailing shape.
        reduction: ``'sum'``, ``'prod'``, ``'max'`` or ``'min'``.
    """
    _UFUNCS[reduction].at(target, index, values)
