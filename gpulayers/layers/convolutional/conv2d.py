"""Conv2D: 2D convolution layer (e.g. spatial convolution over images)."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.convolutional.base_conv import BaseConv

__all__ = ["Conv2D"]


class Conv2D(BaseConv):
    """2D convolution layer (e.g. spatial convolution over images).

    Convolves (cross-correlates) a kernel with the inputs, adds a bias and applies the
    activation: `activation(conv(inputs, kernel) + bias)`.

    Args:
        filters: int, the number of output channels.
        kernel_size: int or tuple of 2 ints, the size of the convolution window.
        strides: int or tuple of 2 ints. `strides > 1` is incompatible with
            `dilation_rate > 1`.
        padding: `"valid"` (no padding) or `"same"` (output size
            `ceil(size / strides)`), case-insensitive.
        data_format: `"channels_last"` or `"channels_first"` (see the input shape);
            default `backend.image_data_format()`.
        dilation_rate: int or tuple of 2 ints, the dilation rate.
        groups: number of groups the input channels are split into; each group is convolved
            with `filters // groups` filters. Must divide the input channels and `filters`.
        activation: activation name or callable applied to the output; None for linear.
        use_bias: whether to add a bias vector of shape `(filters,)`.
        kernel_initializer: initializer of the kernel (default `"glorot_uniform"`).
        bias_initializer: initializer of the bias (default `"zeros"`).
        kernel_regularizer / bias_regularizer: optional weight penalties.
        activity_regularizer: optional penalty on the output.
        kernel_constraint / bias_constraint: optional projections applied after updates.

    Input shape: `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape: `(batch, new_height, new_width, filters)` or
        `(batch, filters, new_height, new_width)`.

    Weights: `kernel` `(*kernel_size, in_channels // groups, filters)`, `bias` `(filters,)`.

    Example:

    >>> from gpulayers import random
    >>> from gpulayers.layers import Conv2D
    >>> Conv2D(32, 3, activation="relu")(random.normal((4, 10, 10, 128))).shape
    (4, 8, 8, 32)
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
