"""Conv3DTranspose: 3D transposed convolution layer."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.convolutional.base_conv_transpose import BaseConvTranspose

__all__ = ["Conv3DTranspose"]


class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution layer ("deconvolution").

    Maps something shaped like a convolution's output back to the shape of its input
    (the adjoint of the convolution with the same arguments), then adds a bias and applies
    the activation. Output length per spatial dim, with `K = (kernel - 1) * dilation + 1`:
    `n * s + max(K - s, 0)` ('valid') or `n * s` ('same') without `output_padding`, else
    `(n - 1) * s + K - 2 * pad + output_padding` with `pad = K // 2` ('same') or 0.

    Args:
        filters: int, the number of output channels.
        kernel_size: int or tuple of 3 ints, the size of the transposed convolution window.
        strides: int or tuple of 3 ints, the upsampling factor. `strides > 1` is
            incompatible with `dilation_rate > 1`.
        padding: `"valid"` or `"same"` (case-insensitive).
        output_padding: None, or an int or tuple of 3 ints, each smaller than the stride:
            extra cells added at the end of each spatial dim (None infers the length).
        data_format: `"channels_last"` or `"channels_first"` (see the input shape);
            default `backend.image_data_format()`.
        dilation_rate: int or tuple of 3 ints, the dilation rate.
        activation: activation name or callable applied to the output; None for linear.
        use_bias: whether to add a bias vector.
        kernel_initializer / bias_initializer: initializers (default `"glorot_uniform"` /
            `"zeros"`).
        kernel_regularizer / bias_regularizer / activity_regularizer: optional penalties.
        kernel_constraint / bias_constraint: optional projections applied after updates.

    Input shape: `(batch, dim1, dim2, dim3, channels)` (channels_last) or
        `(batch, channels, dim1, dim2, dim3)` (channels_first).

    Output shape: `(batch, new_dim1, new_dim2, new_dim3, filters)` or
        `(batch, filters, new_dim1, new_dim2, new_dim3)`.

    Weights: `kernel` `(*kernel_size, filters, in_channels)`, `bias` `(filters,)`.

    Example:

    >>> from gpulayers import random
    >>> from gpulayers.layers import Conv3DTranspose
    >>> Conv3DTranspose(8, 3)(random.normal((4, 5, 5, 5, 16))).shape
    (4, 7, 7, 7, 8)
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 output_padding: Any = None, dilation_rate: Any = (1, 1, 1),
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
