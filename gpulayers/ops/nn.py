"""Neural-network ops: dropout, moments, batch normalization, normalize and fused bias+activation.

Each op is one tape node with a hand-written vjp on raw arrays. ``bias_activation`` fuses
``activation(x + bias)`` into one backend primitive (one CUDA launch on CuPy) when the backend
says it can (:func:`can_fuse_bias_activation`); otherwise it runs ``bias_add`` and the
activation op. Keras 3 names and defaults (``keras.ops.moments``, ``batch_normalization``,
``normalize``; ``keras.random.dropout``).

Example::

    mean, variance = moments(x, axes=[0])
    y = batch_normalization(x, mean, variance, axis=-1, offset=beta, scale=gamma)
    h = bias_activation(ops.matmul(x, w), b, "relu")
"""

from __future__ import annotations

from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.backend import random as _random
from gpulayers.ops.activations import activation_name, float_tensor, get_activation
from gpulayers.ops.axes import normalize_axes, normalize_axis
from gpulayers.ops.normalization_arrays import (
    batch_norm_backward,
    lp_normalize_backward,
    lp_normalize_forward,
)

__all__ = [
    "batch_normalization", "bias_activation", "bias_add", "can_fuse_bias_activation",
    "dropout", "l2_normalize", "moments", "normalize",
]


def _noise_shape(noise_shape: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    if noise_shape is None:
        return shape
    noise_shape = tuple(noise_shape)
    if len(noise_shape) != len(shape):
        raise ValueError(
            f"dropout: `noise_shape` must have one entry per dimension of the input. "
            f"Received: noise_shape={noise_shape}, input shape={shape}"
        )
    filled = tuple(size if wanted is None else int(wanted)
                   for wanted, size in zip(noise_shape, shape))
    for wanted, size in zip(filled, shape):
        if wanted not in (1, size):
            raise ValueError(
                f"dropout: each `noise_shape` entry must be 1 or the input's size. "
                f"Received: noise_shape={noise_shape}, input shape={shape}"
            )
    return filled


def dropout(x: Any, rate: float, noise_shape: Any = None,
            seed: int | _random.SeedGenerator | None = None) -> Tensor:
    """Inverted dropout: zero each element with probability ``rate``, scale the rest by 1/(1-rate).

    Args:
        x: float tensor of any shape.
        rate: drop probability in [0, 1).
        noise_shape: shape of the keep mask, broadcast against ``x`` (``None`` entries take the
            input's size), e.g. ``(batch, 1, features)`` to drop whole features.
        seed: an int (same mask every call), a ``SeedGenerator`` (a reproducible stream) or
            None (the global generator).

    Returns:
        A tensor shaped like ``x``; the gradient is masked and scaled the same way.
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout: `rate` must be a float in [0, 1). Received: rate={rate!r}")
    x = float_tensor(x, "dropout")
    if rate == 0.0:
        return x
    shape = _noise_shape(noise_shape, x.shape)
    uniform = _random.uniform(shape, dtype=x.dtype, seed=seed)
    multiplier = (uniform >= rate).astype(x.dtype) * (1.0 / (1.0 - rate))
    out = x.data * multiplier

    def vjp(grad: Any) -> tuple[Any]:
        return (grad * multiplier,)

    return autodiff.record(out, (x,), vjp, name="dropout")


def moments(x: Any, axes: Any, keepdims: bool = False,
            synchronized: bool = False) -> tuple[Tensor, Tensor]:
    """Mean and (biased) variance of ``x`` over ``axes``, as one node with two outputs.

    The variance is ``mean((x - mean)^2)`` (two-pass, stable). float16 inputs are reduced in
    float32 and cast back, as in Keras. ``synchronized`` only matters across devices; a single
    device is always in sync.

    Example: ``moments([[1., 2.], [3., 6.]], axes=[0]) -> ([2., 4.], [1., 4.])``.
    """
    x = float_tensor(x, "moments")
    axes = normalize_axes(axes, x.ndim, "moments", "axes")
    data = x.data if x.dtype != "float16" else x.data.astype("float32")
    count = 1
    for axis in axes:
        count *= x.shape[axis]
    mean = data.mean(axis=axes, keepdims=True)
    centered = data - mean
    variance = (centered * centered).mean(axis=axes, keepdims=True)
    reduced_shape = mean.shape

    def output(value: Any) -> Any:
        value = value if keepdims else value.squeeze(axis=axes)
        return value.astype(x.dtype, copy=False)

    def vjp(grads: tuple[Any, Any]) -> tuple[Any]:
        grad_mean, grad_variance = (g.reshape(reduced_shape) for g in grads)
        grad = (grad_mean + 2.0 * grad_variance * centered) / count
        return (grad.astype(x.dtype, copy=False),)

    return autodiff.record((output(mean), output(variance)), (x,), vjp, name="moments")


def _channel_vector(value: Any, name: str, channels: int) -> Tensor | None:
    if value is None:
        return None
    tensor = autodiff.convert_to_tensor(value)
    if tensor.shape != (channels,):
        raise ValueError(
            f"batch_normalization: `{name}` must have shape ({channels},), one entry per "
            f"channel of the normalized axis. Received: {name}.shape={tensor.shape}"
        )
    return tensor


def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None,
                        scale: Any = None, epsilon: float = 1e-3) -> Tensor:
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, one fused node.

    Args:
        x: float tensor. axis: its channel axis.
        mean, variance, offset, scale: vectors of shape ``(x.shape[axis],)``
            (offset/scale optional). All five inputs get gradients.
        epsilon: added to the variance.

    Example: ``batch_normalization(x, mean, variance, axis=-1, offset=beta, scale=gamma)``.
    """
    x = float_tensor(x, "batch_normalization")
    axis = normalize_axis(axis, x.ndim, "batch_normalization")
    channels = x.shape[axis]
    vectors = [_channel_vector(v, n, channels) for v, n in
               ((mean, "mean"), (variance, "variance"), (offset, "offset"), (scale, "scale"))]
    broadcast = [1] * x.ndim
    broadcast[axis] = channels
    raw = [None if v is None else v.data.astype(x.dtype, copy=False).reshape(broadcast)
           for v in vectors]
    mean_b, variance_b, offset_b, scale_b = raw
    inverse_std = 1.0 / backend.xp().sqrt(variance_b + epsilon)
    normalized = (x.data - mean_b) * inverse_std
    out = normalized if scale_b is None else normalized * scale_b
    if offset_b is not None:
        out = out + offset_b
    reduce_axes = tuple(a for a in range(x.ndim) if a != axis)

    def vjp(grad: Any) -> tuple[Any, ...]:
        grads = batch_norm_backward(grad, normalized, inverse_std, scale_b, reduce_axes)
        shaped = [None if v is None else g.reshape(v.shape).astype(v.dtype, copy=False)
                  for g, v in zip(grads[1:], vectors)]
        return (grads[0].astype(x.dtype, copy=False), *shaped)

    return autodiff.record(out.astype(x.dtype, copy=False), (x, *vectors), vjp,
                           name="batch_normalization")


def normalize(x: Any, axis: Any = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    """``x`` divided by its ``order``-norm along ``axis`` (``keras.ops.normalize``).

    For ``order=2`` this is ``x * min(rsqrt(sum(x^2)), 1/epsilon)``; otherwise
    ``x / max(norm, epsilon)``. ``epsilon`` defaults to ``backend.epsilon()``.
    Example: ``normalize([[3., 4.]]) -> [[0.6, 0.8]]``.
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1. Received: order={order!r}")
    x = float_tensor(x, "normalize")
    original_shape = x.shape
    data = x.data.reshape(1) if x.ndim == 0 else x.data
    axes = tuple(range(data.ndim)) if axis is None else normalize_axes(
        axis, data.ndim, "normalize")
    epsilon = backend.epsilon() if epsilon is None else float(epsilon)
    out, saved = lp_normalize_forward(data, axes, order, epsilon)

    def vjp(grad: Any) -> tuple[Any]:
        dx = lp_normalize_backward(grad, data, out, saved, axes, order)
        return (dx.reshape(original_shape).astype(x.dtype, copy=False),)

    return autodiff.record(out.astype(x.dtype, copy=False), (x,), vjp, name="normalize")


def l2_normalize(x: Any, axis: Any = -1, epsilon: float | None = None) -> Tensor:
    """``normalize(x, axis, order=2, epsilon)``: unit L2 norm along ``axis``."""
    return normalize(x, axis=axis, order=2, epsilon=epsilon)


def can_fuse_bias_activation(activation: Any, dtype: Any) -> bool:
    """Whether the active backend has a fused ``activation(x + bias)`` for this pair."""
    name = activation_name(activation)
    return name is not None and backend.primitives("elementwise").can_fuse(name, dtype)


def _checked_bias(x: Tensor, bias: Any, axis: int, op_name: str) -> Tensor:
    bias = autodiff.convert_to_tensor(bias)
    if bias.shape != (x.shape[axis],):
        raise ValueError(
            f"{op_name}: `bias` must be a vector with one entry per channel, shape "
            f"({x.shape[axis]},). Received: bias.shape={bias.shape}, x.shape={x.shape}"
        )
    return bias


def _fused_bias_activation(x: Tensor, bias: Tensor, axis: int, name: str) -> Tensor:
    primitives = backend.primitives("elementwise")
    bias_data = bias.data.astype(x.dtype, copy=False)
    out = primitives.bias_activation_forward(x.data, bias_data, axis, name)
    other_axes = tuple(a for a in range(x.ndim) if a != axis)

    def vjp(grad: Any) -> tuple[Any, Any]:
        dz = primitives.bias_activation_backward(grad, out, name)
        return dz, dz.sum(axis=other_axes).astype(bias.data.dtype, copy=False)

    return autodiff.record(out, (x, bias), vjp, name=f"bias_{name}")


def bias_activation(x: Any, bias: Any, activation: Any = "linear", axis: int = -1) -> Tensor:
    """``activation(x + bias)``, fused into one node (one kernel launch) where supported.

    Args:
        x: float tensor, e.g. ``(batch, units)`` or ``(batch, h, w, channels)``.
        bias: vector of shape ``(x.shape[axis],)``.
        activation: an activation name, one of the activation functions, a callable, or None.
        axis: the channel axis ``bias`` runs along (-1 for Dense and channels_last).

    Fused (a single node, backward through the output) when
    ``can_fuse_bias_activation(activation, x.dtype)``; otherwise ``bias_add`` then the
    activation, with identical results.
    """
    x = float_tensor(x, "bias_activation")
    if x.ndim == 0:
        raise ValueError("bias_activation: `x` must have rank >= 1. Received a scalar")
    axis = normalize_axis(axis, x.ndim, "bias_activation")
    bias = _checked_bias(x, bias, axis, "bias_activation")
    function = get_activation(activation)
    if can_fuse_bias_activation(activation, x.dtype):
        return _fused_bias_activation(x, bias, axis, activation_name(activation))
    summed = _fused_bias_activation(x, bias, axis, "linear") if can_fuse_bias_activation(
        "linear", x.dtype) else _broadcast_bias_add(x, bias, axis)
    return function(summed)


def _broadcast_bias_add(x: Tensor, bias: Tensor, axis: int) -> Tensor:
    """Unfused ``x + bias`` for dtypes without a fused path (e.g. float16)."""
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    out = x.data + bias.data.astype(x.dtype, copy=False).reshape(shape)
    other_axes = tuple(a for a in range(x.ndim) if a != axis)

    def vjp(grad: Any) -> tuple[Any, Any]:
        return grad, grad.sum(axis=other_axes).astype(bias.data.dtype, copy=False)

    return autodiff.record(out, (x, bias), vjp, name="bias_add")


def bias_add(x: Any, bias: Any, data_format: str | None = None) -> Tensor:
    """``x + bias`` along the channel axis: last for ``channels_last``, 1 for ``channels_first``.

    ``data_format=None`` uses ``backend.image_data_format()`` (as Keras 2's ``bias_add``).
    """
    data_format = backend.standardize_data_format(data_format)
    x = float_tensor(x, "bias_add")
    axis = 1 if data_format == "channels_first" and x.ndim > 1 else -1
    return bias_activation(x, bias, "linear", axis=axis)
