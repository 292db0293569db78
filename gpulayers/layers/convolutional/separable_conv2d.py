"""SeparableConv2D: 2D separable convolution layer."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.convolutional.base_separable_conv import BaseSeparableConv

__all__ = ["SeparableConv2D"]


class SeparableConv2D(BaseSeparableConv):
    """2D depthwise-separable convolution layer.

    A depthwise convolution (each input channel convolved with its own
    `depth_multiplier` filters), then a pointwise (kernel size 1) convolution mixing the
    channels into `filters` outputs, then a bias and the activation. Fewer weights than a
    full convolution with the same window.

    Args:
        filters: int, the number of output channels.
        kernel_size: int or tuple of 2 ints, the size of the depthwise window.
        strides: int or tuple of 2 ints, of the depthwise step. `strides > 1` is
            incompatible with `dilation_rate > 1`.
        padding: `"valid"` or `"same"` (case-insensitive).
        data_format: `"channels_last"` or `"channels_first"` (see the input shape);
            default `backend.image_data_format()`.
        dilation_rate: int or tuple of 2 ints, the dilation rate.
        activation: activation name or callable applied to the output; None for linear.
        use_bias: whether to add a bias vector.
        depth_multiplier: number of depthwise filters per input channel.
        depthwise_initializer / pointwise_initializer / bias_initializer: initializers
            (default `"glorot_uniform"`, `"glorot_uniform"`, `"zeros"`).
        depthwise_regularizer / pointwise_regularizer / bias_regularizer /
            activity_regularizer: optional penalties.
        depthwise_constraint / pointwise_constraint / bias_constraint: optional projections.

    Input shape: `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape: `(batch, new_height, new_width, filters)` or
        `(batch, filters, new_height, new_width)`.

    Weights: `depthwise_kernel` `(*kernel_size, in_channels, depth_multiplier)`,
    `pointwise_kernel` `(*(1,) * rank, in_channels * depth_multiplier, filters)`,
    `bias` `(filters,)`.

    Example:

    >>> from gpulayers import random
    >>> from gpulayers.layers import SeparableConv2D
    >>> SeparableConv2D(32, 3)(random.normal((4, 10, 10, 12))).shape
    (4, 8, 8, 32)
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(2, depth_multiplier, filters, kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
