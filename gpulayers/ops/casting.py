"""Dtype casts, identity and gradient stopping.

Example::

    y = ops.cast(x, "float64")      # differentiable between float types
    z = ops.stop_gradient(y) * y    # the first factor is a constant for the tape
"""

from __future__ import annotations

from typing import Any

from gpulayers.autodiff import Tensor, Variable, record
from gpulayers.ops.dtypes import standardize_dtype, to_operand_tensor
from gpulayers.ops.elementwise import floating_errors_ignored

__all__ = ["cast", "identity_op", "stop_gradient"]


def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (a name such as ``'float16'``, a NumPy dtype or ``float``).

    Float-to-float casts are differentiable (the gradient is cast back to ``x``'s dtype); casts
    to or from integers and bool are not. A tensor already of ``dtype`` is returned as is.
    Raises TypeError naming ``cast`` for an unknown dtype.

    Example: ``cast([1.7, -1.7], "int32")`` -> ``[1, -1]``.
    """
    dtype = standardize_dtype(dtype, "cast")
    tensor = to_operand_tensor(x, "cast")
    if tensor.dtype == dtype:
        return tensor
    source = tensor.data
    with floating_errors_ignored():  # NaN -> int is implementation-defined, not an error
        out = source.astype(dtype)
    if source.dtype.kind != "f" or out.dtype.kind != "f":
        return record(out, (tensor,), None, name="cast")
    return record(out, (tensor,), lambda grad: (grad.astype(source.dtype),), name="cast")


def _values(tensor: Tensor) -> Any:
    # A Variable's buffer changes in place on assign(); results must not change with it.
    return tensor.data.copy() if isinstance(tensor, Variable) else tensor.data


def identity_op(x: Any) -> Tensor:
    """``x`` itself as a new Tensor (unary ``+x``); the gradient passes through unchanged."""
    tensor = to_operand_tensor(x, "identity_op")
    return record(_values(tensor), (tensor,), lambda grad: (grad,), name="identity_op")


def stop_gradient(variable: Any) -> Tensor:
    """The same values, treated as a constant by the tape (no gradient flows back).

    Example: ``ops.sum(x * ops.stop_gradient(x))`` has gradient ``x`` with respect to ``x``.
    """
    return Tensor(_values(to_operand_tensor(variable, "stop_gradient")))
