"""Fused bias + activation on NumPy: ``y = activation(x + bias)`` and its backward.

The reference for ``cupy_backend/elementwise.py`` (one ``kernels/elementwise.cu`` launch).
The forward allocates one output and applies the activation to it in place; the backward is
written in terms of the output ``y``, so the pre-activation sum is never kept.

Shapes: ``x`` any shape with ``x.shape[axis] == bias.shape[0]``; ``y`` and ``dz`` like ``x``.

Example::

    if can_fuse("relu", x.dtype):
        y = bias_activation_forward(x, bias, -1, "relu")
        dz = bias_activation_backward(grad, y, "relu")   # dx = dz, dbias = dz summed
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gpulayers.backend import dtype_name

__all__ = [
    "FUSED_ACTIVATIONS", "activation_code", "bias_activation_backward",
    "bias_activation_forward", "can_fuse",
]

# Activation name -> the kernel's GL_ACTIVATION code (kernels/elementwise.cu).
FUSED_ACTIVATIONS = {
    "linear": 0, "relu": 1, "sigmoid": 2, "tanh": 3, "relu6": 4, "elu": 5, "selu": 6,
    "softplus": 7, "hard_sigmoid": 8,
}
FUSED_DTYPES = ("float32", "float64")
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def can_fuse(activation: str, dtype: Any) -> bool:
    """True when ``activation`` (a name) on ``dtype`` has a fused path on this backend."""
    return activation in FUSED_ACTIVATIONS and dtype_name(dtype) in FUSED_DTYPES


def activation_code(activation: str) -> int:
    """The kernel code of a fusable activation name (ValueError for others)."""
    if activation not in FUSED_ACTIVATIONS:
        raise ValueError(
            f"bias_activation: no fused kernel for activation {activation!r}; "
            f"fusable: {sorted(FUSED_ACTIVATIONS)}"
        )
    return FUSED_ACTIVATIONS[activation]


def _bias_shape(ndim: int, axis: int, channels: int) -> tuple[int, ...]:
    shape = [1] * ndim
    shape[axis] = channels
    return tuple(shape)


def _sigmoid_in_place(y: Any) -> None:
    negative = y < 0
    np.abs(y, out=y)
    np.negative(y, out=y)
    np.exp(y, out=y)  # e = exp(-|z|), never overflows
    e = y.copy()
    np.add(y, 1.0, out=y)
    np.reciprocal(y, out=y)  # 1 / (1 + e)
    y[negative] *= e[negative]  # e / (1 + e) for z < 0


def _softplus_in_place(y: Any) -> None:
    tail = np.log1p(np.exp(-np.abs(y)))
    np.maximum(y, 0.0, out=y)
    y += tail


def _exponential_linear_in_place(y: Any, alpha: float, scale: float) -> None:
    negative = y < 0
    y[negative] = alpha * np.expm1(y[negative])
    y *= scale


def _activate_in_place(y: Any, activation: str) -> None:
    if activation == "relu":
        np.maximum(y, 0.0, out=y)
    elif activation == "sigmoid":
        _sigmoid_in_place(y)
    elif activation == "tanh":
        np.tanh(y, out=y)
    elif activation == "relu6":
        np.clip(y, 0.0, 6.0, out=y)
    elif activation == "elu":
        _exponential_linear_in_place(y, 1.0, 1.0)
    elif activation == "selu":
        _exponential_linear_in_place(y, SELU_ALPHA, SELU_SCALE)
    elif activation == "softplus":
        _softplus_in_place(y)
    elif activation == "hard_sigmoid":
        y += 3.0
        np.clip(y, 0.0, 6.0, out=y)
        y /= 6.0


def bias_activation_forward(x: Any, bias: Any, axis: int, activation: str) -> Any:
    """``activation(x + bias)`` with ``bias`` (channels,) broadcast along ``axis`` of ``x``.

    Args:
        x: float32/float64 array of any shape. bias: (x.shape[axis],) of the same dtype.
        axis: the channel axis of ``x`` (negative counts from the end).
        activation: a name in ``FUSED_ACTIVATIONS``.

    Returns:
        ``y``, a new array shaped like ``x``.
    """
    activation_code(activation)
    axis = axis % x.ndim
    y = np.add(x, bias.reshape(_bias_shape(x.ndim, axis, bias.shape[0])), dtype=x.dtype)
    _activate_in_place(y, activation)
    return y


def _slope_from_output(y: Any, activation: str) -> Any:
    """activation'(z) expressed through ``y = activation(z)``."""
    if activation == "relu":
        return (y > 0).astype(y.dtype)
    if activation == "sigmoid":
        return y * (1.0 - y)
    if activation == "tanh":
        return 1.0 - y * y
    if activation == "relu6":
        return ((y > 0) & (y < 6)).astype(y.dtype)
    if activation == "elu":
        return np.where(y > 0, 1.0, y + 1.0).astype(y.dtype, copy=False)
    if activation == "selu":
        return np.where(y > 0, SELU_SCALE, y + SELU_SCALE * SELU_ALPHA).astype(y.dtype,
                                                                              copy=False)
    if activation == "softplus":
        return -np.expm1(-y)
    if activation == "hard_sigmoid":
        return np.where((y > 0) & (y < 1), 1.0 / 6.0, 0.0).astype(y.dtype, copy=False)
    return np.ones_like(y)


def bias_activation_backward(grad: Any, y: Any, activation: str) -> Any:
    """Gradient with respect to the pre-activation ``z = x + bias``: ``grad * activation'(z)``.

    Args:
        grad: gradient of the output, shaped like ``y``. y: the forward's output.
        activation: the name the forward used.

    Returns:
        ``dz`` shaped like ``y`` (``dx = dz``; ``dbias`` is ``dz`` summed over other axes).
    """
    activation_code(activation)
    if activation == "linear":
        return grad.astype(y.dtype, copy=True)
    slope = _slope_from_output(y, activation)
    slope *= grad
    return slope
