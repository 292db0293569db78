"""Reductions over axes: sum, mean, max/min, prod, var/std, logsumexp, argmax/argmin, all/any.

``axis`` is None (every axis), an int (negative counts from the end) or a tuple of ints;
``keepdims=True`` keeps reduced axes with size 1. Integer and bool inputs of ``sum``/``prod``
narrower than 32 bits give int32 (as in Keras); ``mean``/``var``/``std``/``logsumexp`` of
integers give ``floatx()``. Cumulative ops live in :mod:`gpulayers.ops.cumulative`.

Example::

    ops.sum(x, axis=(0, -1), keepdims=True)
    ops.max(x, axis=1)      # gradient split evenly among tied maxima
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.broadcasting import reduce_grad_to_input
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.elementwise import floating_errors_ignored

__all__ = [
    "all", "amax", "amin", "any", "argmax", "argmin", "count_nonzero", "expand_reduced",
    "logsumexp", "max", "mean", "min", "normalize_axes", "prod", "std", "sum", "var",
]

_NARROW_TO_INT32 = ("bool", "int8", "int16", "uint8", "uint16")


def normalize_axes(axis: Any, ndim: int, op_name: str) -> tuple[int, ...]:
    """``axis`` (None, int or sequence of ints) -> sorted non-negative axes, validated.

    Raises ValueError naming ``op_name`` for an axis out of range or repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    normalized = []
    for item in axes:
        try:
            item = operator.index(item)
        except TypeError:
            raise TypeError(f"{op_name}: `axis` must be None, an int or a tuple of ints. "
                            f"Received: axis={axis!r}") from None
        if not -ndim <= item < ndim:
            raise ValueError(f"{op_name}: axis {item} is out of bounds for a tensor of rank "
                             f"{ndim}. Received: axis={axis!r}")
        normalized.append(item % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op_name}: repeated axis. Received: axis={axis!r}")
    return tuple(sorted(normalized))


def _kept_shape(shape: Sequence[int], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def expand_reduced(grad: Any, shape: Sequence[int], axes: tuple[int, ...],
                   keepdims: bool) -> Any:
    """Broadcast the gradient of a reduction's output back to the input ``shape`` (a copy)."""
    grad = grad.reshape(_kept_shape(shape, axes))
    return backend.xp().broadcast_to(grad, tuple(shape)).copy()


def _reduced_shape(shape: Sequence[int], axes: tuple[int, ...], keepdims: bool) -> tuple:
    if keepdims:
        return _kept_shape(shape, axes)
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _finish(out_keepdims: Any, shape: Sequence[int], axes: tuple[int, ...],
            keepdims: bool) -> Any:
    return out_keepdims.reshape(_reduced_shape(shape, axes, keepdims))


def _count(shape: Sequence[int], axes: tuple[int, ...]) -> int:
    count = 1
    for axis in axes:
        count *= shape[axis]
    return count


def _prepare(name: str, x: Any, axis: Any, to_float: bool = False):
    tensor = to_operand_tensor(x, name)
    a = tensor.data
    if to_float and a.dtype.kind != "f":
        a = a.astype(backend.floatx())
    return tensor, a, normalize_axes(axis, a.ndim, name)


def _record_reduction(name: str, tensor: Tensor, out: Any, grad_fn: Any) -> Tensor:
    if out.dtype.kind != "f":
        return record(out, (tensor,), None, name=name)

    def vjp(grad: Any) -> tuple[Any]:
        with floating_errors_ignored():
            return (reduce_grad_to_input(grad_fn(grad), tensor),)

    return record(out, (tensor,), vjp, name=name)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum of elements over ``axis``. Example: ``sum([[1, 2], [3, 4]], axis=0)`` -> ``[4, 6]``."""
    tensor, a, axes = _prepare("sum", x, axis)
    dtype = "int32" if backend.dtype_name(a.dtype) in _NARROW_TO_INT32 else a.dtype
    out = backend.xp().sum(a, axis=axes, keepdims=keepdims, dtype=dtype)
    return _record_reduction("sum", tensor, out,
                             lambda g: expand_reduced(g, a.shape, axes, keepdims))


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (NaN for an empty reduction, without a warning)."""
    xp = backend.xp()
    tensor, a, axes = _prepare("mean", x, axis, to_float=True)
    count = _count(a.shape, axes)
    if count == 0:
        out = xp.full(_reduced_shape(a.shape, axes, keepdims), float("nan"), dtype=a.dtype)
    else:
        out = xp.mean(a, axis=axes, keepdims=keepdims)
    return _record_reduction("mean", tensor, out,
                             lambda g: expand_reduced(g, a.shape, axes, keepdims) / count)


def _extremum(name: str, x: Any, axis: Any, keepdims: bool, initial: Any) -> Tensor:
    xp = backend.xp()
    tensor, a, axes = _prepare(name, x, axis)
    if initial is None and builtins.any(a.shape[i] == 0 for i in axes):
        raise ValueError(f"{name}: cannot reduce an empty axis of a tensor of shape "
                         f"{tuple(a.shape)} without `initial`. Received: axis={axis!r}")
    reduce, combine = (xp.max, xp.maximum) if name == "max" else (xp.min, xp.minimum)
    with floating_errors_ignored():
        out = reduce(a, axis=axes, keepdims=True) if a.size else xp.full(
            _kept_shape(a.shape, axes), 0 if initial is None else initial, a.dtype)
        if initial is not None:
            out = combine(out, xp.asarray(initial, dtype=a.dtype))

    def grad_fn(grad: Any) -> Any:
        winners = a == out
        ties = winners.sum(axis=axes, keepdims=True)
        return winners * grad.reshape(out.shape) / xp.maximum(ties, 1)

    return _record_reduction(name, tensor, _finish(out, a.shape, axes, keepdims), grad_fn)


def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """Maximum over ``axis``; ``initial`` is a lower bound (needed for empty axes).

    The gradient goes to the maximal elements, split evenly among ties.
    """
    return _extremum("max", x, axis, keepdims, initial)


def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """Minimum over ``axis``; ``initial`` is an upper bound. Gradient split evenly among ties."""
    return _extremum("min", x, axis, keepdims, initial)


amax = max
amin = min


def _products_of_others(a: Any, axes: tuple[int, ...]) -> Any:
    """For each element, the product of the other elements of its reduction group.

    Exclusive prefix and suffix products, so zeros in the input need no division.
    """
    xp = backend.xp()
    if a.size == 0:
        return xp.zeros_like(a)
    tail = tuple(range(a.ndim - len(axes), a.ndim))
    moved = xp.moveaxis(a, axes, tail)
    flat = moved.reshape(moved.shape[:a.ndim - len(axes)] + (-1,))
    ones = xp.ones(flat.shape[:-1] + (1,), dtype=a.dtype)
    before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = xp.flip(xp.cumprod(xp.flip(xp.concatenate([flat[..., 1:], ones], axis=-1), -1),
                               axis=-1), -1)
    return xp.moveaxis((before * after).reshape(moved.shape), tail, axes)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Product of elements over ``axis``; the gradient is exact even where inputs are 0."""
    tensor, a, axes = _prepare("prod", x, axis)
    dtype = "int32" if backend.dtype_name(a.dtype) in _NARROW_TO_INT32 else a.dtype
    with floating_errors_ignored():
        out = backend.xp().prod(a, axis=axes, keepdims=keepdims, dtype=dtype)
    return _record_reduction(
        "prod", tensor, out,
        lambda g: expand_reduced(g, a.shape, axes, keepdims) * _products_of_others(a, axes))


def _moments(name: str, x: Any, axis: Any):
    xp = backend.xp()
    tensor, a, axes = _prepare(name, x, axis, to_float=True)
    count = _count(a.shape, axes)
    with floating_errors_ignored():
        deviation = a - a.sum(axis=axes, keepdims=True) / count
        variance = (deviation * deviation).sum(axis=axes, keepdims=True) / count
    return xp, tensor, a, axes, count, deviation, variance


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population variance (mean squared deviation from the mean) over ``axis``."""
    xp, tensor, a, axes, count, deviation, variance = _moments("var", x, axis)
    return _record_reduction(
        "var", tensor, _finish(variance, a.shape, axes, keepdims),
        lambda g: expand_reduced(g, a.shape, axes, keepdims) * (2 / count) * deviation)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population standard deviation over ``axis``.

    Where the deviation is 0 (constant slices) the gradient is taken as 0 instead of NaN.
    """
    xp, tensor, a, axes, count, deviation, variance = _moments("std", x, axis)
    deviation_std = xp.sqrt(variance)

    def grad_fn(grad: Any) -> Any:
        safe = xp.where(deviation_std > 0, deviation_std, 1)
        scale = xp.where(deviation_std > 0, 1 / (count * safe), 0)
        return expand_reduced(grad, a.shape, axes, keepdims) * deviation * scale

    return _record_reduction("std", tensor, _finish(deviation_std, a.shape, axes, keepdims),
                             grad_fn)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x), axis))`` computed stably (shifted by the maximum).

    The gradient is ``softmax(x)`` along the reduced axes.
    """
    xp = backend.xp()
    tensor, a, axes = _prepare("logsumexp", x, axis, to_float=True)
    with floating_errors_ignored():
        shift = xp.max(a, axis=axes, keepdims=True) if a.size else xp.zeros(
            _kept_shape(a.shape, axes), a.dtype)
        shift = xp.where(xp.isfinite(shift), shift, 0)
        out = xp.log(xp.exp(a - shift).sum(axis=axes, keepdims=True)) + shift

    def grad_fn(grad: Any) -> Any:
        return expand_reduced(grad, a.shape, axes, keepdims) * xp.exp(a - out)

    return _record_reduction("logsumexp", tensor, _finish(out, a.shape, axes, keepdims),
                             grad_fn)


def _arg_extremum(name: str, x: Any, axis: Any, keepdims: bool) -> Tensor:
    xp = backend.xp()
    tensor = to_operand_tensor(x, name)
    a = tensor.data
    if axis is not None and isinstance(axis, (tuple, list)):
        raise TypeError(f"{name}: `axis` must be None or an int. Received: axis={axis!r}")
    axes = normalize_axes(axis, a.ndim, name)
    if builtins.any(a.shape[i] == 0 for i in axes):
        raise ValueError(f"{name}: cannot take {name} of an empty axis of a tensor of shape "
                         f"{tuple(a.shape)}. Received: axis={axis!r}")
    function = xp.argmax if name == "argmax" else xp.argmin
    if axis is None:
        out = function(a.reshape(-1)).reshape((1,) * a.ndim if keepdims else ())
    else:
        out = function(a, axis=axes[0])
        if keepdims:
            out = xp.expand_dims(out, axes[0])
    return record(out.astype("int32"), (tensor,), None, name=name)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index (int32) of the maximum along ``axis`` (of the flattened tensor when None)."""
    return _arg_extremum("argmax", x, axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index (int32) of the minimum along ``axis`` (of the flattened tensor when None)."""
    return _arg_extremum("argmin", x, axis, keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether every element over ``axis`` is nonzero, as a bool tensor."""
    tensor, a, axes = _prepare("all", x, axis)
    return record(backend.xp().all(a, axis=axes, keepdims=keepdims), (tensor,), None, "all")


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether some element over ``axis`` is nonzero, as a bool tensor."""
    tensor, a, axes = _prepare("any", x, axis)
    return record(backend.xp().any(a, axis=axes, keepdims=keepdims), (tensor,), None, "any")


def count_nonzero(x: Any, axis: Any = None) -> Tensor:
    """Number of nonzero elements over ``axis`` (int32)."""
    tensor, a, axes = _prepare("count_nonzero", x, axis)
    out = (a != 0).sum(axis=axes, dtype="int32")
    return record(out, (tensor,), None, name="count_nonzero")
