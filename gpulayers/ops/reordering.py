"""Moving values within a tensor: flip, roll, pad, triu/tril, sort/argsort.

Each output value is a copy of one input value (or a constant), so each gradient sends the
output gradient back to where the value came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.axes import as_int, as_shape, normalize_axes, normalize_axis, unaliased
from gpulayers.ops.indexing import along_axis_index

__all__ = ["argsort", "flip", "pad", "roll", "sort", "tril", "triu"]

_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def flip(x: Any, axis: int | Sequence[int] | None = None) -> Tensor:
    """Reverse the order of elements along ``axis`` (all axes when None).

    Example: ``flip([[1., 2.], [3., 4.]], axis=1) -> [[2., 1.], [4., 3.]]``.
    """
    x = autodiff.convert_to_tensor(x)
    axes = None if axis is None else normalize_axes(axis, x.ndim, "flip")
    xp = backend.xp()
    return autodiff.record(
        unaliased(xp.flip(x.data, axes), x), (x,), lambda grad: (xp.flip(grad, axes),), name="flip")


def roll(x: Any, shift: int | Sequence[int], axis: int | Sequence[int] | None = None) -> Tensor:
    """Shift elements cyclically by ``shift`` along ``axis`` (of the flattened ``x`` if None).

    Args:
        x: tensor.
        shift: int, or one int per axis in ``axis``.
        axis: int, sequence of ints, or None.

    Example: ``roll([1., 2., 3.], 1) -> [3., 1., 2.]``.
    """
    x = autodiff.convert_to_tensor(x)
    shifts = as_shape(shift, "roll", "shift")
    if axis is None:
        if len(shifts) != 1:
            raise ValueError(f"roll: with axis=None `shift` must be one int. Received: {shift}")
        axes = None
    else:
        axes = normalize_axes(axis, x.ndim, "roll")
        if len(shifts) not in (1, len(axes)):
            raise ValueError(
                f"roll: `shift` needs one int or one per axis ({len(axes)}). Received: {shift}")
        shifts = shifts * len(axes) if len(shifts) == 1 else shifts
    shifts = shifts[0] if axes is None else shifts
    back = -shifts if axes is None else tuple(-s for s in shifts)
    xp = backend.xp()
    return autodiff.record(xp.roll(x.data, shifts, axes), (x,),
                           lambda grad: (xp.roll(grad, back, axes),), name="roll")


def _pad_widths(pad_width: Any, ndim: int) -> tuple[tuple[int, int], ...]:
    """NumPy's pad_width forms (int, (n,), (before, after), one pair per axis) -> one
    (before, after) pair of non-negative ints per axis."""
    value = backend.to_numpy(autodiff.unwrap(pad_width))
    rows = value.reshape(1, -1) if value.ndim < 2 else value
    if value.dtype.kind not in "iu" or value.ndim > 2 or rows.shape[0] not in (1, ndim) \
            or rows.shape[1] not in (1, 2):
        raise ValueError(
            "pad: `pad_width` must be an int, a (before, after) pair or one pair per axis "
            f"({ndim}). Received: pad_width={pad_width!r}")
    pairs = [(int(row[0]), int(row[-1])) for row in rows]
    pairs = pairs * ndim if len(pairs) == 1 else pairs
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError(
            f"pad: `pad_width` must be non-negative. Received: pad_width={pad_width!r}")
    return tuple(pairs)


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Tensor:
    """Pad ``x`` on both sides of each axis.

    Args:
        x: tensor of rank n.
        pad_width: ``((before_1, after_1), ..., (before_n, after_n))``, one pair for all axes,
            or one int for everything (NumPy's forms).
        mode: ``'constant'`` (``constant_values``, default 0), ``'edge'``, ``'reflect'``,
            ``'symmetric'`` or ``'wrap'``; padded values copy input values, so their gradient
            adds back into those inputs.
        constant_values: the fill for ``mode='constant'`` (a scalar).

    Example: ``pad(ops.ones((2, 3)), ((1, 1), (0, 2))).shape == (4, 5)``.
    """
    x = autodiff.convert_to_tensor(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: `mode` must be one of {_PAD_MODES}. Received: mode={mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError(
            f"pad: `constant_values` is only used with mode='constant'. Received: mode={mode!r}, "
            f"constant_values={constant_values!r}")
    widths = _pad_widths(pad_width, x.ndim)
    xp = backend.xp()
    if mode == "constant":
        fill = 0 if constant_values is None else constant_values
        result = xp.pad(x.data, widths, mode="constant", constant_values=fill)
        inside = tuple(slice(before, before + size) for (before, _), size in zip(widths, x.shape))
        return autodiff.record(result, (x,), lambda grad: (grad[inside],), name="pad")
    empty = [axis for axis, size in enumerate(x.shape) if size == 0 and sum(widths[axis])]
    if empty:
        raise ValueError(f"pad: mode={mode!r} cannot pad axis {empty[0]} of size 0 "
                         f"(tensor shape {x.shape})")

    def vjp(grad):
        # Pad the map of flat positions the same way: it says where each output value came from.
        source = xp.pad(xp.arange(x.size).reshape(x.shape), widths, mode=mode)
        grad_x = xp.zeros(x.size, grad.dtype)
        backend.primitives("scatter").scatter_add(grad_x, source.reshape(-1), grad.reshape(-1))
        return (grad_x.reshape(x.shape),)

    return autodiff.record(xp.pad(x.data, widths, mode=mode), (x,), vjp, name="pad")


def _triangle(x: Any, k: int, op_name: str) -> tuple[Tensor, int]:
    x = autodiff.convert_to_tensor(x)
    if x.ndim < 2:
        raise ValueError(
            f"{op_name}: needs a tensor of rank >= 2 (matrices in the last two axes). "
            f"Received shape {x.shape}")
    return x, as_int(k, op_name, "k")


def triu(x: Any, k: int = 0) -> Tensor:
    """Zero the entries below the k-th diagonal of the last two axes (k > 0: above the main).

    Example: ``triu([[1., 2.], [3., 4.]]) -> [[1., 2.], [0., 4.]]``.
    """
    x, k = _triangle(x, k, "triu")
    xp = backend.xp()
    return autodiff.record(xp.triu(x.data, k), (x,), lambda g: (xp.triu(g, k),), name="triu")


def tril(x: Any, k: int = 0) -> Tensor:
    """Zero the entries above the k-th diagonal of the last two axes (k < 0: below the main).

    Example: ``tril([[1., 2.], [3., 4.]]) -> [[1., 0.], [3., 4.]]``.
    """
    x, k = _triangle(x, k, "tril")
    xp = backend.xp()
    return autodiff.record(xp.tril(x.data, k), (x,), lambda g: (xp.tril(g, k),), name="tril")


def _sort_input(x: Any, axis: int | None, op_name: str) -> tuple[Tensor, Any, int]:
    """The tensor, the data to sort (flattened when axis is None) and the normalized axis."""
    x = autodiff.convert_to_tensor(x)
    if axis is None:
        return x, x.data.reshape(-1), 0
    if x.ndim == 0:
        raise ValueError(f"{op_name}: cannot sort a zero-dimensional tensor along an axis")
    return x, x.data, normalize_axis(axis, x.ndim, op_name)


def argsort(x: Any, axis: int | None = -1) -> Tensor:
    """The int32 indices that sort ``x`` along ``axis`` (stable; flattened when None).

    Example: ``argsort([3., 1., 2.]) -> [1, 2, 0]``.
    """
    _, data, axis = _sort_input(x, axis, "argsort")
    order = backend.xp().argsort(data, axis=axis, kind="stable")
    return Tensor(order.astype("int32"))


def sort(x: Any, axis: int | None = -1) -> Tensor:
    """``x`` sorted ascending along ``axis`` (flattened when None); differentiable.

    The gradient of each sorted value goes back to the position it came from.

    Example: ``sort([[3., 1.], [0., 2.]]) -> [[1., 3.], [0., 2.]]``.
    """
    x, data, axis = _sort_input(x, axis, "sort")
    xp = backend.xp()
    key = along_axis_index(xp.argsort(data, axis=axis, kind="stable"), tuple(data.shape), axis)

    def vjp(grad):
        grad_x = xp.zeros(data.shape, grad.dtype)
        grad_x[key] = grad  # a permutation: every position receives exactly one value
        return (grad_x.reshape(x.shape),)

    return autodiff.record(data[key], (x,), vjp, name="sort")
