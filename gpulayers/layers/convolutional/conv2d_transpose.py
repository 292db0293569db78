"""Conv2DTranspose: 2D transposed convolution layer."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.convolutional.base_conv_transpose import BaseConvTranspose

__all__ = ["Conv2DTranspose"]


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution layer ("deconvolution").

    Maps something shaped like a convolution's output back to the shape of its input
    (the adjoint of the convolution with the same arguments), then adds a bias and applies
    the activation. Output length per spatial dim, with `K = (kernel - 1) * dilation + 1`:
    `n * s + max(K - s, 0)` ('valid') or `n * s` ('same') without `output_padding`, else
    `(n - 1) * s + K - 2 * pad + output_padding` with `pad = K // 2` ('same') or 0.

    Args:
        filters: int, the number of output channels.
        kernel_size: int or tuple of 2 ints, the size of the transposed convolution window.
        strides: int or tuple of 2 ints, the upsampling factor. `strides > 1` is
            incompatible with `dilation_rate > 1`.
        padding: `"valid"` or `"same"` (case-insensitive).
        output_padding: None, or an int or tuple of 2 ints, each smaller than the stride:
            extra cells added at the end of each spatial dim (None infers the length).
        data_format: `"channels_last"` or `"channels_first"` (see the input shape);
            default `backend.image_data_format()`.
        dilation_rate: int or tuple of 2 ints, the dilation rate.
        activation: activation name or callable applied to the output; None for linear.
        use_bias: whether to add a bias vector.
        kernel_initializer / bias_initializer: initializers (default `"glorot_uniform"` /
            `"zeros"`).
        kernel_regularizer / bias_regularizer / activity_regularizer: optional penalties.
        kernel_constraint / bias_constraint: optional projections applied after updates.

    Input shape: `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape: `(batch, new_height, new_width, filters)` or
        `(batch, filters, new_height, new_width)`.

    Weights: `kernel` `(*kernel_size, filters, in_channels)`, `bias` `(filters,)`.

    Example:

    >>> from gpulayers import random
    >>> from gpulayers.layers import Conv2DTranspose
    >>> Conv2DTranspose(8, 3, strides=2, padding="same")(random.normal((4, 10, 10, 16))).shape
    (4, 20, 20, 8)
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
