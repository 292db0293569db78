"""Running sums and products along an axis: cumsum and cumprod.

``axis=None`` works on the flattened tensor (the result is 1-D), as in NumPy and Keras.

Example::

    ops.cumsum([1, 2, 3])      # [1, 3, 6]
    ops.cumprod([[1.0, 2.0], [3.0, 4.0]], axis=1)    # [[1, 2], [3, 8]]
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.broadcasting import reduce_grad_to_input
from gpulayers.ops.dtypes import standardize_dtype, to_operand_tensor
from gpulayers.ops.elementwise import floating_errors_ignored
from gpulayers.ops.reductions import normalize_axes

__all__ = ["cumprod", "cumsum"]

_NARROW_TO_INT32 = ("bool", "int8", "int16", "uint8", "uint16")


def _prepare(name: str, x: Any, axis: Any, dtype: Any) -> tuple[Tensor, Any, int]:
    tensor = to_operand_tensor(x, name)
    a = tensor.data if axis is not None else tensor.data.reshape(-1)
    if axis is not None and isinstance(axis, (tuple, list)):
        raise TypeError(f"{name}: `axis` must be None or an int. Received: axis={axis!r}")
    (axis,) = normalize_axes(0 if axis is None else axis, max(a.ndim, 1), name)
    if a.ndim == 0:
        a = a.reshape(1)
    if dtype is not None:
        a = a.astype(standardize_dtype(dtype, name), copy=False)
    elif a.dtype.name in _NARROW_TO_INT32:
        a = a.astype("int32")
    return tensor, a, axis


def _reverse_cumsum(values: Any, axis: int) -> Any:
    xp = backend.xp()
    return xp.flip(xp.cumsum(xp.flip(values, axis), axis=axis), axis)


def _input_grad(grad: Any, tensor: Tensor) -> Any:
    return reduce_grad_to_input(grad.reshape(tensor.shape), tensor)


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``axis`` (flattened when None); the gradient is a reversed cumsum."""
    tensor, a, axis = _prepare("cumsum", x, axis, dtype)
    out = backend.xp().cumsum(a, axis=axis, dtype=a.dtype)
    if out.dtype.kind != "f":
        return record(out, (tensor,), None, name="cumsum")
    return record(out, (tensor,), lambda g: (_input_grad(_reverse_cumsum(g, axis), tensor),),
                  name="cumsum")


def _cumprod_grad(grad: Any, a: Any, out: Any, axis: int) -> Any:
    """d/da_i of sum_j grad_j * prod_{k<=j} a_k, exact even where some a_k are 0."""
    xp = backend.xp()
    if a.size == 0:
        return xp.zeros_like(a)
    if bool(xp.all(a != 0)):
        return _reverse_cumsum(grad * out, axis) / a
    # With zeros, use s_i = grad_i + a_{i+1} * s_{i+1} and grad_i = prod_{k<i} a_k * s_i:
    # one vectorised step per position along the axis, no division.
    g, values = xp.moveaxis(grad, axis, 0), xp.moveaxis(a, axis, 0)
    running = xp.empty_like(g)
    running[-1] = g[-1]
    for i in range(g.shape[0] - 2, -1, -1):
        running[i] = g[i] + values[i + 1] * running[i + 1]
    before = xp.concatenate([xp.ones_like(values[:1]), xp.cumprod(values[:-1], axis=0)])
    return xp.moveaxis(before * running, 0, axis)


def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative product along ``axis`` (flattened when None)."""
    tensor, a, axis = _prepare("cumprod", x, axis, dtype)
    with floating_errors_ignored():
        out = backend.xp().cumprod(a, axis=axis, dtype=a.dtype)
    if out.dtype.kind != "f":
        return record(out, (tensor,), None, name="cumprod")

    def vjp(grad: Any) -> tuple[Any]:
        with floating_errors_ignored():
            return (_input_grad(_cumprod_grad(grad, a, out, axis), tensor),)

    return record(out, (tensor,), vjp, name="cumprod")
