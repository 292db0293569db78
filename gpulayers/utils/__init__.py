"""User-facing utilities (Keras's ``keras.utils`` equivalents): seeding, ``to_categorical`` and
``PyDataset``."""

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


__all__ = ["PyDataset", "Sequence", "set_random_seed", "to_categorical"]
