"""``split_dataset``: one dataset as two (e.g. train / test), Keras 3's ``keras.utils``
function for arrays, tuples/lists of arrays and ``PyDataset``s.

The split follows Keras's ``tf.data`` path: the samples (shuffled first, with Python's
``random`` seeded by ``seed``, when ``shuffle``) give the left split from the front and the
right split from the back. Sizes are Keras's: a float is a fraction (rounded), an int a count.
"""

from __future__ import annotations

import math
import random
from typing import Any

from gpulayers.backend import host_data, host_datasets
from gpulayers.utils.py_dataset import PyDataset

__all__ = ["DatasetSplit", "split_dataset"]

_WHO = "split_dataset"


class DatasetSplit(PyDataset):
    """The samples ``rows`` of ``arrays`` (one array, or a tuple of arrays of equal length).

    With ``batch_size`` None each item is one sample (``x`` or ``(x, y, ...)``), like the
    unbatched datasets Keras returns; :meth:`batch` gives a batched view to pass to ``fit``.
    """

    def __init__(self, arrays: Any, rows: list[int], batch_size: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrays = arrays
        self.rows = rows
        self.batch_size = batch_size

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.rows)
        return math.ceil(len(self.rows) / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(f"DatasetSplit: index {index} is out of range [0, {len(self)})")
        if self.batch_size is None:
            row = self.rows[index]
            if isinstance(self.arrays, tuple):
                return tuple(array[row] for array in self.arrays)
            return self.arrays[row]
        rows = self.rows[index * self.batch_size:(index + 1) * self.batch_size]
        if isinstance(self.arrays, tuple):
            return tuple(host_datasets.gather_rows(array, rows) for array in self.arrays)
        return host_datasets.gather_rows(self.arrays, rows)

    def batch(self, batch_size: int) -> DatasetSplit:
        """The same samples in batches of ``batch_size`` (the last one may be smaller)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DatasetSplit: `batch_size` must be a positive integer. "
                             f"Received: batch_size={batch_size!r}")
        return DatasetSplit(self.arrays, self.rows, batch_size, workers=self.workers,
                            max_queue_size=self.max_queue_size)


def _as_arrays(dataset: Any) -> tuple[Any, int | None]:
    """``(array or tuple of arrays, batch size of a batched input or None)``."""
    if isinstance(dataset, PyDataset):
        batches = [dataset[index] for index in range(len(dataset))]
        if not batches:
            raise ValueError(f"{_WHO}: the PyDataset has no batches")
        first = batches[0]
        if isinstance(first, (list, tuple)):
            arrays = tuple(host_data.concatenate_rows([host_data.as_host_array(b[i])
                                                       for b in batches])
                           for i in range(len(first)))
            return arrays, len(first[0])
        array = host_data.concatenate_rows([host_data.as_host_array(b) for b in batches])
        return array, len(first)
    if isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError(f"{_WHO}: received an empty {type(dataset).__name__}; expected "
                             "arrays of the same length")
        arrays = tuple(host_data.as_host_array(array) for array in dataset)
        lengths = [len(array) for array in arrays]
        if len(set(lengths)) != 1:
            raise ValueError(f"{_WHO}: the arrays must have the same length. Received "
                             f"lengths {lengths}")
        return arrays, None
    if hasattr(dataset, "shape") and hasattr(dataset, "dtype"):
        return host_data.as_host_array(dataset), None
    raise TypeError(f"{_WHO}: `dataset` must be an array, a list/tuple of arrays or a "
                    f"PyDataset. Received: {type(dataset).__name__}")


def _check_size(name: str, size: Any, total: int) -> None:
    if size is None:
        return
    if type(size) not in (int, float):
        raise TypeError(f"{_WHO}: `{name}` must be an int, a float or None. Received: "
                        f"type({name})={type(size).__name__}")
    if (type(size) is int and not 0 < size < total) or (type(size) is float
                                                        and not 0 < size < 1):
        raise ValueError(f"{_WHO}: `{name}` must be a positive integer smaller than {total} "
                         f"or a float in (0, 1). Received: {name}={size}")


def split_sizes(left_size: Any, right_size: Any, total: int) -> tuple[int, int]:
    """``(left, right)`` sample counts for Keras's ``left_size`` / ``right_size``."""
    if left_size is None and right_size is None:
        raise ValueError(f"{_WHO}: give `left_size` or `right_size` (or both). Received: "
                         "left_size=None and right_size=None")
    _check_size("left_size", left_size, total)
    _check_size("right_size", right_size, total)
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError(f"{_WHO}: `left_size` + `right_size` must be at most 1. Received: "
                         f"{left_size} + {right_size}")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"{_WHO}: `left_size` + `right_size` must be at most the dataset's "
                         f"length {total}. Received: {left} + {right}")
    for count, side in ((left, "left"), (right, "right")):
        if count == 0:
            raise ValueError(f"{_WHO}: with a dataset of length {total}, left_size={left} "
                             f"and right_size={right} leave the {side} split empty")
    return int(left), int(right)


def split_dataset(dataset: Any, left_size: int | float | None = None,
                  right_size: int | float | None = None, shuffle: bool = False,
                  seed: int | None = None, preferred_backend: str | None = None
                  ) -> tuple[DatasetSplit, DatasetSplit]:
    """Split ``dataset`` into a left and a right dataset.

    Args:
        dataset: an array, a tuple/list of arrays of the same length (samples are rows), or
            a ``PyDataset`` (its batches are read once and split by sample).
        left_size: a fraction in (0, 1) or a sample count; None: the complement of
            ``right_size``.
        right_size: likewise for the right split; None: the complement of ``left_size``.
        shuffle: shuffle the samples first.
        seed: the shuffle's seed (the same seed gives the same split).
        preferred_backend: accepted for Keras compatibility (ignored).

    Returns:
        Two :class:`DatasetSplit` (``PyDataset``) objects: unbatched (one sample per item)
        for array input, batched like the input for a ``PyDataset``.

    Example::

        left, right = split_dataset((x, y), left_size=0.8, shuffle=True, seed=1)
        model.fit(left.batch(32), validation_data=right.batch(32))
    """
    del preferred_backend
    arrays, batch_size = _as_arrays(dataset)
    total = len(arrays[0]) if isinstance(arrays, tuple) else len(arrays)
    order = list(range(total))
    if shuffle:
        # Python's random, as Keras's tf.data path (which seeds the global one).
        random.Random(random.randint(0, int(1e6)) if seed is None else seed).shuffle(order)
    left, right = split_sizes(left_size, right_size, total)
    return (DatasetSplit(arrays, order[:left], batch_size),
            DatasetSplit(arrays, order[total - right:], batch_size))
