"""Broadcasting binary ops: arithmetic (differentiable), comparisons and logic (bool results).

All of them take Tensors, arrays or Python scalars, broadcast like NumPy and promote dtypes
with the Keras rules of :mod:`gpulayers.ops.dtypes` (``float32_tensor * 2.0`` stays float32).
Gradients of broadcast inputs are summed over the broadcast dimensions.

Example::

    y = ops.add(x, 1.0)          # same as x + 1.0
    mask = ops.greater(x, 0)     # bool tensor, same as x > 0
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.dtypes import is_float_dtype
from gpulayers.ops.elementwise import elementwise_binary, elementwise_unary

__all__ = [
    "add", "arctan2", "divide", "divide_no_nan", "equal", "floor_divide", "greater",
    "greater_equal", "less", "less_equal", "logaddexp", "logical_and", "logical_not",
    "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply", "not_equal", "power",
    "subtract", "true_divide",
]


def _to_float(dtype: str) -> str:
    return dtype if is_float_dtype(dtype) else backend.floatx()


def _zeros(grad: Any, *_: Any) -> Any:
    return backend.xp().zeros_like(grad)


def _pass(grad: Any, *_: Any) -> Any:
    return grad


def add(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 + x2`` with broadcasting. Example: ``add([1, 2], 1)`` -> ``[2, 3]``."""
    return elementwise_binary("add", x1, x2, lambda a, b: a + b, (_pass, _pass))


def subtract(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 - x2`` with broadcasting."""
    return elementwise_binary("subtract", x1, x2, lambda a, b: a - b,
                              (_pass, lambda g, a, b, out: -g))


def multiply(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 * x2`` with broadcasting."""
    return elementwise_binary("multiply", x1, x2, lambda a, b: a * b,
                              (lambda g, a, b, out: g * b, lambda g, a, b, out: g * a))


def divide(x1: Any, x2: Any) -> Tensor:
    """Elementwise true division ``x1 / x2``; integer inputs give ``floatx()``."""
    return elementwise_binary("divide", x1, x2, lambda a, b: a / b,
                              (lambda g, a, b, out: g / b, lambda g, a, b, out: -g * out / b),
                              compute_dtype=_to_float)


true_divide = divide


def _safe_quotient(a: Any, b: Any) -> Any:
    xp = backend.xp()
    nonzero = b != 0
    return xp.where(nonzero, a / xp.where(nonzero, b, 1), 0).astype(
        xp.result_type(a.dtype, b.dtype), copy=False)


def divide_no_nan(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 / x2`` with 0 where ``x2`` is 0 (no NaN, no warning); integer inputs
    give ``floatx()``. Gradients are 0 where ``x2`` is 0.

    Example: ``divide_no_nan([1.0, 2.0], [2.0, 0.0])`` -> ``[0.5, 0.0]``.
    """
    return elementwise_binary(
        "divide_no_nan", x1, x2, _safe_quotient,
        (lambda g, a, b, out: _safe_quotient(g, b),
         lambda g, a, b, out: -_safe_quotient(g * out, b)),
        compute_dtype=_to_float)


def floor_divide(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 // x2`` (rounds toward -inf); zero gradient almost everywhere."""
    return elementwise_binary("floor_divide", x1, x2, lambda a, b: a // b, (_zeros, _zeros))


def mod(x1: Any, x2: Any) -> Tensor:
    """Elementwise remainder ``x1 % x2`` with the sign of ``x2`` (Python/NumPy convention).

    Gradient: 1 for ``x1`` and ``-floor(x1 / x2)`` for ``x2`` (as in TensorFlow).
    """
    xp = backend.xp()
    return elementwise_binary("mod", x1, x2, lambda a, b: xp.mod(a, b),
                              (_pass, lambda g, a, b, out: -g * xp.floor(a / b)))


def power(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 ** x2``; scalar or tensor exponents (``power(x, 2)``, ``power(2, x)``).

    Gradient with respect to the exponent uses ``log(x1)``, taken as 0 where ``x1 <= 0`` (as in
    TensorFlow); the base's gradient is 0 where the exponent is 0.
    """
    xp = backend.xp()

    def base_grad(g: Any, a: Any, b: Any, out: Any) -> Any:
        return g * xp.where(b == 0, 0, b * a ** (b - 1))

    def exponent_grad(g: Any, a: Any, b: Any, out: Any) -> Any:
        positive = a > 0
        return g * out * xp.where(positive, xp.log(xp.where(positive, a, 1)), 0)

    return elementwise_binary("power", x1, x2, lambda a, b: a ** b, (base_grad, exponent_grad))


def _selection_grad(first_wins: Any, tie: Any, grad: Any) -> Any:
    # Ties split the gradient half and half (the central difference of max at a tie).
    return grad * (first_wins + 0.5 * tie)


def maximum(x1: Any, x2: Any) -> Tensor:
    """Elementwise maximum. The gradient goes to the larger input; ties split it 50/50."""
    xp = backend.xp()
    return elementwise_binary(
        "maximum", x1, x2, xp.maximum,
        (lambda g, a, b, out: _selection_grad(a > b, a == b, g),
         lambda g, a, b, out: _selection_grad(b > a, a == b, g)))


def minimum(x1: Any, x2: Any) -> Tensor:
    """Elementwise minimum. The gradient goes to the smaller input; ties split it 50/50."""
    xp = backend.xp()
    return elementwise_binary(
        "minimum", x1, x2, xp.minimum,
        (lambda g, a, b, out: _selection_grad(a < b, a == b, g),
         lambda g, a, b, out: _selection_grad(b < a, a == b, g)))


def logaddexp(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``log(exp(x1) + exp(x2))``, computed without overflow."""
    xp = backend.xp()
    return elementwise_binary("logaddexp", x1, x2, xp.logaddexp,
                              (lambda g, a, b, out: g * xp.exp(a - out),
                               lambda g, a, b, out: g * xp.exp(b - out)),
                              compute_dtype=_to_float)


def arctan2(x1: Any, x2: Any) -> Tensor:
    """Elementwise angle of the point ``(x2, x1)``: ``arctan(x1 / x2)`` in the right quadrant."""
    xp = backend.xp()
    return elementwise_binary("arctan2", x1, x2, xp.arctan2,
                              (lambda g, y, x, out: g * x / (x * x + y * y),
                               lambda g, y, x, out: -g * y / (x * x + y * y)),
                              compute_dtype=_to_float)


def _comparison(name: str, x1: Any, x2: Any, ufunc_name: str) -> Tensor:
    function = getattr(backend.xp(), ufunc_name)
    return elementwise_binary(name, x1, x2, function)


def equal(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 == x2`` as a bool tensor."""
    return _comparison("equal", x1, x2, "equal")


def not_equal(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 != x2`` as a bool tensor."""
    return _comparison("not_equal", x1, x2, "not_equal")


def less(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 < x2`` as a bool tensor."""
    return _comparison("less", x1, x2, "less")


def less_equal(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 <= x2`` as a bool tensor."""
    return _comparison("less_equal", x1, x2, "less_equal")


def greater(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 > x2`` as a bool tensor."""
    return _comparison("greater", x1, x2, "greater")


def greater_equal(x1: Any, x2: Any) -> Tensor:
    """Elementwise ``x1 >= x2`` as a bool tensor."""
    return _comparison("greater_equal", x1, x2, "greater_equal")


def _as_bool(_: str) -> str:
    return "bool"


def logical_and(x1: Any, x2: Any) -> Tensor:
    """Elementwise logical AND (nonzero is True) as a bool tensor."""
    return elementwise_binary("logical_and", x1, x2, backend.xp().logical_and,
                              compute_dtype=_as_bool)


def logical_or(x1: Any, x2: Any) -> Tensor:
    """Elementwise logical OR (nonzero is True) as a bool tensor."""
    return elementwise_binary("logical_or", x1, x2, backend.xp().logical_or,
                              compute_dtype=_as_bool)


def logical_xor(x1: Any, x2: Any) -> Tensor:
    """Elementwise logical XOR (nonzero is True) as a bool tensor."""
    return elementwise_binary("logical_xor", x1, x2, backend.xp().logical_xor,
                              compute_dtype=_as_bool)


def logical_not(x: Any) -> Tensor:
    """Elementwise logical NOT (zero is True) as a bool tensor; also ``~x``."""
    return elementwise_unary("logical_not", x, backend.xp().logical_not)

