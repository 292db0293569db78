"""Numerically stable activation arithmetic on raw backend arrays (no tape).

Shared by the activation, loss and nn ops, whose forwards and vjps work on raw arrays.
Nothing here overflows or warns for large inputs: ``exp`` only ever sees ``-|x|`` or
``x - max(x)``.

Example::

    probabilities = softmax_array(logits, (1,))
    log_p = log_softmax_array(logits, (1,))
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.ops.axes import normalize_axes

__all__ = [
    "log_softmax_array", "sigmoid_array", "softmax_array", "softmax_axes", "softplus_array",
]


def sigmoid_array(x: Any) -> Any:
    """``1 / (1 + exp(-x))`` via ``e = exp(-|x|)``: ``1/(1+e)`` for x >= 0, ``e/(1+e)`` below."""
    xp = backend.xp()
    e = xp.exp(-xp.abs(x))
    reciprocal = 1.0 / (1.0 + e)
    return xp.where(x >= 0, reciprocal, e * reciprocal).astype(x.dtype, copy=False)


def softplus_array(x: Any) -> Any:
    """``log(1 + exp(x))`` as ``max(x, 0) + log1p(exp(-|x|))``."""
    xp = backend.xp()
    return (xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype, copy=False)


def softmax_axes(axis: Any, ndim: int, op_name: str) -> tuple[int, ...]:
    """Validated non-negative softmax axes (an int or a sequence of ints)."""
    if ndim == 0:
        raise ValueError(f"{op_name}: expected a tensor of rank >= 1. Received a scalar")
    return normalize_axes(axis, ndim, op_name)


def log_softmax_array(x: Any, axes: tuple[int, ...]) -> Any:
    """``x - max - log(sum(exp(x - max)))`` along ``axes``."""
    xp = backend.xp()
    shifted = x - x.max(axis=axes, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axes, keepdims=True))


def softmax_array(x: Any, axes: tuple[int, ...]) -> Any:
    """``exp(x - max) / sum(exp(x - max))`` along ``axes``."""
    xp = backend.xp()
    exponentials = xp.exp(x - x.max(axis=axes, keepdims=True))
    exponentials /= exponentials.sum(axis=axes, keepdims=True)
    return exponentials
