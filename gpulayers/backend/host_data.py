"""Host-side (NumPy) handling of the training data that users pass to ``fit``/``predict``.

Datasets stay in host memory and only the current batch goes to the device: a whole dataset
copied to the GPU would cost memory the model needs, and users hand over NumPy arrays.
This is the only place outside the backends where the data loop touches NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["as_host_array", "concatenate_rows", "host_permutation", "host_rows",
           "is_host_array_like", "one_hot_rows", "pad_rows", "row_count", "values_by_class"]


def is_host_array_like(value: Any) -> bool:
    """Whether ``value`` is an array (NumPy, CuPy, a Tensor) or nested Python lists of
    numbers (one array written out, e.g. ``[[1.0, 2.0], [3.0, 4.0]]``), rather than a
    container of several inputs. Tuples are always containers (a packed batch is one)."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return True
    return isinstance(value, list) and len(value) > 0 and _numbers_only(value)


def _numbers_only(value: Any) -> bool:
    if isinstance(value, list):
        return all(_numbers_only(item) for item in value)
    return isinstance(value, (bool, int, float, np.generic))


def as_host_array(value: Any) -> Any:
    """``value`` (NumPy/CuPy array, Tensor, nested lists of numbers) as a NumPy array."""
    data = getattr(value, "_data", value)  # a gpulayers Tensor
    if hasattr(data, "get") and not isinstance(data, np.ndarray):  # a CuPy array
        data = data.get()
    return np.asarray(data)


def one_hot_rows(labels: Any, num_classes: int | None, who: str) -> Any:
    """Integer ``labels`` as float64 one-hot rows (``labels.shape + (num_classes,)``, a
    trailing size-1 axis dropped); ValueError naming ``who`` for ids out of range."""
    ids = as_host_array(labels)
    if ids.dtype.kind == "f" and not np.all(np.mod(ids, 1) == 0):
        raise ValueError(f"{who}: class ids must be integers. Received values such as "
                         f"{ids[np.mod(ids, 1) != 0].flat[0]!r}")
    ids = ids.astype(np.int64)
    shape = ids.shape[:-1] if ids.ndim > 1 and ids.shape[-1] == 1 else ids.shape
    ids = ids.reshape(-1)
    if num_classes is None:
        num_classes = int(ids.max()) + 1 if ids.size else 0
    if ids.size and (ids.min() < 0 or ids.max() >= num_classes):
        raise ValueError(f"{who}: class ids must be in [0, num_classes={num_classes}). "
                         f"Received ids from {ids.min()} to {ids.max()}")
    rows = np.zeros((ids.size, num_classes))
    rows[np.arange(ids.size), ids] = 1.0
    return rows.reshape(*shape, num_classes)


def pad_rows(sequences: Any, maxlen: int | None, dtype: Any, padding: str, truncating: str,
             value: Any) -> Any:
    """Variable-length ``sequences`` as one ``(count, maxlen, *item_shape)`` array (see
    ``gpulayers.utils.pad_sequences``); returns a NumPy array."""
    rows = [np.asarray(sequence) for sequence in sequences]
    lengths = [len(row) for row in rows]
    item_shape = next((row.shape[1:] for row in rows if len(row)), ())
    width = max(lengths, default=0) if maxlen is None else maxlen
    result = np.full((len(rows), width, *item_shape), value, dtype=dtype)
    for index, row in enumerate(rows):
        if not len(row) or not width:
            continue
        kept = row[-width:] if truncating == "pre" else row[:width]
        if kept.shape[1:] != item_shape:
            raise ValueError(f"pad_sequences: sequence {index} has items of shape "
                             f"{kept.shape[1:]}, expected {item_shape} like the others")
        if padding == "post":
            result[index, :len(kept)] = kept
        else:
            result[index, width - len(kept):] = kept
    return result


def values_by_class(classes: Any, table: dict[int, float]) -> tuple[Any, list[int]]:
    """``(table[c] for every c in classes as a float32 array, the classes table lacks)``; the
    Python work is per distinct class, not per sample (the array is None when some lack)."""
    distinct, position = np.unique(np.asarray(classes).astype(np.int64), return_inverse=True)
    missing = [int(c) for c in distinct if int(c) not in table]
    if missing:
        return None, missing
    return np.array([table[int(c)] for c in distinct], dtype=np.float32)[position], []


def row_count(value: Any) -> int:
    return int(value.shape[0])


def host_permutation(count: int, generator_seed: int | None) -> Any:
    """A random order of ``range(count)`` (seeded for reproducible shuffling)."""
    return np.random.default_rng(generator_seed).permutation(count)


def host_rows(value: Any, rows: Any) -> Any:
    """``value[rows]`` for a slice or an index array."""
    return value[rows]


def concatenate_rows(arrays: list[Any]) -> Any:
    """Batches of predictions joined along the first axis."""
    return np.concatenate(arrays, axis=0)
