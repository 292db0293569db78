"""DepthwiseConv2D: 2D depthwise convolution layer."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv

__all__ = ["DepthwiseConv2D"]


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution layer.

    Convolves each input channel with its own `depth_multiplier` filters (no mixing
    between channels), then adds a bias and applies the activation. Output channel
    `c * depth_multiplier + m` is input channel `c` convolved with `kernel[..., c, m]`.

    Args:
        kernel_size: int or tuple of 2 ints, the size of the convolution window.
        strides: int or tuple of 2 ints. `strides > 1` is incompatible with
            `dilation_rate > 1`.
        padding: `"valid"` or `"same"` (case-insensitive).
        depth_multiplier: number of filters per input channel; the output has
            `in_channels * depth_multiplier` channels.
        data_format: `"channels_last"` or `"channels_first"` (see the input shape);
            default `backend.image_data_format()`.
        dilation_rate: int or tuple of 2 ints, the dilation rate.
        activation: activation name or callable applied to the output; None for linear.
        use_bias: whether to add a bias vector.
        depthwise_initializer / bias_initializer: initializers (default `"glorot_uniform"` /
            `"zeros"`).
        depthwise_regularizer / bias_regularizer / activity_regularizer: optional penalties.
        depthwise_constraint / bias_constraint: optional projections applied after updates.

    Input shape: `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape: `(batch, new_height, new_width, channels * depth_multiplier)` or
        `(batch, channels * depth_multiplier, new_height, new_width)`.

    Weights: `kernel` `(*kernel_size, in_channels, depth_multiplier)` (Keras 3's name;
    also `depthwise_kernel`), `bias` `(in_channels * depth_multiplier,)`.

    Example:

    >>> from gpulayers import random
    >>> from gpulayers.layers import DepthwiseConv2D
    >>> DepthwiseConv2D(3, depth_multiplier=2)(random.normal((4, 10, 10, 12))).shape
    (4, 8, 8, 24)
    """

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = (1, 1), activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", depthwise_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(2, depth_multiplier, kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
