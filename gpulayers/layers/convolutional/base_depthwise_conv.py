"""BaseDepthwiseConv: the N-d depthwise convolution behind DepthwiseConv1D/2D."""

from __future__ import annotations

from typing import Any

from gpulayers import constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor, Variable
from gpulayers.layers.argument_checks import lookup, positive_int
from gpulayers.layers.convolutional.base_spatial_conv import (
    BaseSpatialConv,
    conv_output_shape,
)

__all__ = ["BaseDepthwiseConv"]


class BaseDepthwiseConv(BaseSpatialConv):
    """N-d depthwise convolution: each input channel convolved with its own
    ``depth_multiplier`` filters (no mixing between channels).

    Args:
        rank: number of spatial dims (1 or 2).
        depth_multiplier: filters per input channel; the output has
            ``in_channels * depth_multiplier`` channels, channel ``c * depth_multiplier + m``
            being input channel ``c`` convolved with ``kernel[..., c, m]``.
        kernel_size, strides, padding ('valid' or 'same'), data_format, dilation_rate,
            activation, use_bias: as in :class:`BaseConv`.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: for the kernel.
        bias_initializer / bias_regularizer / bias_constraint: for the bias.

    Weights (Keras 3's layout and names): ``kernel`` of shape
    ``(*kernel_size, in_channels, depth_multiplier)`` (also readable as
    ``depthwise_kernel``), then ``bias`` of shape ``(in_channels * depth_multiplier,)``.
    """

    def __init__(self, rank: int, depth_multiplier: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(rank, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, bias_initializer, bias_regularizer,
                         bias_constraint, activity_regularizer=activity_regularizer, **kwargs)
        owner = self.owner
        self.depth_multiplier = positive_int(owner, "depth_multiplier", depth_multiplier)
        self.depthwise_initializer = lookup(owner, "depthwise_initializer", initializers.get,
                                            depthwise_initializer)
        self.depthwise_regularizer = lookup(owner, "depthwise_regularizer", regularizers.get,
                                            depthwise_regularizer)
        self.depthwise_constraint = lookup(owner, "depthwise_constraint", constraints.get,
                                           depthwise_constraint)

    @property
    def depthwise_kernel(self) -> Variable:
        """The kernel under its Keras 2 attribute name."""
        return self.kernel

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)  # rejects inputs too small for the kernel
        self.kernel = self._add_kernel(
            "kernel", (*self.kernel_size, channels, self.depth_multiplier),
            self.depthwise_initializer, self.depthwise_regularizer, self.depthwise_constraint)
        self._add_bias(channels * self.depth_multiplier)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        outputs = ops.depthwise_conv(inputs, self.kernel, strides=self.strides,
                                     padding=self.padding, data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return self._bias_and_activation(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        channels = tuple(input_shape)[self.channel_axis] if len(tuple(input_shape)) else None
        filters = None if channels is None else channels * self.depth_multiplier
        return conv_output_shape(self.owner, input_shape, filters, self.kernel_size,
                                 self.strides, self.padding, self.data_format,
                                 self.dilation_rate)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "depth_multiplier": self.depth_multiplier,
            **self._geometry_config(), **self._output_config(),
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            **self._bias_config(),
        }
