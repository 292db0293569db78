"""Tolerance comparisons, membership and value tests (Keras 3 ``keras.ops`` names), plus the
complex-number views of real tensors.

* ``isclose``/``allclose``: ``|x1 - x2| <= atol + rtol * |x2|`` after promoting both to one
  dtype; integer and bool operands are compared exactly (as Keras does: the tolerances only
  apply to floats).
* ``isin``: which elements of ``x1`` occur anywhere in ``x2``.
* ``isneginf``, ``isposinf``, ``signbit``, ``isreal``: bool tensors of ``x``'s shape.
* ``real``, ``imag``, ``conj``/``conjugate``, ``angle``: gpulayers has no complex tensors
  (NumPy/CuPy complex arrays are refused with a TypeError), so these act on real tensors:
  ``real`` and ``conj`` return ``x`` (gradient passes through), ``imag`` returns zeros and
  ``angle`` returns ``pi`` where ``x < 0`` and 0 elsewhere (zero gradient).

Example::

    ops.isclose([1.0, 1.1], 1.0, rtol=0.05)   # [True, False]
    ops.isin([1, 5, 2], [2, 3])               # [False, False, True]
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import is_float_dtype, result_type, to_operand_tensor
from gpulayers.ops.elementwise import elementwise_binary, elementwise_unary

__all__ = [
    "allclose", "angle", "conj", "conjugate", "imag", "isclose", "isin", "isneginf",
    "isposinf", "isreal", "real", "signbit",
]


def _xp() -> Any:
    return backend.xp()


def _tolerance(value: Any, op_name: str, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{op_name}: `{argument}` must be a number. Received: {value!r}")
    return float(value)


def _flag(value: Any, op_name: str, argument: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{op_name}: `{argument}` must be a bool. Received: {value!r}")
    return value


def _closeness(op_name: str, x1: Any, x2: Any, rtol: float, atol: float,
               equal_nan: bool) -> Tensor:
    rtol = _tolerance(rtol, op_name, "rtol")
    atol = _tolerance(atol, op_name, "atol")
    equal_nan = _flag(equal_nan, op_name, "equal_nan")
    xp = _xp()

    def forward(a: Any, b: Any) -> Any:
        if a.dtype.kind != "f":  # Keras compares integers exactly
            return a == b
        return xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)

    return elementwise_binary(op_name, x1, x2, forward)


def isclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> Tensor:
    """Elementwise ``|x1 - x2| <= atol + rtol * |x2|`` as a bool tensor (broadcasting).

    Args:
        x1, x2: tensors, arrays or numbers, promoted to one dtype first.
        rtol, atol: relative and absolute tolerances (ignored for integer/bool operands,
            which are compared exactly).
        equal_nan: whether NaN counts as close to NaN.

    Example: ``isclose([1.0, 2.0], [1.0 + 1e-9, 2.1])`` -> ``[True, False]``.
    """
    return _closeness("isclose", x1, x2, rtol, atol, equal_nan)


def allclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> Tensor:
    """Whether :func:`isclose` holds everywhere: a 0-d bool tensor."""
    close = _closeness("allclose", x1, x2, rtol, atol, equal_nan)
    return Tensor(_xp().asarray(close.data.all()))


def isin(x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Which elements of ``x1`` occur anywhere in ``x2``: a bool tensor of ``x1``'s shape.

    Both are promoted to one dtype first (``isin([1, 2], [1.5, 2.0])`` -> ``[False, True]``).
    ``assume_unique`` is accepted for Keras compatibility (a speed hint; results are the
    same); ``invert=True`` gives the elements *not* in ``x2``.
    """
    _flag(assume_unique, "isin", "assume_unique")
    invert = _flag(invert, "isin", "invert")
    dtype = result_type(x1, x2, op_name="isin")
    elements = to_operand_tensor(x1, "isin", dtype)
    test_values = to_operand_tensor(x2, "isin", dtype)
    a = elements.data.astype(dtype, copy=False)
    b = test_values.data.astype(dtype, copy=False)
    return record(_xp().isin(a, b, invert=invert), (elements, test_values), None, name="isin")


# --- value tests --------------------------------------------------------------------------------

def isneginf(x: Any) -> Tensor:
    """Elementwise test for ``-inf`` (always False for integers and bools)."""
    return elementwise_unary("isneginf", x, lambda a: a == -math.inf)


def isposinf(x: Any) -> Tensor:
    """Elementwise test for ``+inf`` (always False for integers and bools)."""
    return elementwise_unary("isposinf", x, lambda a: a == math.inf)


def signbit(x: Any) -> Tensor:
    """Elementwise test for a set sign bit: True for negatives, ``-0.0``, ``-inf`` and NaNs
    with the sign bit set; False for bools."""
    def forward(a: Any) -> Any:
        if a.dtype.kind == "f":
            return _xp().signbit(a)
        return a < 0 if a.dtype.kind == "i" else _xp().zeros(a.shape, dtype=bool)

    return elementwise_unary("signbit", x, forward)


def isreal(x: Any) -> Tensor:
    """Elementwise test for a zero imaginary part: all True, as gpulayers tensors are real."""
    return elementwise_unary("isreal", x, lambda a: _xp().ones(a.shape, dtype=bool))


# --- complex views of real tensors ---------------------------------------------------------------

def _copy_with_identity_gradient(name: str, x: Any) -> Tensor:
    tensor = to_operand_tensor(x, name)
    vjp = (lambda grad: (grad,)) if tensor.data.dtype.kind == "f" else None
    return record(tensor.data.copy(), (tensor,), vjp, name=name)


def real(x: Any) -> Tensor:
    """The real part of ``x``: ``x`` itself for gpulayers' real tensors (same dtype, gradient
    passes through). Complex arrays are refused with a TypeError."""
    return _copy_with_identity_gradient("real", x)


def conj(x: Any) -> Tensor:
    """The complex conjugate: ``x`` itself for real tensors (gradient passes through)."""
    return _copy_with_identity_gradient("conj", x)


def conjugate(x: Any) -> Tensor:
    """Alias of :func:`conj`."""
    return _copy_with_identity_gradient("conjugate", x)


def imag(x: Any) -> Tensor:
    """The imaginary part: zeros of ``x``'s shape and dtype for real tensors (zero
    gradient)."""
    xp = _xp()
    return elementwise_unary("imag", x, xp.zeros_like, lambda g, a, out: xp.zeros_like(g))


def angle(x: Any) -> Tensor:
    """The complex argument of real values: ``pi`` where ``x < 0``, 0 where ``x >= 0``
    (``-0.0`` included), NaN for NaN. Integers give ``floatx()``; zero gradient."""
    xp = _xp()
    tensor = to_operand_tensor(x, "angle")
    if not is_float_dtype(tensor.dtype):
        tensor = cast(tensor, backend.floatx())

    def forward(a: Any) -> Any:
        return xp.where(a < 0, math.pi, xp.where(xp.isnan(a), a, 0)).astype(a.dtype)

    return elementwise_unary("angle", tensor, forward, lambda g, a, out: xp.zeros_like(g))
