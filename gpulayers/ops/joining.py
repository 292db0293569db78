"""Joining and splitting: concatenate, stack, split, unstack.

A join records one node whose vjp cuts the output gradient back into one piece per input; a
split records one node for all its pieces, whose vjp joins their gradients (zeros for pieces
that were not used).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.axes import as_int, normalize_axis, unaliased
from gpulayers.ops.broadcasting import reduce_grad_to_input

__all__ = ["concatenate", "split", "stack", "unstack"]


def _tensors(xs: Any, op_name: str) -> list[Tensor]:
    """A non-empty list/tuple of tensor-likes -> list of Tensors (TypeError/ValueError else)."""
    if autodiff.is_tensor(xs) or not isinstance(xs, Sequence):
        raise TypeError(
            f"{op_name}: expected a list or tuple of tensors. Received: {type(xs).__name__}"
        )
    if not xs:
        raise ValueError(f"{op_name}: expected at least one tensor. Received an empty sequence")
    return [autodiff.convert_to_tensor(x) for x in xs]


def _as_tuple(grads: Any) -> tuple[Any, ...]:
    # The tape hands a one-output node its gradient bare, several outputs as a tuple.
    return grads if isinstance(grads, tuple) else (grads,)


def concatenate(xs: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis.

    Args:
        xs: list of tensors with equal shapes except along ``axis``.
        axis: the axis to join along.

    Example: ``concatenate([ops.ones((2, 3)), ops.ones((1, 3))]).shape == (3, 3)``.
    """
    tensors = _tensors(xs, "concatenate")
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated")
    axis = normalize_axis(axis, first.ndim, "concatenate")
    for position, tensor in enumerate(tensors):
        same_rank = tensor.ndim == first.ndim
        if not same_rank or any(a != b for i, (a, b) in enumerate(zip(tensor.shape, first.shape))
                                if i != axis):
            raise ValueError(
                f"concatenate: all shapes must match except along axis {axis}. Received "
                f"shape {first.shape} for input 0 and shape {tensor.shape} for input {position}"
            )
    xp = backend.xp()
    ends = []
    for tensor in tensors:
        ends.append((ends[-1] if ends else 0) + tensor.shape[axis])

    def vjp(grad):
        pieces = xp.split(grad, ends[:-1], axis=axis)
        return tuple(reduce_grad_to_input(g, t) for g, t in zip(pieces, tensors))

    result = xp.concatenate([t.data for t in tensors], axis=axis)
    return autodiff.record(result, tuple(tensors), vjp, name="concatenate")


def stack(xs: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis.

    Example: ``stack([ops.ones((2, 3))] * 4, axis=1).shape == (2, 4, 3)``.
    """
    tensors = _tensors(xs, "stack")
    axis = normalize_axis(axis, tensors[0].ndim + 1, "stack")
    for position, tensor in enumerate(tensors):
        if tensor.shape != tensors[0].shape:
            raise ValueError(
                f"stack: all tensors must have the same shape. Received shape "
                f"{tensors[0].shape} for input 0 and shape {tensor.shape} for input {position}"
            )
    xp = backend.xp()

    def vjp(grad):
        return tuple(reduce_grad_to_input(xp.take(grad, i, axis=axis), tensor)
                     for i, tensor in enumerate(tensors))

    result = xp.stack([t.data for t in tensors], axis=axis)
    return autodiff.record(result, tuple(tensors), vjp, name="stack")


def _split_bounds(indices_or_sections: Any, length: int, axis: int) -> list[tuple[int, int]]:
    """(start, stop) of each piece, from a section count or from split indices (NumPy rules)."""
    if isinstance(indices_or_sections, Sequence) or getattr(indices_or_sections, "ndim", 0):
        points = [as_int(i, "split", "indices_or_sections") for i in indices_or_sections]
    else:
        sections = as_int(indices_or_sections, "split", "indices_or_sections")
        if sections <= 0 or length % sections:
            raise ValueError(
                f"split: cannot split an axis of size {length} (axis {axis}) into {sections} "
                "equal sections. Pass a number of sections that divides it, or a list of indices"
            )
        points = [length // sections * i for i in range(1, sections)]
    edges = [0, *points, length]
    # Python slice rules, as NumPy: negative indices count from the end, unsorted ones overlap.
    return [slice(a, b).indices(length)[:2] for a, b in zip(edges[:-1], edges[1:])]


def split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """Cut ``x`` into pieces along ``axis``.

    Args:
        x: tensor.
        indices_or_sections: N (that many equal pieces; N must divide the axis) or a list of
            indices where pieces start, as in NumPy.
        axis: the axis to cut.

    Returns a list of tensors. Example: ``split(ops.ones((6, 2)), 3)`` gives three ``(2, 2)``.
    """
    x = autodiff.convert_to_tensor(x)
    if x.ndim == 0:
        raise ValueError("split: a zero-dimensional tensor cannot be split")
    axis = normalize_axis(axis, x.ndim, "split")
    keys = [(slice(None),) * axis + (slice(start, stop),)
            for start, stop in _split_bounds(indices_or_sections, x.shape[axis], axis)]
    xp = backend.xp()

    def vjp(grads):
        grad_x = xp.zeros(x.shape, x.data.dtype)
        for key, grad in zip(keys, _as_tuple(grads)):
            grad_x[key] += grad  # pieces from unsorted indices may overlap: accumulate
        return (grad_x,)

    pieces = tuple(unaliased(x.data[key], x) for key in keys)
    return list(autodiff.record(pieces, (x,), vjp, name="split"))


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[Tensor]:
    """Cut ``x`` into the slices along ``axis`` (each without that axis).

    Args:
        x: tensor of rank >= 1.
        num: the expected number of slices (checked when given).
        axis: the axis to unstack.

    Example: ``unstack(ops.ones((3, 2)))`` gives three tensors of shape ``(2,)``.
    """
    x = autodiff.convert_to_tensor(x)
    if x.ndim == 0:
        raise ValueError("unstack: a zero-dimensional tensor cannot be unstacked")
    axis = normalize_axis(axis, x.ndim, "unstack")
    if num is not None and as_int(num, "unstack", "num") != x.shape[axis]:
        raise ValueError(
            f"unstack: `num` must equal the size of axis {axis} ({x.shape[axis]}) of a tensor "
            f"of shape {x.shape}. Received: num={num}"
        )
    xp = backend.xp()
    pieces = tuple(xp.take(x.data, i, axis=axis) for i in range(x.shape[axis]))

    def vjp(grads):
        return (xp.stack(_as_tuple(grads), axis=axis),)

    if not pieces:
        return []
    return list(autodiff.record(pieces, (x,), vjp, name="unstack"))
