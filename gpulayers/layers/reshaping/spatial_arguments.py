"""Argument forms shared by the cropping, zero-padding and up-sampling layers.

- :func:`before_after_pairs`: ``cropping`` / ``padding`` in Keras's three forms, as one
  ``(before, after)`` pair per spatial axis.
- :func:`positive_ints`: ``size`` as one positive int per spatial axis.
- :func:`spatial_axes`: where the spatial axes of a ``(batch, ...)`` input are.
"""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["before_after_pairs", "pairs_config", "positive_ints", "spatial_axes"]

Pairs = tuple[tuple[int, int], ...]


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _pair(who: str, name: str, value: Any, original: Any) -> tuple[int, int]:
    if _is_int(value):
        value = (value, value)
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and all(
            _is_int(v) and v >= 0 for v in value)):
        raise ValueError(f"{who}: each entry of `{name}` must be a non-negative int or a pair "
                         f"of them. Received: {name}={original!r}")
    return int(value[0]), int(value[1])


def before_after_pairs(who: str, name: str, value: Any, rank: int) -> Pairs:
    """``((before, after), ...)`` for ``rank`` spatial axes.

    Accepted forms (as in Keras): an int (the same on both sides of every axis); for
    ``rank == 1`` a pair ``(before, after)``; for ``rank > 1`` a tuple of ``rank`` entries,
    each an int (symmetric) or a ``(before, after)`` pair. Negative values are refused.

    Example: ``before_after_pairs("ZeroPadding2D", "padding", ((1, 0), 2), 2)`` ->
    ``((1, 0), (2, 2))``.
    """
    if _is_int(value) and value >= 0:
        return ((int(value), int(value)),) * rank
    if rank == 1:
        return (_pair(who, name, value, value),)
    if not isinstance(value, (tuple, list)) or len(value) != rank:
        forms = ("an int, a tuple of 2 ints (symmetric height, width) or a tuple of 2 pairs "
                 "((top, bottom), (left, right))" if rank == 2 else
                 f"an int, a tuple of {rank} ints or a tuple of {rank} (before, after) pairs")
        raise ValueError(f"{who}: `{name}` must be {forms}. Received: {name}={value!r}")
    return tuple(_pair(who, name, entry, value) for entry in value)


def pairs_config(pairs: Pairs) -> Any:
    """The config value Keras writes: ``(before, after)`` in 1D, a tuple of pairs above."""
    return pairs[0] if len(pairs) == 1 else pairs


def positive_ints(who: str, name: str, value: Any, rank: int) -> tuple[int, ...]:
    """``rank`` ints >= 1 from an int or a tuple of ``rank`` ints."""
    values = (value,) * rank if _is_int(value) else value
    if not (isinstance(values, (tuple, list)) and len(values) == rank and all(
            _is_int(v) and v >= 1 for v in values)):
        raise ValueError(f"{who}: `{name}` must be a positive int or a tuple of {rank} positive "
                         f"ints. Received: {name}={value!r}")
    return tuple(int(v) for v in values)


def spatial_axes(rank: int, data_format: str) -> tuple[int, ...]:
    """The spatial axes of a ``(batch, ...)`` input of ``rank`` spatial dims."""
    first = 2 if data_format == "channels_first" else 1
    return tuple(range(first, first + rank))
