"""Validation shared by the shape ops: axis arguments, shapes and index dtypes.

Every check raises ValueError/TypeError naming the op, what it expected and what it received,
so a bad argument never surfaces as a NumPy/CuPy traceback from deep inside an op.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, Variable

__all__ = [
    "IndexOutOfBoundsError", "as_int", "as_shape", "check_bounds", "check_integer_dtype",
    "normalize_axes", "normalize_axis", "unaliased",
]


class IndexOutOfBoundsError(IndexError, ValueError):
    """An index outside its axis: an IndexError for Python's protocols, a ValueError by our
    convention that bad arguments raise ValueError."""


def check_bounds(indices: Any, size: int, op_name: str, axis: int) -> Any:
    """Raise IndexOutOfBoundsError unless every index is in ``[-size, size)``; return them
    made non-negative (CuPy would silently wrap out-of-range indices, NumPy raises)."""
    if not indices.size:
        return indices
    # Read on the GPU at the next host sync (deferred_checks), not here: no stall per step;
    # until then the indices are clipped so that no kernel reads outside the array.
    deferred = backend.deferred_checks.check(
        ((indices < -size) | (indices >= size)).any(),
        lambda: IndexOutOfBoundsError(
            f"{op_name}: index out of bounds for axis {axis} of size {size}. "
            f"Received indices in [{int(indices.min())}, {int(indices.max())}]"))
    normalized = indices + (indices < 0) * size
    return backend.xp().clip(normalized, 0, size - 1) if deferred else normalized


def as_int(value: Any, op_name: str, argument: str) -> int:
    """``value`` as a Python int (ints, integer scalars, 0-d integer tensors), else TypeError."""
    if isinstance(value, bool):
        raise TypeError(f"{op_name}: `{argument}` must be an integer. Received: {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{op_name}: `{argument}` must be an integer. Received: {value!r} "
            f"of type {type(value).__name__}"
        ) from None


def _is_sequence(value: Any) -> bool:
    """Lists, tuples and 1-d arrays/tensors (0-d tensors count as scalars)."""
    return isinstance(value, Sequence) or getattr(value, "ndim", 0) >= 1


def normalize_axis(axis: Any, ndim: int, op_name: str, argument: str = "axis") -> int:
    """Map ``axis`` (negative counts from the end) into ``[0, ndim)``, or raise ValueError.

    Example: ``normalize_axis(-1, 3, "stack") == 2``.
    """
    axis = as_int(axis, op_name, argument)
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{op_name}: `{argument}` must be in [{-ndim}, {ndim}) for a tensor of rank {ndim}. "
            f"Received: {argument}={axis}"
        )
    return axis % ndim


def normalize_axes(axes: Any, ndim: int, op_name: str, argument: str = "axis") -> tuple[int, ...]:
    """An int or a sequence of ints -> tuple of distinct non-negative axes (ValueError if one
    repeats)."""
    if _is_sequence(axes):
        normalized = tuple(normalize_axis(a, ndim, op_name, argument) for a in axes)
    else:
        normalized = (normalize_axis(axes, ndim, op_name, argument),)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op_name}: repeated axis in `{argument}`. Received: {argument}={axes}")
    return normalized


def as_shape(shape: Any, op_name: str, argument: str = "shape") -> tuple[int, ...]:
    """An int or a sequence of ints -> tuple of ints (TypeError for anything else)."""
    if _is_sequence(shape):
        return tuple(as_int(size, op_name, argument) for size in shape)
    return (as_int(shape, op_name, argument),)


def check_integer_dtype(array: Any, op_name: str, argument: str = "indices") -> None:
    """TypeError unless ``array`` holds integers (indices must never be silently truncated)."""
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{op_name}: `{argument}` must have an integer dtype. Received dtype: {array.dtype}"
        )


def unaliased(result: Any, source: Tensor) -> Any:
    """``result`` (often a view of ``source``'s array), copied when ``source`` is a Variable.

    A Variable's buffer changes in place on ``assign()``; a reshape or slice taken from it
    earlier must keep the values it had.
    """
    return result.copy() if isinstance(source, Variable) else result
