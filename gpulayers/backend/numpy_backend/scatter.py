"""Scatter primitives on the CPU: the backward of gathers (indexing, take, pad, repeat)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["scatter_add"]

# Below this many rows the per-element index array costs more than it saves.
_ROWS_FOR_FLAT_PATH = 64


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` in place, accumulating repeated indices.

    Plain ``target[index] += values`` writes each repeated position once; ``np.add.at`` adds
    every occurrence, which is what the gradient of a gather needs. Whole rows picked by one
    integer array (an Embedding's or ``take``'s gradient) go through ``np.add.at`` on the
    flattened target with one index per element: NumPy's 1-D fast path, about 3x faster
    than its row-by-row loop, with the same additions in the same order.

    Args:
        target: the array to add into (modified in place).
        index: any NumPy index (ints, slices, None, Ellipsis, integer arrays, or a tuple of
            them); boolean masks should be given as ``mask.nonzero()``.
        values: broadcastable to ``target[index].shape``.

    Example::

        g = np.zeros(3); scatter_add(g, np.array([0, 0, 2]), np.ones(3))   # g -> [2., 0., 1.]
    """
    rows = _row_index(target, index, values)
    if rows is None:
        np.add.at(target, index, values)
        return
    row_size = values.size // rows.size
    flat_rows = rows.reshape(-1, 1)
    flat_rows = np.where(flat_rows < 0, flat_rows + target.shape[0], flat_rows)
    cells = (flat_rows * row_size + np.arange(row_size)).reshape(-1)
    # the same additions in the same order as np.add.at over rows, on its fast 1-D path
    np.add.at(target.reshape(-1), cells, values.reshape(-1))


def _row_index(target: Any, index: Any, values: Any) -> Any:
    """The integer array when ``index`` picks whole rows of ``target`` once per entry of
    ``values`` (the flat-index case), else None."""
    if isinstance(index, tuple):
        if len(index) != 1:
            return None
        index = index[0]
    if not isinstance(index, np.ndarray) or index.dtype.kind not in "iu" or target.ndim < 2:
        return None
    if index.size < _ROWS_FOR_FLAT_PATH or not isinstance(values, np.ndarray):
        return None
    if not target.flags.c_contiguous:  # the flat view must be the target itself
        return None
    if values.shape != index.shape + target.shape[1:]:
        return None
    return index
