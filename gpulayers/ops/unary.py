"""Elementwise functions of one tensor: arithmetic, exponentials, trigonometry, rounding, tests.

Functions that are only defined on reals (sqrt, exp, sin, ...) compute integer and bool inputs
in ``floatx()``, as Keras does; sign-preserving ones (negative, absolute, square, sign) keep
the input's dtype. Rounding ops (round, floor, ceil, sign) have zero gradient; the tests
(isnan, isinf, isfinite) return bool tensors.

Example::

    y = ops.tanh(x)
    z = ops.clip(x, 0.0, 6.0)    # gradient 1 inside [0, 6], 0 outside
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.broadcasting import broadcast_shapes, reduce_grad_to_input
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.elementwise import elementwise_unary, floating_errors_ignored

__all__ = [
    "abs", "absolute", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "ceil",
    "clip", "cos", "cosh", "exp", "expm1", "floor", "isfinite", "isinf", "isnan", "log", "log10",
    "log1p", "log2", "nan_to_num", "negative", "reciprocal", "round", "rsqrt", "sign", "sin",
    "sinh", "sqrt", "square", "tan", "tanh",
]


def _xp() -> Any:
    return backend.xp()


def _float_op(name: str, x: Any, forward: Any, grad: Any) -> Tensor:
    return elementwise_unary(name, x, forward, grad, to_float=True)


def _zero_grad(grad: Any, *_: Any) -> Any:
    return _xp().zeros_like(grad)


# --- sign-preserving arithmetic -------------------------------------------------------------

def negative(x: Any) -> Tensor:
    """Elementwise ``-x``."""
    return elementwise_unary("negative", x, lambda a: -a, lambda g, a, out: -g)


def absolute(x: Any) -> Tensor:
    """Elementwise ``|x|``; gradient ``sign(x)`` (0 at 0)."""
    return elementwise_unary("absolute", x, _xp().abs, lambda g, a, out: g * _xp().sign(a))


abs = absolute  # noqa: A001 - Keras spells it ``ops.abs`` too


def sign(x: Any) -> Tensor:
    """Elementwise -1, 0 or 1 with the sign of ``x``; zero gradient."""
    return elementwise_unary("sign", x, _xp().sign, _zero_grad)


def square(x: Any) -> Tensor:
    """Elementwise ``x * x``."""
    return elementwise_unary("square", x, lambda a: a * a, lambda g, a, out: 2 * g * a)


def reciprocal(x: Any) -> Tensor:
    """Elementwise ``1 / x`` (integers give ``floatx()``)."""
    return _float_op("reciprocal", x, lambda a: 1 / a, lambda g, a, out: -g * out * out)


# --- powers, exponentials and logarithms ----------------------------------------------------

def sqrt(x: Any) -> Tensor:
    """Elementwise square root (integers give ``floatx()``)."""
    return _float_op("sqrt", x, _xp().sqrt, lambda g, a, out: g / (2 * out))


def rsqrt(x: Any) -> Tensor:
    """Elementwise ``1 / sqrt(x)``."""
    return _float_op("rsqrt", x, lambda a: 1 / _xp().sqrt(a),
                     lambda g, a, out: -0.5 * g * out * out * out)


def exp(x: Any) -> Tensor:
    """Elementwise ``e ** x``."""
    return _float_op("exp", x, _xp().exp, lambda g, a, out: g * out)


def expm1(x: Any) -> Tensor:
    """Elementwise ``exp(x) - 1``, accurate for small ``x``."""
    return _float_op("expm1", x, _xp().expm1, lambda g, a, out: g * (out + 1))


def log(x: Any) -> Tensor:
    """Elementwise natural logarithm (``-inf`` at 0, ``nan`` below, without warnings)."""
    return _float_op("log", x, _xp().log, lambda g, a, out: g / a)


def log1p(x: Any) -> Tensor:
    """Elementwise ``log(1 + x)``, accurate for small ``x``."""
    return _float_op("log1p", x, _xp().log1p, lambda g, a, out: g / (1 + a))


def log2(x: Any) -> Tensor:
    """Elementwise base-2 logarithm."""
    return _float_op("log2", x, _xp().log2, lambda g, a, out: g / (a * math.log(2.0)))


def log10(x: Any) -> Tensor:
    """Elementwise base-10 logarithm."""
    return _float_op("log10", x, _xp().log10, lambda g, a, out: g / (a * math.log(10.0)))


# --- trigonometric and hyperbolic -----------------------------------------------------------

def sin(x: Any) -> Tensor:
    """Elementwise sine (radians)."""
    return _float_op("sin", x, _xp().sin, lambda g, a, out: g * _xp().cos(a))


def cos(x: Any) -> Tensor:
    """Elementwise cosine (radians)."""
    return _float_op("cos", x, _xp().cos, lambda g, a, out: -g * _xp().sin(a))


def tan(x: Any) -> Tensor:
    """Elementwise tangent (radians)."""
    return _float_op("tan", x, _xp().tan, lambda g, a, out: g * (1 + out * out))


def arcsin(x: Any) -> Tensor:
    """Elementwise inverse sine."""
    return _float_op("arcsin", x, _xp().arcsin, lambda g, a, out: g / _xp().sqrt(1 - a * a))


def arccos(x: Any) -> Tensor:
    """Elementwise inverse cosine."""
    return _float_op("arccos", x, _xp().arccos, lambda g, a, out: -g / _xp().sqrt(1 - a * a))


def arctan(x: Any) -> Tensor:
    """Elementwise inverse tangent."""
    return _float_op("arctan", x, _xp().arctan, lambda g, a, out: g / (1 + a * a))


def sinh(x: Any) -> Tensor:
    """Elementwise hyperbolic sine."""
    return _float_op("sinh", x, _xp().sinh, lambda g, a, out: g * _xp().cosh(a))


def cosh(x: Any) -> Tensor:
    """Elementwise hyperbolic cosine."""
    return _float_op("cosh", x, _xp().cosh, lambda g, a, out: g * _xp().sinh(a))


def tanh(x: Any) -> Tensor:
    """Elementwise hyperbolic tangent; gradient ``1 - tanh(x)**2`` from the saved output."""
    return _float_op("tanh", x, _xp().tanh, lambda g, a, out: g * (1 - out * out))


def arcsinh(x: Any) -> Tensor:
    """Elementwise inverse hyperbolic sine."""
    return _float_op("arcsinh", x, _xp().arcsinh, lambda g, a, out: g / _xp().sqrt(a * a + 1))


def arccosh(x: Any) -> Tensor:
    """Elementwise inverse hyperbolic cosine (defined for ``x >= 1``)."""
    return _float_op("arccosh", x, _xp().arccosh, lambda g, a, out: g / _xp().sqrt(a * a - 1))


def arctanh(x: Any) -> Tensor:
    """Elementwise inverse hyperbolic tangent (defined for ``|x| < 1``)."""
    return _float_op("arctanh", x, _xp().arctanh, lambda g, a, out: g / (1 - a * a))


# --- rounding, clipping and non-finite values -----------------------------------------------

def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001 - Keras name
    """Round half to even to ``decimals`` decimal places; zero gradient."""
    return elementwise_unary("round", x, lambda a: _xp().round(a, int(decimals)), _zero_grad)


def floor(x: Any) -> Tensor:
    """Elementwise largest integer <= x (integers give ``floatx()``); zero gradient."""
    return _float_op("floor", x, _xp().floor, _zero_grad)


def ceil(x: Any) -> Tensor:
    """Elementwise smallest integer >= x (integers give ``floatx()``); zero gradient."""
    return _float_op("ceil", x, _xp().ceil, _zero_grad)


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    """Limit values to ``[x_min, x_max]`` (Keras ``ops.clip``); keeps ``x``'s dtype.

    The bounds may be scalars or tensors broadcasting against ``x`` (either may be None for no
    bound); they are constants for the tape. The gradient passes where
    ``x_min <= x <= x_max`` (boundaries included, as in TensorFlow) and is 0 elsewhere.

    Example: ``clip([-1.0, 0.5, 3.0], 0.0, 1.0)`` -> ``[0.0, 0.5, 1.0]``.
    """
    tensor = to_operand_tensor(x, "clip")
    a = tensor.data if tensor.dtype != "bool" else tensor.data.astype("int32")
    bounds = [None if bound is None else to_operand_tensor(bound, "clip", a.dtype.name).data
              for bound in (x_min, x_max)]
    broadcast_shapes("clip", a.shape, *(b.shape for b in bounds if b is not None))
    inside = _xp().ones(a.shape, dtype=bool)
    out = a
    with floating_errors_ignored():
        if bounds[0] is not None:
            low = bounds[0].astype(a.dtype, copy=False)
            out, inside = _xp().maximum(out, low), inside & (a >= low)
        if bounds[1] is not None:
            high = bounds[1].astype(a.dtype, copy=False)
            out, inside = _xp().minimum(out, high), inside & (a <= high)
    out = out.copy() if out is a else out

    def vjp(grad: Any) -> tuple[Any]:
        return (reduce_grad_to_input(grad * inside, tensor),)

    return record(out, (tensor,), vjp, name="clip")


def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: the largest
    finite values of the dtype). The gradient passes where ``x`` is finite, 0 elsewhere.
    """
    return elementwise_unary(
        "nan_to_num", x,
        lambda a: _xp().nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf),
        lambda g, a, out: g * _xp().isfinite(a))


def isnan(x: Any) -> Tensor:
    """Elementwise NaN test, as a bool tensor."""
    return elementwise_unary("isnan", x, _xp().isnan)


def isinf(x: Any) -> Tensor:
    """Elementwise +/-inf test, as a bool tensor."""
    return elementwise_unary("isinf", x, _xp().isinf)


def isfinite(x: Any) -> Tensor:
    """Elementwise test for values that are neither NaN nor infinite, as a bool tensor."""
    return elementwise_unary("isfinite", x, _xp().isfinite)
