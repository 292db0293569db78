"""Scatter primitives on the GPU: the backward of gathers (indexing, take, pad, repeat)."""

from __future__ import annotations

from typing import Any

import cupy

__all__ = ["scatter_add"]


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` in place, accumulating repeated indices (atomic adds).

    Same contract as ``numpy_backend.scatter.scatter_add``: ``index`` is any CuPy index of
    ints, slices, None, Ellipsis and integer arrays; boolean masks as ``mask.nonzero()``.
    ``cupy.add.at`` replaces ``cupyx.scatter_add``, which CuPy 14 deprecates.
    """
    cupy.add.at(target, index, values)
