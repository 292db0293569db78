"""Bitwise logic and shifts on integer (and, for logic, bool) tensors (Keras 3 names).

Operands broadcast and promote with the Keras rules of :mod:`gpulayers.ops.dtypes`
(``int8 & int32 -> int32``, ``uint8 & int8 -> int16``, a Python int takes the tensor's
dtype). Float operands raise TypeError, as do bools in shifts. Results are integers or bools,
so none of these ops has a gradient.

Example::

    ops.bitwise_and([12, 10], 6)        # [4, 2]
    ops.left_shift([1, 3], [2, 1])      # [4, 6]
    ops.bitwise_invert(x)               # ~x: -x - 1 for signed integers
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.dtypes import operand_dtype, result_type
from gpulayers.ops.elementwise import elementwise_binary, elementwise_unary

__all__ = [
    "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "left_shift", "right_shift",
]


def _check_kinds(name: str, kinds: str, *operands: Any) -> None:
    """TypeError naming ``name`` unless every operand's dtype kind is one of ``kinds``."""
    allowed = "integer or bool" if "b" in kinds else "integer"
    for argument, value in zip(("x", "y"), operands):
        dtype, _ = operand_dtype(value, name)
        if backend.xp().dtype(dtype).kind not in kinds:
            raise TypeError(f"{name}: expected {allowed} inputs. Received: {argument} "
                            f"dtype={dtype}")


def _bitwise_binary(name: str, x: Any, y: Any, function: Callable[[Any, Any], Any],
                    kinds: str) -> Tensor:
    _check_kinds(name, kinds, x, y)
    dtype = result_type(x, y, op_name=name)
    if backend.xp().dtype(dtype).kind not in kinds:  # int64 with uint64 promotes to float64
        raise TypeError(f"{name}: x and y promote to {dtype}, which has no bitwise ops. "
                        f"Received: x dtype={operand_dtype(x, name)[0]}, "
                        f"y dtype={operand_dtype(y, name)[0]}")
    return elementwise_binary(name, x, y, function)


def bitwise_and(x: Any, y: Any) -> Tensor:
    """Elementwise bitwise AND of integers (logical AND of bools)."""
    return _bitwise_binary("bitwise_and", x, y, backend.xp().bitwise_and, "biu")


def bitwise_or(x: Any, y: Any) -> Tensor:
    """Elementwise bitwise OR of integers (logical OR of bools)."""
    return _bitwise_binary("bitwise_or", x, y, backend.xp().bitwise_or, "biu")


def bitwise_xor(x: Any, y: Any) -> Tensor:
    """Elementwise bitwise XOR of integers (logical XOR of bools)."""
    return _bitwise_binary("bitwise_xor", x, y, backend.xp().bitwise_xor, "biu")


def bitwise_invert(x: Any) -> Tensor:
    """Elementwise bitwise NOT of integers (``-x - 1`` for signed ones); logical NOT of
    bools. Keeps the dtype."""
    _check_kinds("bitwise_invert", "biu", x)
    return elementwise_unary("bitwise_invert", x, backend.xp().invert)


def bitwise_not(x: Any) -> Tensor:
    """Alias of :func:`bitwise_invert`."""
    _check_kinds("bitwise_not", "biu", x)
    return elementwise_unary("bitwise_not", x, backend.xp().invert)


def bitwise_left_shift(x: Any, y: Any) -> Tensor:
    """Elementwise ``x << y`` for integers (a Python int ``y`` keeps ``x``'s dtype).

    Shifts by a negative amount or by at least the bit width are undefined, as in NumPy.
    Example: ``bitwise_left_shift([1, 3], 2)`` -> ``[4, 12]``.
    """
    return _bitwise_binary("bitwise_left_shift", x, y, backend.xp().left_shift, "iu")


def bitwise_right_shift(x: Any, y: Any) -> Tensor:
    """Elementwise ``x >> y`` for integers (arithmetic shift: signed values keep their sign).

    Example: ``bitwise_right_shift([16, -16], 2)`` -> ``[4, -4]``.
    """
    return _bitwise_binary("bitwise_right_shift", x, y, backend.xp().right_shift, "iu")


def left_shift(x: Any, y: Any) -> Tensor:
    """Alias of :func:`bitwise_left_shift`."""
    return _bitwise_binary("left_shift", x, y, backend.xp().left_shift, "iu")


def right_shift(x: Any, y: Any) -> Tensor:
    """Alias of :func:`bitwise_right_shift`."""
    return _bitwise_binary("right_shift", x, y, backend.xp().right_shift, "iu")
