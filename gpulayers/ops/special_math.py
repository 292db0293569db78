"""More elementwise math (Keras 3 ``keras.ops`` names): roots and powers of two, degrees,
NaN-ignoring extrema, C-style remainders, special functions (erf family, Bessel ``i0``, sinc)
and integer number theory (gcd, lcm).

Output dtypes follow Keras 3: float-only functions compute integer and bool inputs in
``floatx()`` (``cbrt``, ``deg2rad``, ``rad2deg``, ``i0``, ``hypot`` and ``heaviside`` give
float64 for int64, as Keras does); ``trunc``, ``fmax``, ``fmin`` and ``fmod`` keep the
promoted dtype (``fmod`` of bools gives int32). ``gcd``/``lcm`` need integer inputs.
Piecewise-constant ops (``trunc``, ``heaviside``) have zero gradients, like ``ops.floor``;
``nextafter`` and the integer ops record no gradient.

Example::

    ops.cbrt([-8.0, 27.0])          # [-2.0, 3.0]
    ops.fmax([1.0, nan], [nan, 2])  # [1.0, 2.0]: NaN loses
    ops.erfinv(ops.erf(x))          # x
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.broadcasting import broadcast_shapes, reduce_grad_to_input
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import is_float_dtype, operand_dtype, result_type, to_operand_tensor
from gpulayers.ops.elementwise import (
    elementwise_binary,
    elementwise_unary,
    floating_errors_ignored,
)

__all__ = [
    "cbrt", "deg2rad", "erf", "erfc", "erfinv", "exp2", "fabs", "fmax", "fmin", "fmod", "gcd",
    "heaviside", "hypot", "i0", "lcm", "ldexp", "logaddexp2", "nextafter", "rad2deg", "sinc",
    "trunc",
]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_NARROW_INTEGERS = ("int8", "int16", "int32", "uint8", "uint16", "uint32")


def _xp() -> Any:
    return backend.xp()


def _special() -> Any:
    # erfc, erfinv and i1 are missing from NumPy/CuPy proper: the backend provides them.
    return backend.primitives("special")


# --- output dtype rules (Keras 3 compute_output_spec) ----------------------------------------

def _floatx_for_non_floats(dtype: str) -> str:
    """exp2, fabs, sinc, erf*: integers and bool compute in floatx(), floats keep theirs."""
    return dtype if is_float_dtype(dtype) else backend.floatx()


def _float64_for_wide_integers(dtype: str) -> str:
    """cbrt, hypot, heaviside: narrow integers (and bool) -> floatx(), 64-bit ones -> float64."""
    if is_float_dtype(dtype):
        return dtype
    return "float64" if dtype in ("int64", "uint64") else backend.floatx()


def _float64_or_half_or_floatx(dtype: str) -> str:
    """deg2rad, rad2deg, i0: int64/float64 -> float64, float16 kept, anything else floatx()."""
    if dtype in ("int64", "float64"):
        return "float64"
    return dtype if dtype == "float16" else backend.floatx()


def _float_unary(name: str, x: Any, rule: Callable[[str], str], forward: Callable[[Any], Any],
                 grad: Callable[[Any, Any, Any], Any] | None) -> Tensor:
    """An elementwise float function computed in ``rule(x.dtype)``; the cast to it is a
    differentiable op of its own, so gradients still reach ``x``."""
    tensor = to_operand_tensor(x, name)
    target = rule(tensor.dtype)
    if tensor.dtype != target:
        tensor = cast(tensor, target)
    return elementwise_unary(name, tensor, lambda a: forward(a).astype(a.dtype, copy=False),
                             grad)


def _zero_grad(grad: Any, *_: Any) -> Any:
    return _xp().zeros_like(grad)


def _pass(grad: Any, *_: Any) -> Any:
    return grad


# --- unary float functions --------------------------------------------------------------------

def cbrt(x: Any) -> Tensor:
    """Elementwise real cube root (``cbrt(-8) = -2``); gradient ``1 / (3 cbrt(x)^2)``."""
    return _float_unary("cbrt", x, _float64_for_wide_integers, _xp().cbrt,
                        lambda g, a, out: g / (3.0 * out * out))


def deg2rad(x: Any) -> Tensor:
    """Degrees to radians: ``x * pi / 180``."""
    factor = math.pi / 180.0
    return _float_unary("deg2rad", x, _float64_or_half_or_floatx, lambda a: a * factor,
                        lambda g, a, out: g * factor)


def rad2deg(x: Any) -> Tensor:
    """Radians to degrees: ``x * 180 / pi``."""
    factor = 180.0 / math.pi
    return _float_unary("rad2deg", x, _float64_or_half_or_floatx, lambda a: a * factor,
                        lambda g, a, out: g * factor)


def exp2(x: Any) -> Tensor:
    """Elementwise ``2 ** x``."""
    return _float_unary("exp2", x, _floatx_for_non_floats, _xp().exp2,
                        lambda g, a, out: g * out * math.log(2.0))


def fabs(x: Any) -> Tensor:
    """Elementwise ``|x|`` as a float (integers give ``floatx()``); gradient ``sign(x)``."""
    return _float_unary("fabs", x, _floatx_for_non_floats, _xp().abs,
                        lambda g, a, out: g * _xp().sign(a))


def sinc(x: Any) -> Tensor:
    """Normalized sinc: ``sin(pi x) / (pi x)``, 1 at 0 (gradient 0 there)."""
    xp = _xp()

    def grad(g: Any, a: Any, out: Any) -> Any:
        nonzero = a != 0
        safe = xp.where(nonzero, a, 1)
        return g * xp.where(nonzero, (xp.cos(math.pi * a) - out) / safe, 0)

    return _float_unary("sinc", x, _floatx_for_non_floats, xp.sinc, grad)


def i0(x: Any) -> Tensor:
    """Modified Bessel function of the first kind, order 0; gradient ``i1(x)``."""
    return _float_unary("i0", x, _float64_or_half_or_floatx, _xp().i0,
                        lambda g, a, out: g * _special().i1(a))


def erf(x: Any) -> Tensor:
    """Error function ``2/sqrt(pi) int_0^x exp(-t^2) dt``; integers give ``floatx()``."""
    return _float_unary("erf", x, _floatx_for_non_floats, lambda a: _special().erf(a),
                        lambda g, a, out: g * _TWO_OVER_SQRT_PI * _xp().exp(-a * a))


def erfc(x: Any) -> Tensor:
    """Complementary error function ``1 - erf(x)``, accurate where it is tiny (large x)."""
    return _float_unary("erfc", x, _floatx_for_non_floats, lambda a: _special().erfc(a),
                        lambda g, a, out: -g * _TWO_OVER_SQRT_PI * _xp().exp(-a * a))


def erfinv(x: Any) -> Tensor:
    """Inverse error function on ``[-1, 1]`` (``+-inf`` at ``+-1``, NaN outside).

    Gradient ``sqrt(pi)/2 * exp(erfinv(x)^2)``. Example: ``erfinv(erf(0.3))`` -> ``0.3``.
    """
    return _float_unary("erfinv", x, _floatx_for_non_floats, lambda a: _special().erfinv(a),
                        lambda g, a, out: g / _TWO_OVER_SQRT_PI * _xp().exp(out * out))


def trunc(x: Any) -> Tensor:
    """Round toward zero, keeping the dtype (integers and bools are returned unchanged);
    zero gradient."""
    def forward(a: Any) -> Any:
        return _xp().trunc(a) if a.dtype.kind == "f" else a.copy()

    return elementwise_unary("trunc", x, forward, _zero_grad)


# --- binary float functions -------------------------------------------------------------------

def _tie_split(first_wins: Any, tie: Any, grad: Any) -> Any:
    # Ties split the gradient half and half, as ops.maximum does (the central difference).
    return grad * (first_wins + 0.5 * tie)


def fmax(x1: Any, x2: Any) -> Tensor:
    """Elementwise maximum that ignores NaN (NaN only where both are NaN).

    The gradient goes to the larger input (to the non-NaN one; to ``x1`` when both are NaN);
    ties split it 50/50 like ``ops.maximum``.
    """
    xp = _xp()

    def first(g: Any, a: Any, b: Any, out: Any) -> Any:
        return _tie_split((a > b) | xp.isnan(b), a == b, g)

    def second(g: Any, a: Any, b: Any, out: Any) -> Any:
        return _tie_split((b > a) | (xp.isnan(a) & ~xp.isnan(b)), a == b, g)

    return elementwise_binary("fmax", x1, x2, xp.fmax, (first, second))


def fmin(x1: Any, x2: Any) -> Tensor:
    """Elementwise minimum that ignores NaN (NaN only where both are NaN); gradient as
    :func:`fmax`, to the smaller input."""
    xp = _xp()

    def first(g: Any, a: Any, b: Any, out: Any) -> Any:
        return _tie_split((a < b) | xp.isnan(b), a == b, g)

    def second(g: Any, a: Any, b: Any, out: Any) -> Any:
        return _tie_split((b < a) | (xp.isnan(a) & ~xp.isnan(b)), a == b, g)

    return elementwise_binary("fmin", x1, x2, xp.fmin, (first, second))


def _bool_to_int32(dtype: str) -> str:
    return "int32" if dtype == "bool" else dtype


def fmod(x1: Any, x2: Any) -> Tensor:
    """C remainder ``x1 - trunc(x1 / x2) * x2``: the sign of ``x1`` (``ops.mod`` takes
    ``x2``'s). Bools give int32. Gradient: 1 for ``x1``, ``-trunc(x1 / x2)`` for ``x2``.

    Example: ``fmod([-7, 7], 3)`` -> ``[-1, 1]``.
    """
    xp = _xp()
    return elementwise_binary("fmod", x1, x2, xp.fmod,
                              (_pass, lambda g, a, b, out: -g * xp.trunc(a / b)),
                              compute_dtype=_bool_to_int32)


def hypot(x1: Any, x2: Any) -> Tensor:
    """``sqrt(x1**2 + x2**2)`` without overflow; gradient ``x / hypot`` (0 at the origin)."""
    xp = _xp()

    def grad_of(value: Any, g: Any, out: Any) -> Any:
        nonzero = out != 0
        return g * xp.where(nonzero, value / xp.where(nonzero, out, 1), 0)

    return elementwise_binary("hypot", x1, x2, xp.hypot,
                              (lambda g, a, b, out: grad_of(a, g, out),
                               lambda g, a, b, out: grad_of(b, g, out)),
                              compute_dtype=_float64_for_wide_integers)


def _heaviside_dtype(dtype: str) -> str:
    return "bool" if dtype == "bool" else _float64_for_wide_integers(dtype)


def heaviside(x1: Any, x2: Any) -> Tensor:
    """Step function: 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``
    (NaN stays NaN). Bools stay bool, integers give floats; zero gradients.
    """
    xp = _xp()

    def forward(a: Any, b: Any) -> Any:
        if a.dtype.kind == "b":  # no bool loop in NumPy: x1 is 0 or 1 here
            return xp.where(a, True, b)
        return xp.heaviside(a, b)

    return elementwise_binary("heaviside", x1, x2, forward, (_zero_grad, _zero_grad),
                              compute_dtype=_heaviside_dtype)


def logaddexp2(x1: Any, x2: Any) -> Tensor:
    """``log2(2**x1 + 2**x2)`` without overflow; integers give ``floatx()``."""
    xp = _xp()
    return elementwise_binary("logaddexp2", x1, x2, xp.logaddexp2,
                              (lambda g, a, b, out: g * xp.exp2(a - out),
                               lambda g, a, b, out: g * xp.exp2(b - out)),
                              compute_dtype=_floatx_for_non_floats)


def nextafter(x1: Any, x2: Any) -> Tensor:
    """The next representable float after ``x1`` towards ``x2``, in the promoted float dtype
    (integers give ``floatx()``); no gradient.

    Example: ``nextafter(float32 1.0, 2.0)`` -> ``1.0000001``.
    """
    return elementwise_binary("nextafter", x1, x2, _xp().nextafter,
                              compute_dtype=_floatx_for_non_floats)


def ldexp(x1: Any, x2: Any) -> Tensor:
    """``x1 * 2 ** x2`` for an integer exponent ``x2``; the result is
    ``result_type(x1, x2, float)`` (integer mantissas give ``floatx()``).

    Differentiable in ``x1`` (gradient ``2 ** x2``). Raises TypeError for a non-integer
    exponent. Example: ``ldexp([1.0, 3.0], [2, -1])`` -> ``[4.0, 1.5]``.
    """
    exponent_dtype, _ = operand_dtype(x2, "ldexp")
    if exponent_dtype == "bool" or is_float_dtype(exponent_dtype):
        raise TypeError(f"ldexp: the exponent `x2` must have an integer dtype. "
                        f"Received: x2 dtype={exponent_dtype}")
    dtype = result_type(x1, x2, 1.0, op_name="ldexp")
    mantissa = to_operand_tensor(x1, "ldexp", dtype)
    exponent = to_operand_tensor(x2, "ldexp", "int32")
    broadcast_shapes("ldexp", mantissa.shape, exponent.shape)
    # NumPy's ldexp loops take C int exponents; any realistic exponent fits in int32.
    powers = exponent.data.astype("int32", copy=False)
    a = mantissa.data.astype(dtype, copy=False)
    with floating_errors_ignored():
        out = _xp().ldexp(a, powers).astype(dtype, copy=False)

    def vjp(grad: Any) -> tuple[Any, None]:
        scale = _xp().ldexp(_xp().ones_like(a), powers)
        return reduce_grad_to_input(grad * scale, mantissa), None

    return record(out, (mantissa, exponent), vjp, name="ldexp")


# --- integer number theory --------------------------------------------------------------------

def _integer_binary(name: str, x1: Any, x2: Any, function: Callable[[Any, Any], Any]) -> Tensor:
    dtype = result_type(x1, x2, op_name=name)
    if backend.xp().dtype(dtype).kind not in "iu":
        raise TypeError(f"{name}: expected integer inputs. Received: x1 dtype="
                        f"{operand_dtype(x1, name)[0]}, x2 dtype={operand_dtype(x2, name)[0]}")
    return elementwise_binary(name, x1, x2, function)


def gcd(x1: Any, x2: Any) -> Tensor:
    """Elementwise greatest common divisor of integers (non-negative; ``gcd(0, 0) = 0``).

    Example: ``gcd([12, -18], 8)`` -> ``[4, 2]``.
    """
    return _integer_binary("gcd", x1, x2, _xp().gcd)


def lcm(x1: Any, x2: Any) -> Tensor:
    """Elementwise least common multiple of integers (non-negative; 0 if either is 0).

    Example: ``lcm([4, -6], 6)`` -> ``[12, 6]``.
    """
    return _integer_binary("lcm", x1, x2, _xp().lcm)
