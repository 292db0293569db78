"""Shape ops: reshape, transpose, axes moves, broadcasting, tiling and repeating.

Their gradients only move values around: the vjp of a reshape is a reshape back, of a
transpose the inverse transpose, of a broadcast a sum over the broadcast axes.

The rest of the family lives beside this file and is re-exported here: joining
(concatenate, stack, split, unstack), indexing (``tensor[key]``, slice, slice_update, take,
take_along_axis), selection (where, one_hot, scatter, scatter_update) and reordering (flip,
roll, pad, triu/tril, sort, argsort).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.axes import (
    as_shape,
    normalize_axes,
    normalize_axis,
    unaliased,
)
from gpulayers.ops.broadcasting import unbroadcast

_OWN = [
    "broadcast_to", "copy", "expand_dims", "moveaxis", "ravel", "repeat", "reshape", "squeeze",
    "swapaxes", "tile", "transpose",
]


def _reshape_vjp(shape: tuple[int, ...]):
    return lambda grad: (grad.reshape(shape),)


def _resolve_newshape(newshape: Any, size: int, old_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Replace a single -1 by the size that keeps the element count; ValueError otherwise."""
    shape = as_shape(newshape, "reshape", "newshape")
    unknown = [i for i, dim in enumerate(shape) if dim == -1]
    mismatch = ValueError(
        f"reshape: cannot reshape a tensor of shape {old_shape} ({size} elements) "
        f"into shape {shape}"
    )
    if len(unknown) > 1 or any(dim < -1 for dim in shape):
        raise ValueError(
            f"reshape: `newshape` may hold at most one -1 and no other negative size. "
            f"Received: newshape={shape}"
        )
    known = 1
    for dim in shape:
        known *= dim if dim != -1 else 1
    if unknown:
        if known == 0 or size % known:
            raise mismatch
        shape = shape[:unknown[0]] + (size // known,) + shape[unknown[0] + 1:]
    elif known != size:
        raise mismatch
    return shape


def reshape(x: Any, newshape: Any) -> Tensor:
    """Give ``x`` a new shape with the same elements (row-major order).

    Args:
        x: tensor of any shape.
        newshape: int or sequence of ints; one entry may be -1 (inferred).

    Returns a tensor of shape ``newshape``. Raises ValueError naming both shapes when the
    element counts differ.

    Example: ``reshape(ops.ones((2, 3)), (-1,)).shape == (6,)``.
    """
    x = autodiff.convert_to_tensor(x)
    shape = _resolve_newshape(newshape, x.size, x.shape)
    result = unaliased(x.data.reshape(shape), x)
    return autodiff.record(result, (x,), _reshape_vjp(x.shape), name="reshape")


def ravel(x: Any) -> Tensor:
    """Flatten ``x`` to one dimension (row-major). Example: shape ``(2, 3)`` -> ``(6,)``."""
    return reshape(x, (-1,))


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """Permute the axes of ``x``; ``axes=None`` reverses them (the matrix transpose for 2-d).

    Args:
        x: tensor of rank n.
        axes: a permutation of ``range(n)`` (negative axes allowed), or None.

    Example: ``transpose(ops.ones((2, 3, 4)), (2, 0, 1)).shape == (4, 2, 3)``.
    """
    x = autodiff.convert_to_tensor(x)
    if axes is None:
        perm = tuple(reversed(range(x.ndim)))
    else:
        perm = normalize_axes(axes, x.ndim, "transpose", "axes")
        if len(perm) != x.ndim:
            raise ValueError(
                f"transpose: `axes` must be a permutation of the {x.ndim} axes of a tensor of "
                f"shape {x.shape}. Received: axes={tuple(axes)}"
            )
    inverse = tuple(sorted(range(x.ndim), key=perm.__getitem__))
    return autodiff.record(unaliased(x.data.transpose(perm), x), (x,),
                           lambda grad: (grad.transpose(inverse),), name="transpose")


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes of ``x``. Example: shape ``(2, 3, 4)``, axes 0 and 2 -> ``(4, 3, 2)``."""
    x = autodiff.convert_to_tensor(x)
    perm = list(range(x.ndim))
    first = normalize_axis(axis1, x.ndim, "swapaxes", "axis1")
    second = normalize_axis(axis2, x.ndim, "swapaxes", "axis2")
    perm[first], perm[second] = perm[second], perm[first]
    return transpose(x, perm)


def moveaxis(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    """Move axes of ``x`` to new positions; the other axes keep their order.

    Example: ``moveaxis(ops.ones((2, 3, 4)), 0, -1).shape == (3, 4, 2)``.
    """
    x = autodiff.convert_to_tensor(x)
    sources = normalize_axes(source, x.ndim, "moveaxis", "source")
    destinations = normalize_axes(destination, x.ndim, "moveaxis", "destination")
    if len(sources) != len(destinations):
        raise ValueError(
            "moveaxis: `source` and `destination` must name the same number of axes. "
            f"Received: source={source}, destination={destination}"
        )
    perm = [axis for axis in range(x.ndim) if axis not in sources]
    for dest, src in sorted(zip(destinations, sources)):
        perm.insert(dest, src)
    return transpose(x, perm)


def expand_dims(x: Any, axis: int | Sequence[int]) -> Tensor:
    """Insert size-1 axes at the positions ``axis`` (int or sequence) of the result.

    Example: ``expand_dims(ops.ones((2, 3)), -1).shape == (2, 3, 1)``.
    """
    x = autodiff.convert_to_tensor(x)
    count = len(axis) if isinstance(axis, Sequence) else 1
    new_axes = normalize_axes(axis, x.ndim + count, "expand_dims")
    remaining = iter(x.shape)
    shape = tuple(1 if i in new_axes else next(remaining) for i in range(x.ndim + count))
    return reshape(x, shape)


def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> Tensor:
    """Remove size-1 axes: all of them (``axis=None``) or those listed (ValueError if not 1).

    Example: ``squeeze(ops.ones((1, 3, 1)), axis=0).shape == (3, 1)``.
    """
    x = autodiff.convert_to_tensor(x)
    if axis is None:
        drop = tuple(i for i, size in enumerate(x.shape) if size == 1)
    else:
        drop = normalize_axes(axis, x.ndim, "squeeze")
        wrong = [i for i in drop if x.shape[i] != 1]
        if wrong:
            raise ValueError(
                f"squeeze: can only remove axes of size 1, but axis {wrong[0]} of a tensor of "
                f"shape {x.shape} has size {x.shape[wrong[0]]}. Received: axis={axis}"
            )
    return reshape(x, tuple(size for i, size in enumerate(x.shape) if i not in drop))


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    """Broadcast ``x`` to ``shape`` (NumPy rules); the gradient sums over the broadcast axes.

    Example: ``broadcast_to(ops.ones((3,)), (2, 3)).shape == (2, 3)``.
    """
    x = autodiff.convert_to_tensor(x)
    target = as_shape(shape, "broadcast_to")
    padded = (1,) * (len(target) - x.ndim) + x.shape
    if len(target) < x.ndim or any(s not in (1, t) for s, t in zip(padded, target)):
        raise ValueError(
            f"broadcast_to: cannot broadcast a tensor of shape {x.shape} to shape {target}"
        )
    result = backend.xp().broadcast_to(x.data, target).copy()  # own memory: never a read-only view
    return autodiff.record(
        result, (x,), lambda grad: (unbroadcast(grad, x.shape),), name="broadcast_to")


def tile(x: Any, repeats: int | Sequence[int]) -> Tensor:
    """Repeat the whole of ``x`` ``repeats[i]`` times along axis i (NumPy ``tile`` rules).

    Example: ``tile(ops.ones((2, 3)), (2, 1)).shape == (4, 3)``.
    """
    x = autodiff.convert_to_tensor(x)
    reps = as_shape(repeats, "tile", "repeats")
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: `repeats` must be non-negative. Received: repeats={reps}")
    rank = max(x.ndim, len(reps))
    reps = (1,) * (rank - len(reps)) + reps
    sizes = (1,) * (rank - x.ndim) + x.shape

    def vjp(grad):
        # Output axis i is (reps[i] copies) x (sizes[i] elements): split it and sum the copies.
        split = grad.reshape(tuple(d for pair in zip(reps, sizes) for d in pair))
        summed = split.sum(axis=tuple(range(0, 2 * rank, 2)))
        return (summed.reshape(x.shape),)

    return autodiff.record(backend.xp().tile(x.data, reps), (x,), vjp, name="tile")


def _repeat_counts(repeats: Any, length: int) -> list[int]:
    """``repeats`` as a list of one count per element along the axis (ValueError otherwise).

    A host list, because ``cupy.repeat`` takes only ints, lists and tuples as counts.
    """
    counts = backend.to_numpy(autodiff.unwrap(repeats))
    if counts.dtype.kind not in "iu" or counts.ndim > 1:
        raise TypeError(
            "repeat: `repeats` must be an integer or a 1-d sequence of integers. "
            f"Received: repeats={repeats!r}"
        )
    counts = counts.reshape(-1).tolist()
    counts = counts * length if len(counts) == 1 else counts
    if len(counts) != length:
        raise ValueError(
            f"repeat: `repeats` must hold one count per element along the axis ({length}). "
            f"Received {len(counts)} counts"
        )
    if any(count < 0 for count in counts):
        raise ValueError(f"repeat: `repeats` must be non-negative. Received: repeats={repeats!r}")
    return counts


def repeat(x: Any, repeats: int | Sequence[int], axis: int | None = None) -> Tensor:
    """Repeat each element of ``x`` along ``axis`` (``None``: of the flattened ``x``).

    Args:
        x: tensor.
        repeats: one count for every element, or a 1-d sequence of one count per element.
        axis: the axis to repeat along, or None to flatten first.

    Example: ``repeat([1., 2.], [2, 1]) -> [1., 1., 2.]``.
    """
    x = autodiff.convert_to_tensor(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = normalize_axis(axis, x.ndim, "repeat")
    xp = backend.xp()
    counts = _repeat_counts(repeats, x.shape[axis])
    # Output position j along the axis copies element source[j]: its gradient goes back there.
    # (builtins.slice: this module re-exports Keras's `slice` op, which shadows the builtin.)
    source = xp.repeat(xp.arange(x.shape[axis]), counts)

    def vjp(grad):
        grad_x = xp.zeros(x.shape, grad.dtype)
        index = (builtins.slice(None),) * axis + (source,)
        backend.primitives("scatter").scatter_add(grad_x, index, grad)
        return (grad_x,)

    return autodiff.record(xp.take(x.data, source, axis=axis), (x,), vjp, name="repeat")


def copy(x: Any) -> Tensor:
    """A new tensor with the same values (its own memory); the gradient passes through."""
    x = autodiff.convert_to_tensor(x)
    return autodiff.record(x.data.copy(), (x,), lambda grad: (grad,), name="copy")


# The rest of the family, imported last: those modules import only from axes.py, never from here.
from gpulayers.ops import indexing, joining, reordering, selection  # noqa: E402
from gpulayers.ops.indexing import *  # noqa: E402,F401,F403
from gpulayers.ops.joining import *  # noqa: E402,F401,F403
from gpulayers.ops.reordering import *  # noqa: E402,F401,F403
from gpulayers.ops.selection import *  # noqa: E402,F401,F403

__all__ = _OWN + joining.__all__ + indexing.__all__ + reordering.__all__ + selection.__all__
