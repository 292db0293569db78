"""Conv1D: 1D convolution layer (e.g. temporal convolution)."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.convolutional.base_conv import BaseConv

__all__ = ["Conv1D"]


class Conv1D(BaseConv):
    """1D convolution layer (e.g. temporal convolution).

    Convolves (cross-correlates) a kernel with the inputs, adds a bias and applies the
    activation: `activation(conv(inputs, kernel) + bias)`.

    Args:
        filters: int, the number of output channels.
        kernel_size: int or tuple of 1 int, the size of the convolution window.
        strides: int or tuple of 1 int. `strides > 1` is incompatible with
            `dilation_rate > 1`.
        padding: `"valid"` (no padding), `"same"` (output length
            `ceil(steps / strides)`) or `"causal"` (`output[t]` depends only on
            `inputs[:t + 1]`; WaveNet-style dilated causal convolution).
        data_format: `"channels_last"` or `"channels_first"` (see the input shape);
            default `backend.image_data_format()`.
        dilation_rate: int or tuple of 1 int, the dilation rate.
        groups: number of groups the input channels are split into; each group is convolved
            with `filters // groups` filters. Must divide the input channels and `filters`.
        activation: activation name or callable applied to the output; None for linear.
        use_bias: whether to add a bias vector of shape `(filters,)`.
        kernel_initializer: initializer of the kernel (default `"glorot_uniform"`).
        bias_initializer: initializer of the bias (default `"zeros"`).
        kernel_regularizer / bias_regularizer: optional weight penalties.
        activity_regularizer: optional penalty on the output.
        kernel_constraint / bias_constraint: optional projections applied after updates.

    Input shape: `(batch, steps, channels)` (channels_last) or
        `(batch, channels, steps)` (channels_first).

    Output shape: `(batch, new_steps, filters)` or `(batch, filters, new_steps)`.

    Weights: `kernel` `(*kernel_size, in_channels // groups, filters)`, `bias` `(filters,)`.

    Example:

    >>> from gpulayers import random
    >>> from gpulayers.layers import Conv1D
    >>> Conv1D(32, 3, activation="relu")(random.normal((4, 10, 128))).shape
    (4, 8, 32)
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
