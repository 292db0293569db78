"""Layer and RMS normalization as functions (Keras 3's ``keras.ops.layer_normalization`` and
``keras.ops.rms_normalization``).

Both compute in at least float32 (float16 inputs are promoted for stability) and return the
input's dtype, as Keras does. They are compositions of differentiable ops, so gradients reach
``x``, ``gamma``/``beta`` and ``scale``.
"""

from __future__ import annotations

import warnings
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.axes import normalize_axes
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import result_type, to_operand_tensor
from gpulayers.ops.nn import moments
from gpulayers.ops.reductions import mean, var
from gpulayers.ops.shape import reshape
from gpulayers.ops.unary import rsqrt, square

__all__ = ["layer_normalization", "rms_normalization"]


def _prepare(x: Any, axis: Any, op_name: str) -> tuple[Tensor, str, list[int]]:
    x = to_operand_tensor(x, op_name)
    original = x.dtype
    compute = result_type(original, "float32", op_name=op_name)
    x = cast(x, compute) if x.dtype != compute else x
    if x.ndim == 0:
        raise ValueError(f"{op_name}: expected a tensor of rank >= 1. Received a scalar")
    axes = sorted(normalize_axes(axis, x.ndim, op_name, "axis"))
    return x, original, axes


def _parameter(value: Any, x: Tensor, axes: list[int], op_name: str, name: str) -> Any:
    """``gamma``/``beta``/``scale`` cast to x's dtype; a rank-len(axes) parameter is
    reshaped to broadcast over the normalized axes (as Keras's ``_broadcast``)."""
    if value is None:
        return None
    tensor = to_operand_tensor(value, op_name)
    tensor = cast(tensor, x.dtype) if tensor.dtype != x.dtype else tensor
    if tensor.ndim != x.ndim and axes != [x.ndim - 1]:
        shape = [1] * x.ndim
        for axis in axes:
            shape[axis] = x.shape[axis]
        try:
            tensor = reshape(tensor, shape)
        except ValueError:
            raise ValueError(f"{op_name}: `{name}` of shape {tensor.shape} does not match the "
                             f"normalized axes {axes} of x with shape {x.shape}") from None
    return tensor


def layer_normalization(x: Any, gamma: Any = None, beta: Any = None, axis: Any = -1,
                        epsilon: float | None = None, **kwargs: Any) -> Tensor:
    """Normalize ``x`` to zero mean and unit variance over ``axis``, then ``* gamma + beta``.

    Args:
        x: input tensor.
        gamma, beta: optional scale and offset, shaped like the normalized axes.
        axis: int or sequence of ints to normalize over (default the last).
        epsilon: added to the variance; None means ``backend.epsilon()``.
        rms_scaling: deprecated (warns, as Keras): scale by ``rsqrt(var + eps)`` only.

    Example: ``layer_normalization(ops.arange(5.0))`` is ``[-1.414, -0.707, 0, 0.707, 1.414]``.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected keyword arguments {sorted(kwargs)}")
    if rms_scaling:
        warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                      "incorrectly scales the input by the variance, not the root mean square. "
                      "Use `rms_normalization` instead.", stacklevel=2)
    epsilon = backend.epsilon() if epsilon is None else float(epsilon)
    x, original, axes = _prepare(x, axis, "layer_normalization")
    gamma = _parameter(gamma, x, axes, "layer_normalization", "gamma")
    beta = _parameter(beta, x, axes, "layer_normalization", "beta")
    if rms_scaling:
        outputs = x * rsqrt(var(x, axis=tuple(axes), keepdims=True) + epsilon)
        if gamma is not None:
            outputs = outputs * gamma
    else:
        center, variance = moments(x, axes=axes, keepdims=True)
        inv = rsqrt(variance + epsilon)
        if gamma is not None:
            inv = inv * gamma
        outputs = (x - center) * inv
        if beta is not None:
            outputs = outputs + beta
    return cast(outputs, original) if outputs.dtype != original else outputs


def rms_normalization(x: Any, scale: Any = None, axis: Any = -1,
                      epsilon: float | None = None) -> Tensor:
    """``x * rsqrt(mean(x^2, axis) + epsilon) * scale`` (Zhang & Sennrich, 2019).

    Args:
        x: input tensor.
        scale: optional multiplier shaped like the normalized axes.
        axis: int or sequence of ints (default the last).
        epsilon: None means ``backend.epsilon()``.

    Example: ``rms_normalization([[3., 4.]])`` is ``[[0.8485, 1.1314]]``.
    """
    epsilon = backend.epsilon() if epsilon is None else float(epsilon)
    x, original, axes = _prepare(x, axis, "rms_normalization")
    scale = _parameter(scale, x, axes, "rms_normalization", "scale")
    outputs = x * rsqrt(mean(square(x), axis=tuple(axes), keepdims=True) + epsilon)
    if scale is not None:
        outputs = outputs * scale
    return cast(outputs, original) if outputs.dtype != original else outputs
