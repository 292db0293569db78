"""Host-side (NumPy) array work behind the dataset builders of ``gpulayers.utils``.

``timeseries_dataset_from_array``, ``split_dataset``, ``image_dataset_from_directory`` and
``text_dataset_from_directory`` build batches on the host, as Keras does, and hand NumPy
arrays to the training loop; the NumPy calls they need live here (only ``backend/`` may
import NumPy). The random orders use NumPy's legacy ``RandomState``, as Keras does, so a
seed gives Keras's order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["encode_labels", "fresh_seed", "gather_rows", "is_numpy_array", "normalize_array",
           "seeded_shuffle", "stack_rows", "text_rows", "timeseries_starts",
           "timeseries_windows"]


def fresh_seed() -> int:
    """A random seed in ``[0, 1e6)`` (Keras draws one this way when ``seed`` is None)."""
    return int(np.random.randint(1e6))


def seeded_shuffle(values: Any, seed: int) -> Any:
    """``values`` (a list or array) shuffled in place by ``RandomState(seed)``, as Keras's
    ``index_directory`` shuffles file paths and labels; returns ``values``."""
    np.random.RandomState(seed).shuffle(values)
    return values


def timeseries_starts(count: int, stride: int, shuffle: bool, seed: int | None) -> Any:
    """The start positions ``0, stride, 2*stride, ... < count`` (int32 as in Keras, int64
    past 2**31 - 1), shuffled by ``RandomState(seed)`` when asked."""
    dtype = "int32" if count < 2147483647 else "int64"
    starts = np.arange(0, max(count, 0), stride, dtype=dtype)
    if shuffle:
        np.random.RandomState(seed).shuffle(starts)
    return starts


def timeseries_windows(data: Any, starts: Any, length: int, rate: int) -> Any:
    """``data[start : start + length * rate : rate]`` for every start, stacked:
    ``(len(starts), length, *data.shape[1:])``."""
    offsets = np.arange(0, length * rate, rate)
    return data[np.asarray(starts)[:, None] + offsets[None, :]]


def gather_rows(data: Any, rows: Any) -> Any:
    """``data[rows]`` for an index list or array (a NumPy array)."""
    return np.asarray(data)[np.asarray(rows, dtype=np.int64)]


def stack_rows(rows: list[Any], dtype: Any = None) -> Any:
    """Samples (arrays of one shape) stacked into one batch array."""
    return np.stack([np.asarray(row) for row in rows]).astype(dtype, copy=False) if dtype \
        else np.stack([np.asarray(row) for row in rows])


def text_rows(texts: list[str]) -> Any:
    """A batch of strings as a 1-D NumPy array of Python ``str`` objects."""
    batch = np.empty(len(texts), dtype=object)
    batch[:] = texts
    return batch


def encode_labels(labels: Any, label_mode: str, num_classes: int) -> Any:
    """Integer class ids as Keras's directory datasets yield them: ``'int'`` -> int32
    ``(n,)``, ``'categorical'`` -> float32 one-hot ``(n, num_classes)``, ``'binary'`` ->
    float32 ``(n, 1)``."""
    ids = np.asarray(labels, dtype=np.int32).reshape(-1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[ids]
    if label_mode == "binary":
        return ids.astype(np.float32)[:, None]
    return ids


def is_numpy_array(value: Any) -> bool:
    """Whether ``value`` is a NumPy array (host data, answered with host data)."""
    return isinstance(value, np.ndarray)


def normalize_array(x: Any, axis: int, order: int) -> Any:
    """``x`` divided by its ``order``-norm along ``axis`` (zero norms left as 1), as Keras's
    ``normalize`` does for NumPy input."""
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis or -1)
