"""BaseSeparableConv: the N-d depthwise-separable convolution behind SeparableConv1D/2D."""

from __future__ import annotations

from typing import Any

from gpulayers import constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import lookup, positive_int
from gpulayers.layers.convolutional.base_spatial_conv import (
    BaseSpatialConv,
    conv_output_shape,
)

__all__ = ["BaseSeparableConv"]


class BaseSeparableConv(BaseSpatialConv):
    """N-d separable convolution: a depthwise convolution (each channel on its own), then a
    pointwise (kernel size 1) convolution mixing the channels into ``filters`` outputs.

    Args:
        rank: number of spatial dims (1 or 2).
        depth_multiplier: depthwise filters per input channel.
        filters: number of output channels.
        kernel_size, strides, padding ('valid' or 'same'), data_format, dilation_rate,
            activation, use_bias: as in :class:`BaseConv` (geometry of the depthwise step).
        depthwise_* / pointwise_* / bias_*: initializer, regularizer and constraint of each
            weight.

    Weights (Keras 3's layout): ``depthwise_kernel`` ``(*kernel_size, in_channels,
    depth_multiplier)``, ``pointwise_kernel`` ``(*(1,) * rank, in_channels *
    depth_multiplier, filters)``, then ``bias`` ``(filters,)``.
    """

    def __init__(self, rank: int, depth_multiplier: int, filters: int, kernel_size: Any,
                 strides: Any = 1, padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(rank, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, bias_initializer, bias_regularizer,
                         bias_constraint, activity_regularizer=activity_regularizer, **kwargs)
        owner = self.owner
        self.depth_multiplier = positive_int(owner, "depth_multiplier", depth_multiplier)
        self.filters = positive_int(owner, "filters", filters)
        self.depthwise_initializer = lookup(owner, "depthwise_initializer", initializers.get,
                                            depthwise_initializer)
        self.pointwise_initializer = lookup(owner, "pointwise_initializer", initializers.get,
                                            pointwise_initializer)
        self.depthwise_regularizer = lookup(owner, "depthwise_regularizer", regularizers.get,
                                            depthwise_regularizer)
        self.pointwise_regularizer = lookup(owner, "pointwise_regularizer", regularizers.get,
                                            pointwise_regularizer)
        self.depthwise_constraint = lookup(owner, "depthwise_constraint", constraints.get,
                                           depthwise_constraint)
        self.pointwise_constraint = lookup(owner, "pointwise_constraint", constraints.get,
                                           pointwise_constraint)

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)  # rejects inputs too small for the kernel
        self.depthwise_kernel = self._add_kernel(
            "depthwise_kernel", (*self.kernel_size, channels, self.depth_multiplier),
            self.depthwise_initializer, self.depthwise_regularizer, self.depthwise_constraint)
        self.pointwise_kernel = self._add_kernel(
            "pointwise_kernel", (*(1,) * self.rank, channels * self.depth_multiplier,
                                 self.filters),
            self.pointwise_initializer, self.pointwise_regularizer, self.pointwise_constraint)
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        outputs = ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                     strides=self.strides, padding=self.padding,
                                     data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return self._bias_and_activation(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return conv_output_shape(self.owner, input_shape, self.filters, self.kernel_size,
                                 self.strides, self.padding, self.data_format,
                                 self.dilation_rate)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "depth_multiplier": self.depth_multiplier,
            "filters": self.filters, **self._geometry_config(), **self._output_config(),
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            **self._bias_config(),
        }
