"""The machinery shared by elementwise ops: operand promotion, broadcasting and recording.

An elementwise op is a forward function on raw backend arrays plus, per input, a function
giving that input's (not yet unbroadcast) gradient. The helpers here convert the operands
(weak Python scalars included, see :mod:`gpulayers.ops.dtypes`), check the shapes, silence
NumPy's floating-point warnings (CuPy never warns, and log(0) = -inf is the answer, not an
accident), and record the op with a vjp that reduces each gradient to its input's shape.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, needs_grad, record
from gpulayers.ops.broadcasting import broadcast_shapes, reduce_grad_to_input
from gpulayers.ops.dtypes import result_type, to_operand_tensor

__all__ = ["elementwise_binary", "elementwise_unary", "floating_errors_ignored"]

BinaryGrad = Callable[[Any, Any, Any, Any], Any]  # (grad, a, b, out) -> gradient array
UnaryGrad = Callable[[Any, Any, Any], Any]  # (grad, a, out) -> gradient array


def floating_errors_ignored() -> contextlib.AbstractContextManager:
    """Context in which NumPy does not warn about overflow, 0/0, log(0), ... (CuPy never does)."""
    errstate = getattr(backend.xp(), "errstate", None)
    return errstate(all="ignore") if errstate is not None else contextlib.nullcontext()


def elementwise_binary(name: str, x1: Any, x2: Any, forward: Callable[[Any, Any], Any],
                       grads: tuple[BinaryGrad, BinaryGrad] | None = None, *,
                       compute_dtype: Callable[[str], str] | None = None) -> Tensor:
    """Run a broadcasting binary op and record it.

    Args:
        name: op name for errors and the tape.
        x1, x2: operands (Tensors, arrays, Python scalars).
        forward: ``forward(a, b) -> out`` on arrays already cast to the computation dtype.
        grads: ``(grad_x1, grad_x2)``, each ``(grad, a, b, out) -> array`` of the broadcast
            shape; None for ops without a gradient (comparisons, logic).
        compute_dtype: maps the promoted dtype to the dtype to compute in (e.g. ints to
            floatx() for ``divide``).
    """
    dtype = result_type(x1, x2, op_name=name)
    if compute_dtype is not None:
        dtype = compute_dtype(dtype)
    first = to_operand_tensor(x1, name, dtype)
    second = to_operand_tensor(x2, name, dtype)
    broadcast_shapes(name, first.shape, second.shape)
    a = first.data.astype(dtype, copy=False)
    b = second.data.astype(dtype, copy=False)
    with floating_errors_ignored():
        out = forward(a, b)
    if grads is None or out.dtype.kind != "f":
        return record(out, (first, second), None, name=name)
    wanted = needs_grad(first, second)

    def vjp(grad: Any) -> tuple[Any, Any]:
        with floating_errors_ignored():
            return tuple(
                reduce_grad_to_input(grad_fn(grad, a, b, out), tensor) if want else None
                for grad_fn, tensor, want in zip(grads, (first, second), wanted))

    return record(out, (first, second), vjp, name=name)


def elementwise_unary(name: str, x: Any, forward: Callable[[Any], Any],
                      grad: UnaryGrad | None = None, *, to_float: bool = False) -> Tensor:
    """Run a unary op and record it.

    Args:
        name: op name for errors and the tape.
        x: the operand.
        forward: ``forward(a) -> out`` on the raw array.
        grad: ``(grad, a, out) -> input gradient``; None for ops without a gradient.
        to_float: compute integer and bool inputs in ``floatx()`` (sqrt, exp, sin, ...).
    """
    tensor = to_operand_tensor(x, name)
    a = tensor.data
    if to_float and a.dtype.kind != "f":
        a = a.astype(backend.floatx())
    with floating_errors_ignored():
        out = forward(a)
    if grad is None or out.dtype.kind != "f":
        return record(out, (tensor,), None, name=name)

    def vjp(output_grad: Any) -> tuple[Any]:
        with floating_errors_ignored():
            return (reduce_grad_to_input(grad(output_grad, a, out), tensor),)

    return record(out, (tensor,), vjp, name=name)
