"""Scatter primitives on the CPU: the backward of gathers (indexing, take, pad, repeat)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["scatter_add"]


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` in place, accumulating repeated indices.

    Plain ``target[index] += values`` writes each repeated position once; ``np.add.at`` adds
    every occurrence, which is what the gradient of a gather needs.

    Args:
        target: the array to add into (modified in place).
        index: any NumPy index (ints, slices, None, Ellipsis, integer arrays, or a tuple of
            them); boolean masks should be given as ``mask.nonzero()``.
        values: broadcastable to ``target[index].shape``.

    Example::

        g = np.zeros(3); scatter_add(g, np.array([0, 0, 2]), np.ones(3))   # g -> [2., 0., 1.]
    """
    np.add.at(target, index, values)
