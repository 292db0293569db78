"""Reading parts of a tensor: ``tensor[key]``, slice, slice_update, take, take_along_axis.

A gather's gradient is a scatter: zeros the shape of the input, with the output gradient
added back where each value came from. Keys that can pick a position twice (integer arrays)
scatter with accumulation through the backend's ``scatter_add`` primitive; plain slices just
assign.
"""

from __future__ import annotations

import builtins
from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.axes import (
    IndexOutOfBoundsError,
    as_int,
    as_shape,
    check_bounds,
    check_integer_dtype,
    normalize_axis,
    unaliased,
)

__all__ = ["slice", "slice_by_key", "slice_update", "take", "take_along_axis"]

# Keras names an op `slice`, shadowing the builtin in this module; the builtin stays reachable.
_Slice = builtins.slice
_KEY_HELP = "integers, slices, None, Ellipsis, and integer or boolean tensors/lists"


def _scatter_add(target: Any, index: Any, values: Any) -> None:
    backend.primitives("scatter").scatter_add(target, index, values)


def _index_array(value: Any, op_name: str) -> Any:
    """A list/array/Tensor used as an index -> backend array of ints or bools."""
    array = autodiff.unwrap(value) if autodiff.is_tensor(value) else backend.to_device(value)
    if array.dtype.kind == "f" and array.size == 0:
        array = array.astype("int64")  # x[[]] selects nothing, as in NumPy
    if array.dtype.kind not in "iub":
        raise TypeError(
            f"{op_name}: index arrays must hold integers or booleans. Received dtype "
            f"{array.dtype}. Valid keys are {_KEY_HELP}"
        )
    return array


def _key_items(key: Any) -> list[Any]:
    """Split a key into items: ints, slices (int bounds), None, Ellipsis, backend arrays."""
    items = []
    for item in key if isinstance(key, tuple) else (key,):
        if item is None or item is Ellipsis:
            items.append(item)
        elif isinstance(item, (bool, float, str)):
            raise TypeError(
                f"slice_by_key: invalid index {item!r}. Valid keys are {_KEY_HELP}")
        elif isinstance(item, _Slice):
            bounds = (item.start, item.stop, item.step)
            ints = [None if b is None else as_int(b, "slice_by_key", "slice bound") for b in bounds]
            if ints[2] == 0:
                raise ValueError("slice_by_key: slice step cannot be zero")
            items.append(_Slice(*ints))
        elif isinstance(item, (list, tuple)) or hasattr(item, "dtype"):
            array = _index_array(item, "slice_by_key")
            if array.ndim == 0 and array.dtype.kind == "b":
                raise TypeError("slice_by_key: a scalar boolean is not a valid index")
            items.append(int(array) if array.ndim == 0 else array)
        else:
            items.append(as_int(item, "slice_by_key", "index"))
    return items


def _dims_used(item: Any) -> int:
    if item is None or item is Ellipsis:
        return 0
    return item.ndim if getattr(item, "dtype", None) is not None \
        and item.dtype.kind == "b" else 1


def _normalize_key(key: Any, shape: tuple[int, ...]) -> tuple[tuple[Any, ...], bool]:
    """Validate ``key`` against ``shape``; return it with masks as ``nonzero()`` index arrays and
    integer arrays bounds-checked and non-negative, plus whether it holds index arrays."""
    items = _key_items(key)
    if sum(item is Ellipsis for item in items) > 1:
        raise IndexError("slice_by_key: an index can only have a single Ellipsis (...)")
    used = sum(_dims_used(item) for item in items)
    if used > len(shape):
        raise IndexError(
            f"slice_by_key: too many indices for a tensor of shape {shape}: {used} were indexed")
    normalized, axis, advanced = [], 0, False
    for item in items:
        if item is Ellipsis:
            axis += len(shape) - used
            normalized.append(item)
        elif item is None or isinstance(item, _Slice):
            normalized.append(item)
            axis += item is not None
        elif isinstance(item, int):
            if not -shape[axis] <= item < shape[axis]:
                raise IndexOutOfBoundsError(
                    f"slice_by_key: index {item} is out of bounds for axis {axis} of size "
                    f"{shape[axis]} (tensor shape {shape})")
            normalized.append(item)
            axis += 1
        elif item.dtype.kind == "b":
            covered = shape[axis:axis + item.ndim]
            if tuple(item.shape) != covered:
                raise IndexError(
                    f"slice_by_key: boolean mask of shape {tuple(item.shape)} does not match "
                    f"the indexed dimensions {covered} of a tensor of shape {shape}")
            normalized.extend(item.nonzero())
            axis, advanced = axis + item.ndim, True
        else:
            normalized.append(check_bounds(item, shape[axis], "slice_by_key", axis))
            axis, advanced = axis + 1, True
    return tuple(normalized), advanced


def slice_by_key(x: Any, key: Any) -> Tensor:
    """``x[key]`` with NumPy semantics: what ``tensor[key]`` calls.

    Args:
        x: tensor.
        key: ints, slices (any step, negative too), Ellipsis, None (new axis), integer
            arrays/lists/tensors (repeats allowed) and boolean masks, or a tuple of these.

    The gradient scatters back into zeros of ``x``'s shape, adding up positions that were
    picked several times. Out-of-range indices raise IndexOutOfBoundsError (an IndexError
    and a ValueError) on both backends.

    Example: ``slice_by_key(x, (Ellipsis, [0, 0, 2]))`` is ``x[..., [0, 0, 2]]``.
    """
    x = autodiff.convert_to_tensor(x)
    index, advanced = _normalize_key(key, x.shape)
    xp = backend.xp()

    def vjp(grad):
        grad_x = xp.zeros(x.shape, grad.dtype)
        if advanced:
            _scatter_add(grad_x, index, grad)
        else:  # basic indexing never picks a position twice
            grad_x[index] = grad
        return (grad_x,)

    result = x.data[index] if advanced else unaliased(x.data[index], x)  # basic: a view
    return autodiff.record(result, (x,), vjp, name="slice_by_key")


def _box(x: Tensor, start_indices: Any, shape: Any, op_name: str) -> tuple[Any, ...]:
    """The slices of the box starting at ``start_indices`` with size ``shape`` (-1: to the end)."""
    starts = [int(s) for s in backend.to_numpy(autodiff.unwrap(start_indices)).reshape(-1)]
    sizes = list(as_shape(shape, op_name))
    if len(starts) != x.ndim or len(sizes) != x.ndim:
        raise ValueError(
            f"{op_name}: `start_indices` and `shape` need one entry per axis of a tensor of "
            f"shape {x.shape}. Received: start_indices={starts}, shape={tuple(sizes)}")
    box = []
    for axis, (start, size, length) in enumerate(zip(starts, sizes, x.shape)):
        size = length - start if size == -1 else size
        if start < 0 or size < 0 or start + size > length:
            raise ValueError(
                f"{op_name}: the box starting at {starts} with shape {tuple(sizes)} does not fit "
                f"in a tensor of shape {x.shape} (axis {axis})")
        box.append(_Slice(start, start + size))
    return tuple(box)


def slice(inputs: Any, start_indices: Any, shape: Any) -> Tensor:  # noqa: A001 (Keras's name)
    """The box of size ``shape`` starting at ``start_indices`` (Keras ``ops.slice``).

    Args:
        inputs: tensor of rank n.
        start_indices: n ints (list or int tensor), each in range.
        shape: n sizes; -1 means "to the end of the axis".

    Example: ``slice(x, (1, 0), (2, -1))`` is ``x[1:3, 0:]``.
    """
    inputs = autodiff.convert_to_tensor(inputs)
    box = _box(inputs, start_indices, shape, "slice")
    xp = backend.xp()

    def vjp(grad):
        grad_inputs = xp.zeros(inputs.shape, grad.dtype)
        grad_inputs[box] = grad
        return (grad_inputs,)

    return autodiff.record(unaliased(inputs.data[box], inputs), (inputs,), vjp, name="slice")


def slice_update(inputs: Any, start_indices: Any, updates: Any) -> Tensor:
    """A copy of ``inputs`` with the box at ``start_indices`` replaced by ``updates``.

    Gradients: ``inputs`` gets the output gradient outside the box, ``updates`` inside it.

    Example: ``slice_update(ops.zeros((3, 3)), (1, 1), ops.ones((2, 2)))``.
    """
    inputs = autodiff.convert_to_tensor(inputs)
    updates = autodiff.convert_to_tensor(updates)
    box = _box(inputs, start_indices, updates.shape, "slice_update")
    return record_replacement(inputs, updates, box, "slice_update")


def record_replacement(inputs: Tensor, updates: Tensor, where: Any, name: str) -> Tensor:
    """A copy of ``inputs`` with ``[where]`` set to ``updates``, recorded as op ``name``.

    Gradients: ``inputs`` gets the output gradient outside ``where``, ``updates`` (when
    floating) the gradient at ``where``. Shared by slice_update and scatter_update.
    """
    result = inputs.data.copy()
    result[where] = updates.data

    def vjp(grad):
        grad_inputs = grad.copy()
        grad_inputs[where] = 0
        grad_updates = grad[where] if updates.data.dtype.kind in "fc" else None
        return grad_inputs, grad_updates

    return autodiff.record(result, (inputs, updates), vjp, name=name)


def _integer_indices(indices: Any, op_name: str) -> Any:
    array = autodiff.unwrap(autodiff.convert_to_tensor(indices))
    check_integer_dtype(array, op_name)
    return array


def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """Pick the entries ``indices`` along ``axis`` (of the flattened ``x`` when None).

    Args:
        x: tensor.
        indices: integer array of any shape; negative indices count from the end.
        axis: the axis to pick along.

    Returns shape ``x.shape[:axis] + indices.shape + x.shape[axis + 1:]``; the gradient adds
    repeated picks together. Example: ``take(table, [3, 3, 0], axis=0)`` (an embedding lookup).
    """
    x = autodiff.convert_to_tensor(x)
    data = x.data.reshape(-1) if axis is None else x.data
    axis = 0 if axis is None else normalize_axis(axis, x.ndim, "take")
    indices = check_bounds(_integer_indices(indices, "take"), data.shape[axis], "take", axis)
    xp = backend.xp()

    def vjp(grad):
        grad_x = xp.zeros(data.shape, grad.dtype)
        _scatter_add(grad_x, (_Slice(None),) * axis + (indices,), grad)
        return (grad_x.reshape(x.shape),)

    return autodiff.record(xp.take(data, indices, axis=axis), (x,), vjp, name="take")


def along_axis_index(indices: Any, shape: tuple[int, ...], axis: int) -> tuple[Any, ...]:
    """The fancy index that picks ``indices`` along ``axis`` and every position elsewhere."""
    xp = backend.xp()
    key = []
    for dim, size in enumerate(shape):
        if dim == axis:
            key.append(indices)
        else:
            key.append(xp.arange(size).reshape([-1 if d == dim else 1 for d in range(len(shape))]))
    return tuple(key)


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """Pick ``x`` along ``axis`` with an index array of the same rank (NumPy semantics).

    Args:
        x: tensor of rank n.
        indices: integer tensor of rank n; on the other axes it broadcasts against ``x``.
        axis: the axis to pick along; None flattens ``x`` (then ``indices`` is 1-d).

    Example: ``take_along_axis(x, ops.argsort(x, axis=1), axis=1)`` sorts each row.
    """
    x = autodiff.convert_to_tensor(x)
    data = x.data.reshape(-1) if axis is None else x.data
    axis = 0 if axis is None else normalize_axis(axis, x.ndim, "take_along_axis")
    indices = _integer_indices(indices, "take_along_axis")
    others_fit = all(a == b or 1 in (a, b) for d, (a, b) in enumerate(
        zip(indices.shape, data.shape)) if d != axis)
    if indices.ndim != data.ndim or not others_fit:
        raise ValueError(
            f"take_along_axis: `indices` must have the rank of `x` ({data.ndim}) and broadcast "
            f"against it on the axes other than {axis}. Received: x.shape={tuple(data.shape)}, "
            f"indices.shape={tuple(indices.shape)}")
    indices = check_bounds(indices, data.shape[axis], "take_along_axis", axis)
    key = along_axis_index(indices, tuple(data.shape), axis)
    xp = backend.xp()

    def vjp(grad):
        grad_x = xp.zeros(data.shape, grad.dtype)
        _scatter_add(grad_x, key, grad)
        return (grad_x.reshape(x.shape),)

    return autodiff.record(data[key], (x,), vjp, name="take_along_axis")

