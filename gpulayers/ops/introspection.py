"""Asking about tensors and making them: ndim, size, dtype, get_item, is_tensor, array,
empty, empty_like, geomspace, logspace, view (Keras 3 ``keras.ops`` names).

``empty``/``empty_like`` return zeros: uninitialised memory would make results depend on
what happened to be there (Keras's backends differ on this too). ``geomspace``/``logspace``
are constants, without gradient; ``get_item`` is ``x[key]`` and differentiable.

Example::

    ops.ndim(x), ops.size(x), ops.dtype(x)      # 2, 6, 'float32'
    ops.logspace(0.0, 2.0, num=3)               # [1., 10., 100.]
"""

from __future__ import annotations

import operator
from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.creation import convert_to_tensor, zeros, zeros_like
from gpulayers.ops.dtypes import result_type, standardize_dtype, to_operand_tensor
from gpulayers.ops.indexing import slice_by_key

__all__ = ["array", "dtype", "empty", "empty_like", "geomspace", "get_item", "is_tensor",
           "logspace", "ndim", "size", "view"]

# The framework's own test, re-exported under the ops name Keras uses.
is_tensor = autodiff.is_tensor


def ndim(x: Any) -> int:
    """The number of axes of ``x`` (a Python int). Example: ``ndim([[1, 2]])`` -> 2."""
    return to_operand_tensor(x, "ndim").ndim


def size(x: Any) -> int:
    """The number of elements of ``x`` (a Python int). Example: ``size(ones((2, 3)))`` -> 6."""
    return to_operand_tensor(x, "size").size


def dtype(x: Any) -> str:
    """The dtype name of ``x`` as Keras spells it, e.g. ``'float32'``."""
    return to_operand_tensor(x, "dtype").dtype


def get_item(x: Any, key: Any) -> Tensor:
    """``x[key]`` (ints, slices, None, Ellipsis, integer or boolean index tensors)."""
    return slice_by_key(to_operand_tensor(x, "get_item"), key)


def array(x: Any, dtype: Any = None) -> Tensor:
    """``x`` as a tensor, optionally of ``dtype`` (Python floats give floatx())."""
    return convert_to_tensor(x, dtype=dtype)


def empty(shape: Any, dtype: Any = None) -> Tensor:
    """A tensor of ``shape`` (zero-filled; ``floatx()`` unless ``dtype`` is given)."""
    return zeros(shape, dtype=dtype)


def empty_like(x: Any, dtype: Any = None) -> Tensor:
    """A zero-filled tensor with the shape (and, unless given, the dtype) of ``x``."""
    return zeros_like(x, dtype=dtype)


def _endpoints(name: str, start: Any, stop: Any, num: Any) -> tuple[Any, Any, int]:
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"{name}: `num` must be non-negative. Received: num={num}")
    begin, end = (to_operand_tensor(v, name).data.astype("float64") for v in (start, stop))
    return begin, end, num


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: float = 10,
             dtype: Any = None, axis: int = 0) -> Tensor:
    """``num`` values from ``base ** start`` to ``base ** stop``, evenly spaced in exponent.

    Without ``dtype``: ``result_type(start, stop, float)`` (floatx() for Python numbers).
    Example: ``logspace(0, 3, num=4)`` -> ``[1., 10., 100., 1000.]``.
    """
    if dtype is None:
        dtype = result_type(start, stop, 1.0, op_name="logspace")
    dtype = standardize_dtype(dtype, "logspace")
    begin, end, num = _endpoints("logspace", start, stop, num)
    xp = backend.xp()
    exponents = xp.linspace(begin, end, num=num, endpoint=endpoint, axis=axis)
    return Tensor(xp.power(float(base), exponents).astype(dtype))


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Tensor:
    """``num`` values from ``start`` to ``stop`` in geometric progression (``floatx()`` by
    default). ``start`` and ``stop`` must be nonzero with the same sign.

    Example: ``geomspace(1, 1000, num=4)`` -> ``[1., 10., 100., 1000.]``.
    """
    dtype = backend.floatx() if dtype is None else standardize_dtype(dtype, "geomspace")
    begin, end, num = _endpoints("geomspace", start, stop, num)
    xp = backend.xp()
    if bool((begin == 0).any()) or bool((end == 0).any()):
        raise ValueError(f"geomspace: a geometric sequence cannot include zero. Received: "
                         f"start={start!r}, stop={stop!r}")
    if bool((xp.sign(begin) != xp.sign(end)).any()):
        raise ValueError(f"geomspace: `start` and `stop` must have the same sign. Received: "
                         f"start={start!r}, stop={stop!r}")
    # CuPy has no geomspace: exponents evenly spaced in log10, signs restored, ends exact.
    sign = xp.sign(begin)
    values = xp.linspace(xp.log10(xp.abs(begin)), xp.log10(xp.abs(end)), num=num,
                         endpoint=endpoint, axis=axis)
    values = xp.moveaxis(10.0 ** values, axis, 0) * sign
    if num:
        values[0] = begin
        if endpoint and num > 1:
            values[-1] = end
    return Tensor(xp.moveaxis(values, 0, axis).astype(dtype))


def view(x: Any, dtype: Any = None) -> Tensor:
    """The bits of ``x`` read as ``dtype`` (NumPy's ``ndarray.view``); no gradient.

    With a different item size the last axis grows or shrinks accordingly (it must be
    contiguous and divide evenly), as in Keras. ``dtype=None`` returns ``x`` unchanged.

    Example: ``view(ones((2,), "float32"), "int32")`` -> ``[1065353216, 1065353216]``.
    """
    tensor = to_operand_tensor(x, "view")
    if dtype is None:
        return tensor
    target = standardize_dtype(dtype, "view")
    data = backend.xp().ascontiguousarray(tensor.data)
    try:
        return Tensor(data.view(target))
    except ValueError as error:
        raise ValueError(f"view: cannot view a {tensor.dtype} tensor of shape {tensor.shape} "
                         f"as {target}: {error}") from None
