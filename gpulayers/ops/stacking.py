"""NumPy's stacking and splitting shortcuts: append, hstack/vstack/dstack, array_split and
hsplit/vsplit/dsplit.

Each is built from ``concatenate``/``split``/``reshape``, so gradients flow back to every
input (a split's unused pieces contribute zeros). Mixed input dtypes are promoted with the
Keras rules first (``int32`` joined with ``float32`` gives ``float32``).

Example::

    ops.hstack([ops.ones((2, 1)), ops.zeros((2, 3))]).shape   # (2, 4)
    ops.array_split(ops.arange(5), 3)                           # sizes 2, 2, 1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import autodiff
from gpulayers.autodiff import Tensor
from gpulayers.ops.axes import as_int, normalize_axis
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import result_type, to_operand_tensor
from gpulayers.ops.joining import concatenate, split
from gpulayers.ops.shape import ravel, reshape

__all__ = ["append", "array_split", "dsplit", "dstack", "hsplit", "hstack", "vsplit", "vstack"]


def _promoted(xs: Any, op_name: str) -> list[Tensor]:
    """A non-empty list/tuple of tensor-likes -> Tensors cast to their promoted dtype."""
    if autodiff.is_tensor(xs) or not isinstance(xs, Sequence) or isinstance(xs, str):
        raise TypeError(f"{op_name}: expected a list or tuple of tensors. "
                        f"Received: {type(xs).__name__}")
    if not xs:
        raise ValueError(f"{op_name}: expected at least one tensor. Received an empty sequence")
    dtype = result_type(*xs, op_name=op_name)
    return [cast(to_operand_tensor(x, op_name, dtype), dtype) for x in xs]


def _at_least(x: Tensor, rank: int) -> Tensor:
    """NumPy's atleast_2d/atleast_3d: (n,) -> (1, n) or (1, n, 1); (m, n) -> (m, n, 1)."""
    if x.ndim >= rank:
        return x
    if x.ndim == 0:
        return reshape(x, (1,) * rank)
    if x.ndim == 1:
        return reshape(x, (1, x.shape[0]) + (1,) * (rank - 2))
    return reshape(x, x.shape + (1,))


def append(x1: Any, x2: Any, axis: int | None = None) -> Tensor:
    """``x2`` appended to ``x1`` along ``axis`` (both flattened first when ``axis`` is None).

    Example: ``append([1., 2.], [[3.], [4.]])`` -> ``[1., 2., 3., 4.]``.
    """
    first, second = _promoted([x1, x2], "append")
    if axis is None:
        return concatenate([ravel(first), ravel(second)], axis=0)
    if first.ndim != second.ndim:
        raise ValueError(f"append: with an axis both inputs need the same rank. Received "
                         f"shapes {first.shape} and {second.shape}")
    return concatenate([first, second], axis=axis)


def hstack(xs: Sequence[Any]) -> Tensor:
    """Join tensors column-wise: along axis 1, or axis 0 for 1-d tensors.

    Example: ``hstack([[1., 2.], [3.]])`` -> ``[1., 2., 3.]``.
    """
    tensors = [reshape(t, (1,)) if t.ndim == 0 else t for t in _promoted(xs, "hstack")]
    return concatenate(tensors, axis=0 if tensors[0].ndim == 1 else 1)


def vstack(xs: Sequence[Any]) -> Tensor:
    """Join tensors row-wise (axis 0), 1-d tensors of length n counting as rows ``(1, n)``.

    Example: ``vstack([[1., 2.], [3., 4.]]).shape`` -> ``(2, 2)``.
    """
    return concatenate([_at_least(t, 2) for t in _promoted(xs, "vstack")], axis=0)


def dstack(xs: Sequence[Any]) -> Tensor:
    """Join tensors depth-wise (axis 2); ``(m, n)`` counts as ``(m, n, 1)``, ``(n,)`` as
    ``(1, n, 1)``. Example: ``dstack([ops.ones((2, 3))] * 4).shape`` -> ``(2, 3, 4)``.
    """
    return concatenate([_at_least(t, 3) for t in _promoted(xs, "dstack")], axis=2)


def array_split(x: Any, indices_or_sections: int, axis: int = 0) -> list[Tensor]:
    """Like ``split`` but N sections need not divide the axis: the first ``size % N`` pieces
    are one longer (NumPy's ``array_split``).

    Args:
        x: tensor of rank >= 1.
        indices_or_sections: N, a positive int (Keras accepts only an int here; use
            ``split`` for a list of indices).
        axis: the axis to cut.

    Example: ``array_split(ops.arange(7), 3)`` gives pieces of sizes 3, 2, 2.
    """
    x = to_operand_tensor(x, "array_split")
    if x.ndim == 0:
        raise ValueError("array_split: a zero-dimensional tensor cannot be split")
    axis = normalize_axis(axis, x.ndim, "array_split")
    sections = as_int(indices_or_sections, "array_split", "indices_or_sections")
    if sections <= 0:
        raise ValueError(f"array_split: the number of sections must be positive. "
                         f"Received: indices_or_sections={sections}")
    size, extra = divmod(x.shape[axis], sections)
    starts, position = [], 0
    for piece in range(sections - 1):
        position += size + (piece < extra)
        starts.append(position)
    return split(x, starts, axis=axis)


def _directional_split(name: str, x: Any, indices_or_sections: Any, axis: int,
                       min_rank: int) -> list[Tensor]:
    x = to_operand_tensor(x, name)
    if x.ndim < min_rank:
        raise ValueError(f"{name}: needs a tensor of rank >= {min_rank}. Received shape {x.shape}")
    if not isinstance(indices_or_sections, (list, tuple)) and not autodiff.is_tensor(
            indices_or_sections):
        sections = as_int(indices_or_sections, name, "indices_or_sections")
        if sections <= 0 or x.shape[axis] % sections:
            raise ValueError(
                f"{name}: {sections} sections do not divide axis {axis} of size {x.shape[axis]} "
                f"equally (use array_split). Received: indices_or_sections={sections}")
    return split(x, indices_or_sections, axis=axis)


def hsplit(x: Any, indices_or_sections: int | Sequence[int]) -> list[Tensor]:
    """Split column-wise: along axis 1 (axis 0 for 1-d tensors); N must divide the axis."""
    x = to_operand_tensor(x, "hsplit")
    return _directional_split("hsplit", x, indices_or_sections, 0 if x.ndim == 1 else 1, 1)


def vsplit(x: Any, indices_or_sections: int | Sequence[int]) -> list[Tensor]:
    """Split row-wise (axis 0) a tensor of rank >= 2; N must divide the axis."""
    return _directional_split("vsplit", x, indices_or_sections, 0, 2)


def dsplit(x: Any, indices_or_sections: int | Sequence[int]) -> list[Tensor]:
    """Split depth-wise (axis 2) a tensor of rank >= 3; N must divide the axis."""
    return _directional_split("dsplit", x, indices_or_sections, 2, 3)
