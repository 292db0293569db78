"""Differentiable convolutions (Keras 3 ``keras.ops.conv`` and friends), 1D/2D/3D.

The rank follows from the kernel: ``(*kernel_size, in_channels, filters)`` with 1 to 3
kernel dims. Inputs are ``(batch, *spatial, channels)`` for channels_last or
``(batch, channels, *spatial)`` for channels_first (transposed to channels_last for the
arithmetic and back). Every op is im2col + GEMM (see :mod:`gpulayers.ops.conv_gemm`); the
padding rules are TensorFlow's (see :mod:`gpulayers.ops.conv_arguments`).

- :func:`conv`: grouped when the kernel's in_channels divides the inputs' channels
  (``groups = channels // in_channels``, as in Keras 3).
- :func:`depthwise_conv`: kernel ``(*kernel_size, channels, depth_multiplier)``; output
  channel ``c * depth_multiplier + m`` (TensorFlow's order).
- :func:`separable_conv`: a depthwise conv, then a pointwise (1x1) conv.
- :func:`conv_transpose`: kernel ``(*kernel_size, filters, in_channels)``; defined in
  :mod:`gpulayers.ops.conv_transpose` and re-exported here.

Example::

    x = np.random.rand(2, 8, 8, 3).astype("float32")
    ops.conv(x, np.ones((3, 3, 3, 16), "float32"), padding="same").shape   # (2, 8, 8, 16)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, convert_to_tensor, needs_grad
from gpulayers.ops.conv_arguments import (
    conv_geometry,
    float_operands,
    record_conv,
    spatial_rank,
    to_channels_last,
)
from gpulayers.ops.conv_gemm import conv_forward, conv_input_gradient, conv_kernel_gradient
from gpulayers.ops.conv_transpose import conv_transpose

__all__ = ["conv", "conv_transpose", "depthwise_conv", "separable_conv"]

IntOrTuple = int | Sequence[int]


def conv(inputs: Any, kernel: Any, strides: IntOrTuple = 1, padding: str = "valid",
         data_format: str | None = None, dilation_rate: IntOrTuple = 1) -> Tensor:
    """N-d convolution (cross-correlation, as in every deep-learning framework).

    Args:
        inputs: ``(batch, *spatial, channels)`` or, channels_first, ``(batch, channels,
            *spatial)``, with 1 to 3 spatial dims.
        kernel: ``(*kernel_size, channels // groups, filters)``; ``filters`` must be a
            multiple of ``groups``.
        strides: int or one int per spatial dim.
        padding: ``'valid'``, ``'same'`` (output ``ceil(n / s)``) or ``'causal'`` (1D only).
        data_format: ``'channels_last'``, ``'channels_first'`` or None for
            ``backend.image_data_format()``.
        dilation_rate: int or one int per spatial dim.

    Returns:
        ``(batch, *out_spatial, filters)`` (or channels_first), in the operands' float dtype.

    Example::

        ops.conv(np.zeros((2, 10, 4)), np.zeros((3, 2, 6)), padding="causal").shape
        # (2, 10, 6): a 1D conv with 2 groups of 2 channels each
    """
    (x, w), (x_data, w_data) = float_operands("conv", inputs=inputs, kernel=kernel)
    channels_first = backend.standardize_data_format(data_format) == "channels_first"
    spatial_rank("conv", x.shape, w.shape)
    channels = x.shape[1] if channels_first else x.shape[-1]
    groups = _groups("conv", channels, w.shape)
    return _grouped_conv("conv", x, w, x_data, w_data, w.shape, groups, channels_first,
                         strides, padding, dilation_rate)


def depthwise_conv(inputs: Any, kernel: Any, strides: IntOrTuple = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: IntOrTuple = 1) -> Tensor:
    """Depthwise N-d convolution: each channel convolved with its own ``depth_multiplier`` filters.

    Args:
        inputs: as in :func:`conv`.
        kernel: ``(*kernel_size, channels, depth_multiplier)``.
        strides, padding, data_format, dilation_rate: as in :func:`conv`.

    Returns:
        ``(batch, *out_spatial, channels * depth_multiplier)``; output channel
        ``c * depth_multiplier + m`` is channel ``c`` convolved with ``kernel[..., c, m]``.

    Example::

        ops.depthwise_conv(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 3, 2))).shape  # (1, 3, 3, 6)
    """
    (x, w), (x_data, w_data) = float_operands("depthwise_conv", inputs=inputs, kernel=kernel)
    channels_first = backend.standardize_data_format(data_format) == "channels_first"
    spatial_rank("depthwise_conv", x.shape, w.shape,
                 "(*kernel_size, channels, depth_multiplier)")
    channels = x.shape[1] if channels_first else x.shape[-1]
    if w.shape[-2] != channels:
        raise ValueError(
            f"depthwise_conv: inputs have {channels} channels but the kernel expects "
            f"{w.shape[-2]} (kernel shape {w.shape}, expected (*kernel_size, {channels}, "
            f"depth_multiplier))")
    grouped_shape = (*w.shape[:-2], 1, channels * w.shape[-1])
    return _grouped_conv("depthwise_conv", x, w, x_data, w_data, grouped_shape, channels,
                         channels_first, strides, padding, dilation_rate)


def separable_conv(inputs: Any, depthwise_kernel: Any, pointwise_kernel: Any,
                   strides: IntOrTuple = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: IntOrTuple = 1) -> Tensor:
    """Depthwise convolution followed by a pointwise (kernel size 1) convolution.

    Args:
        inputs: as in :func:`conv`.
        depthwise_kernel: ``(*kernel_size, channels, depth_multiplier)``.
        pointwise_kernel: ``(*ones, channels * depth_multiplier, filters)``.
        strides, padding, data_format, dilation_rate: of the depthwise step.

    Example::

        ops.separable_conv(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 3, 2)),
                           np.zeros((1, 1, 6, 8)), padding="same").shape   # (1, 5, 5, 8)
    """
    depthwise_kernel = convert_to_tensor(depthwise_kernel)
    pointwise_kernel = convert_to_tensor(pointwise_kernel)
    if depthwise_kernel.ndim in (3, 4, 5):
        rank = depthwise_kernel.ndim - 2
        expected = (*(1,) * rank, depthwise_kernel.shape[-2] * depthwise_kernel.shape[-1])
        if pointwise_kernel.ndim != rank + 2 or pointwise_kernel.shape[:-1] != expected:
            raise ValueError(
                f"separable_conv: `pointwise_kernel` must have shape {(*expected, 'filters')} "
                f"for a depthwise kernel of shape {depthwise_kernel.shape}. Received "
                f"pointwise kernel shape {pointwise_kernel.shape}")
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


def _groups(op: str, channels: int, kernel_shape: Sequence[int]) -> int:
    """Keras 3's group count: channels // kernel in_channels, which must divide both sides."""
    in_channels, filters = kernel_shape[-2], kernel_shape[-1]
    if in_channels < 1 or channels % in_channels != 0:
        raise ValueError(
            f"{op}: inputs have {channels} channels but the kernel expects {in_channels} "
            f"(kernel shape {tuple(kernel_shape)}); the inputs' channels must be a multiple of "
            f"the kernel's in_channels (groups = channels // in_channels)")
    groups = channels // in_channels
    if filters % groups != 0:
        raise ValueError(
            f"{op}: the kernel's {filters} filters cannot be split into {groups} groups "
            f"(inputs have {channels} channels, kernel shape {tuple(kernel_shape)})")
    return groups


def _grouped_conv(op: str, x: Tensor, w: Tensor, x_data: Any, w_data: Any,
                  grouped_shape: Sequence[int], groups: int, channels_first: bool,
                  strides: Any, padding: Any, dilation_rate: Any) -> Tensor:
    """The one recorded convolution behind conv and depthwise_conv.

    ``w_data`` is viewed as ``grouped_shape`` ``(*k, C/G, O)`` for the GEMM; its gradient is
    reshaped back to ``w``'s own shape.
    """
    x_last = to_channels_last(x_data, channels_first)
    kernel = w_data.reshape(tuple(grouped_shape))
    geometry = conv_geometry(op, x_last.shape[1:-1], kernel.shape[:-2], strides, padding,
                             dilation_rate, groups)
    result, kept = conv_forward(x_last, kernel, geometry, keep_columns=needs_grad(x, w)[1])
    return record_conv(
        op, x, w, result, channels_first,
        lambda grad: conv_input_gradient(grad, kernel, x_last.shape, geometry),
        lambda grad: conv_kernel_gradient(x_last, grad, kernel.shape, geometry,
                                          kept).reshape(w.shape))
