"""Differentiable transposed convolution (Keras 3 ``keras.ops.conv_transpose``), 1D/2D/3D.

A transposed convolution is the input gradient of a convolution: its forward pass is
``col2im(x @ W^T)`` and its backward pass is that convolution's forward (for the inputs) and
kernel gradient (for the kernel), so it reuses :mod:`gpulayers.ops.conv_gemm` unchanged. The
kernel is in Keras's transpose layout ``(*kernel_size, filters, in_channels)``, which is exactly
the layout ``(*kernel_size, conv in_channels, conv filters)`` of that convolution.

Output length per spatial dim (Keras's ``deconv_output_length``, with ``K = (k - 1) * d + 1``):

- ``output_padding=None``: ``n * s + max(K - s, 0)`` ('valid') or ``n * s`` ('same');
- otherwise ``(n - 1) * s + K - 2 * pad + output_padding``, ``pad = K // 2`` ('same') or 0.

Example::

    x = np.random.rand(2, 4, 4, 3).astype("float32")
    ops.conv_transpose(x, np.ones((3, 3, 8, 3), "float32"), strides=2, padding="same").shape
    # (2, 8, 8, 8)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.conv_arguments import (
    float_operands,
    record_conv,
    spatial_rank,
    to_channels_last,
    transpose_geometry,
)
from gpulayers.ops.conv_gemm import conv_forward, conv_input_gradient, conv_kernel_gradient

__all__ = ["conv_transpose"]

IntOrTuple = int | Sequence[int]


def conv_transpose(inputs: Any, kernel: Any, strides: IntOrTuple = 1, padding: str = "valid",
                   output_padding: IntOrTuple | None = None, data_format: str | None = None,
                   dilation_rate: IntOrTuple = 1) -> Tensor:
    """N-d transposed convolution (the adjoint of :func:`gpulayers.ops.conv`).

    Args:
        inputs: ``(batch, *spatial, in_channels)`` or, channels_first, ``(batch, in_channels,
            *spatial)``, with 1 to 3 spatial dims.
        kernel: ``(*kernel_size, filters, in_channels)`` (Keras's Conv*DTranspose layout).
        strides: int or one int per spatial dim.
        padding: ``'valid'`` or ``'same'``.
        output_padding: None, or an int or one int per spatial dim, each smaller than the
            stride or the dilation rate: extra cells added after the output.
        data_format: ``'channels_last'``, ``'channels_first'`` or None for
            ``backend.image_data_format()``.
        dilation_rate: int or one int per spatial dim.

    Returns:
        ``(batch, *out_spatial, filters)`` (or channels_first); see the module docstring for
        ``out_spatial``.

    Example::

        ops.conv_transpose(np.zeros((1, 5, 2)), np.zeros((3, 4, 2)), strides=2).shape
        # (1, 11, 4)
    """
    op = "conv_transpose"
    (x, w), (x_data, kernel_data) = float_operands(op, inputs=inputs, kernel=kernel)
    channels_first = backend.standardize_data_format(data_format) == "channels_first"
    spatial_rank(op, x.shape, w.shape, "(*kernel_size, filters, in_channels)")
    x_last = to_channels_last(x_data, channels_first)
    if kernel_data.shape[-1] != x_last.shape[-1]:
        raise ValueError(
            f"{op}: inputs have {x_last.shape[-1]} channels but the kernel expects "
            f"{kernel_data.shape[-1]} (kernel shape {w.shape}, expected (*kernel_size, "
            f"filters, {x_last.shape[-1]}))")
    out_spatial, geometry = transpose_geometry(op, x_last.shape[1:-1], w.shape[:-2], strides,
                                               padding, output_padding, dilation_rate)
    output_shape = (x_last.shape[0], *out_spatial, kernel_data.shape[-2])
    result = conv_input_gradient(x_last, kernel_data, output_shape, geometry)
    return record_conv(
        op, x, w, result, channels_first,
        lambda grad: conv_forward(grad, kernel_data, geometry)[0],
        lambda grad: conv_kernel_gradient(grad, x_last, kernel_data.shape, geometry))
