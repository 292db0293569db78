"""User-facing utilities (Keras's ``keras.utils`` equivalents): seeding, ``to_categorical``,
``pad_sequences`` and ``PyDataset``."""

from __future__ import annotations

from typing import Any

from gpulayers.backend import host_data as _host_data
from gpulayers.backend import random as _random
from gpulayers.utils.py_dataset import PyDataset, Sequence


def set_random_seed(seed: int) -> None:
    """Seed every random generator gpulayers uses (both backends and Python's ``random``).

    Two runs that call ``set_random_seed(seed)`` first draw identical weights, dropout masks and
    shuffles on the same backend.
    """
    _random.set_seed(seed)


def to_categorical(x: Any, num_classes: int | None = None) -> Any:
    """Class ids -> one-hot rows (a NumPy float64 array, as Keras 3 returns for NumPy input).

    Args:
        x: integer class ids of any shape; a trailing axis of size 1 is dropped.
        num_classes: the number of classes (default: ``max(x) + 1``).

    Returns:
        ``x.shape + (num_classes,)`` with a 1 at each id.

    Raises:
        ValueError for ids that are negative or not below ``num_classes``.

    Example: ``to_categorical([0, 2], 3)`` -> ``[[1, 0, 0], [0, 0, 1]]``.
    """
    return _host_data.one_hot_rows(x, num_classes, "to_categorical")


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0) -> Any:
    """Lists of different lengths (e.g. token ids) as one 2-D NumPy array, as Keras does.

    Args:
        sequences: a list of sequences (lists or arrays; items may be vectors).
        maxlen: the length of every row (default: the longest sequence).
        dtype: the result's dtype.
        padding: ``'pre'`` or ``'post'``: where the ``value`` cells go.
        truncating: ``'pre'`` or ``'post'``: which end of a longer sequence is cut.
        value: the padding value.

    Returns:
        ``(len(sequences), maxlen, *item_shape)``.

    Example: ``pad_sequences([[1, 2, 3], [4]], maxlen=2)`` -> ``[[2, 3], [0, 4]]``.
    """
    for name, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ValueError(f"pad_sequences: `{name}` must be 'pre' or 'post'. Received: "
                             f"{name}={given!r}")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, int)
                               or maxlen < 0):
        raise ValueError(f"pad_sequences: `maxlen` must be a non-negative integer or None. "
                         f"Received: maxlen={maxlen!r}")
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be a list of sequences. Received: "
                         f"{type(sequences).__name__}")
    return _host_data.pad_rows(sequences, maxlen, dtype, padding, truncating, value)


__all__ = ["PyDataset", "Sequence", "pad_sequences", "set_random_seed", "to_categorical"]
