"""Tensors made from shapes and ranges (no gradient), and conversion to and from tensors.

Float results default to ``floatx()``; ``full``/``arange`` infer the dtype from their
arguments like Keras (Python floats -> floatx(), Python ints -> int32).

Example::

    ops.zeros((2, 3))                 # float32
    ops.arange(5)                     # int32 [0 1 2 3 4]
    ops.linspace(0.0, 1.0, num=5)     # float32
"""

from __future__ import annotations

import operator
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.autodiff import convert_to_tensor as _convert_to_tensor
from gpulayers.ops.dtypes import result_type, standardize_dtype, to_operand_tensor

__all__ = [
    "arange", "convert_to_numpy", "convert_to_tensor", "eye", "full", "full_like", "identity",
    "linspace", "ones", "ones_like", "zeros", "zeros_like",
]


def _shape(shape: Any, name: str) -> tuple[int, ...]:
    if isinstance(shape, Tensor):
        items = [int(n) for n in shape.numpy().reshape(-1)]
    else:
        items = shape if isinstance(shape, (tuple, list)) else (shape,)
    try:
        result = tuple(operator.index(n) for n in items)
    except TypeError:
        raise TypeError(f"{name}: `shape` must be an int or a tuple of ints. "
                        f"Received: shape={shape!r}") from None
    if any(n < 0 for n in result):
        raise ValueError(f"{name}: `shape` cannot have negative sizes. Received: shape={shape!r}")
    return result


def _dtype(dtype: Any, name: str, default: str | None = None) -> str:
    if dtype is None:
        return default or backend.floatx()
    return standardize_dtype(dtype, name)


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    """A tensor of zeros (``floatx()`` unless ``dtype`` is given)."""
    return Tensor(backend.xp().zeros(_shape(shape, "zeros"), dtype=_dtype(dtype, "zeros")))


def ones(shape: Any, dtype: Any = None) -> Tensor:
    """A tensor of ones (``floatx()`` unless ``dtype`` is given)."""
    return Tensor(backend.xp().ones(_shape(shape, "ones"), dtype=_dtype(dtype, "ones")))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """A tensor filled with ``fill_value`` (which may be a tensor broadcasting to ``shape``).

    Without ``dtype``: Python floats give floatx(), Python ints int32, tensors their dtype.
    """
    value = to_operand_tensor(fill_value, "full")
    dtype = _dtype(dtype, "full", default=result_type(fill_value, op_name="full"))
    shape = _shape(shape, "full")
    out = backend.xp().empty(shape, dtype=dtype)
    out[...] = value.data
    return Tensor(out)


def _like(name: str, x: Any, dtype: Any) -> tuple[tuple[int, ...], str]:
    tensor = to_operand_tensor(x, name)
    return tensor.shape, _dtype(dtype, name, default=tensor.dtype)


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    """Zeros with the shape (and, unless ``dtype`` is given, the dtype) of ``x``."""
    shape, dtype = _like("zeros_like", x, dtype)
    return Tensor(backend.xp().zeros(shape, dtype=dtype))


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    """Ones with the shape (and, unless ``dtype`` is given, the dtype) of ``x``."""
    shape, dtype = _like("ones_like", x, dtype)
    return Tensor(backend.xp().ones(shape, dtype=dtype))


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """``fill_value`` with the shape (and, unless ``dtype`` is given, the dtype) of ``x``."""
    shape, dtype = _like("full_like", x, dtype)
    return full(shape, fill_value, dtype)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)`` (``arange(n)`` is ``0 .. n-1``).

    Without ``dtype``: int32 when every argument is an int, else floatx().
    """
    if stop is None:
        start, stop = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, stop, step)]
    if values[2] == 0:
        raise ValueError("arange: `step` must not be zero")
    xp = backend.xp()
    default = backend.floatx() if xp.asarray(values).dtype.kind == "f" else "int32"
    return Tensor(xp.arange(*values, dtype=_dtype(dtype, "arange", default=default)))


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0) -> Any:
    """``num`` evenly spaced values from ``start`` to ``stop`` (``floatx()`` by default).

    With ``retstep=True`` returns ``(values, step)`` (step a float, or a Tensor for array
    bounds). ``start``/``stop`` may be arrays; the
    new axis is placed at ``axis``.
    """
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace: `num` must be non-negative. Received: num={num}")
    xp = backend.xp()
    begin, end = (to_operand_tensor(v, "linspace").data for v in (start, stop))
    values, step = xp.linspace(begin, end, num=num, endpoint=endpoint, retstep=True, axis=axis)
    out = Tensor(values.astype(_dtype(dtype, "linspace"), copy=False))
    if not retstep:
        return out
    return out, (Tensor(step) if getattr(step, "ndim", 0) else float(step))


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """A 2-D tensor with ones on the ``k``-th diagonal and zeros elsewhere (``N`` x ``M``)."""
    N = operator.index(N)  # noqa: N806
    M = N if M is None else operator.index(M)  # noqa: N806
    if N < 0 or M < 0:
        raise ValueError(f"eye: sizes must be non-negative. Received: N={N}, M={M}")
    return Tensor(backend.xp().eye(N, M, k=operator.index(k), dtype=_dtype(dtype, "eye")))


def identity(n: int, dtype: Any = None) -> Tensor:
    """The ``n`` x ``n`` identity matrix (``floatx()`` by default)."""
    return eye(n, dtype=dtype)


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None) -> Tensor:
    """``x`` (array, list, scalar or Tensor) as a Tensor, optionally cast to ``dtype``.

    Python floats become floatx() and ints int32, as in Keras. ``sparse`` is accepted for
    Keras compatibility; sparse tensors are not supported.
    """
    if sparse:
        raise ValueError("convert_to_tensor: sparse tensors are not supported")
    return _convert_to_tensor(x, None if dtype is None else standardize_dtype(
        dtype, "convert_to_tensor"))


def convert_to_numpy(x: Any) -> Any:
    """``x`` as a NumPy array on the host (copied from the GPU on the CuPy backend)."""
    return backend.to_numpy(x)

