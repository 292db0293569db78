"""Fused bias + activation on CuPy: one ``kernels/elementwise.cu`` launch per direction.

Same names, signatures and results as ``numpy_backend/elementwise.py`` (the reference; read
its docstrings for shapes). The activation is a compile-time choice (``-DGL_ACTIVATION``),
so each activation compiles once and is cached by the loader. Supported dtypes: float32 and
float64.

Example::

    y = bias_activation_forward(x, bias, -1, "relu")
    dz = bias_activation_backward(grad, y, "relu")
"""

from __future__ import annotations

from typing import Any

import cupy as cp

from gpulayers.backend import dtype_name, kernels
from gpulayers.backend.cupy_backend.launch import contiguous, dtype_suffix, launch
from gpulayers.backend.numpy_backend.elementwise import (
    FUSED_ACTIVATIONS,
    FUSED_DTYPES,
    activation_code,
)

__all__ = [
    "FUSED_ACTIVATIONS", "activation_code", "bias_activation_backward",
    "bias_activation_forward", "can_fuse",
]

_MAX_BLOCKS = 65535


def can_fuse(activation: str, dtype: Any) -> bool:
    """True when ``activation`` (a name) on ``dtype`` has a fused kernel."""
    return activation in FUSED_ACTIVATIONS and dtype_name(dtype) in FUSED_DTYPES


def _function(name: str, dtype: Any, activation: str) -> Any:
    suffix = dtype_suffix(cp.dtype(dtype))
    if suffix is None:
        raise TypeError(f"bias_activation on CuPy supports float32 and float64. "
                        f"Received dtype {cp.dtype(dtype).name}")
    defines = {"GL_ACTIVATION": activation_code(activation)}
    return kernels.get_function("elementwise", f"{name}_{suffix}", defines=defines)


def bias_activation_forward(x: Any, bias: Any, axis: int, activation: str) -> Any:
    """``activation(x + bias)`` with ``bias`` (channels,) broadcast along ``axis`` of ``x``."""
    function = _function("bias_act_forward", x.dtype, activation)
    axis = axis % x.ndim
    x = cp.ascontiguousarray(x)
    bias = contiguous(bias, x.dtype)
    channels = x.shape[axis]
    inner = 1
    for size in x.shape[axis + 1:]:
        inner *= size
    y = cp.empty_like(x)
    if x.size:
        launch(function, x.size,
               (x, bias, y, cp.int64(x.size), cp.int64(channels), cp.int64(max(inner, 1))),
               _MAX_BLOCKS)
    return y


def bias_activation_backward(grad: Any, y: Any, activation: str) -> Any:
    """``grad * activation'(z)`` through the forward output ``y`` (see the NumPy reference)."""
    function = _function("bias_act_backward", y.dtype, activation)
    y = cp.ascontiguousarray(y)
    grad = contiguous(grad, y.dtype)
    dz = cp.empty_like(y)
    if y.size:
        launch(function, y.size, (grad, y, dz, cp.int64(y.size)), _MAX_BLOCKS)
    return dz
