"""BaseConvTranspose: the N-d transposed convolution behind Conv1D/2D/3DTranspose."""

from __future__ import annotations

from typing import Any

from gpulayers import constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import lookup, positive_int
from gpulayers.layers.convolutional.base_spatial_conv import (
    BaseSpatialConv,
    conv_transpose_output_shape,
)
from gpulayers.ops.conv_arguments import int_tuple

__all__ = ["BaseConvTranspose"]


class BaseConvTranspose(BaseSpatialConv):
    """N-d transposed convolution ("deconvolution"): the adjoint of a convolution, mapping
    something shaped like a convolution's output back to the shape of its input.

    Args:
        rank: number of spatial dims (1, 2 or 3).
        filters: number of output channels.
        kernel_size, strides, dilation_rate: an int or ``rank`` ints (``strides > 1`` is
            incompatible with ``dilation_rate > 1``).
        padding: ``'valid'`` or ``'same'``.
        output_padding: None, or an int or ``rank`` ints, each smaller than the stride:
            extra cells added at the end of each spatial dim of the output.
        data_format, activation, use_bias, initializers, regularizers, constraints: as in
            :class:`BaseConv`.

    Output length per spatial dim (Keras's ``deconv_output_length``, ``K = (k - 1) * d + 1``):
    with ``output_padding=None``, ``n * s + max(K - s, 0)`` ('valid') or ``n * s`` ('same');
    otherwise ``(n - 1) * s + K - 2 * pad + output_padding`` with ``pad = K // 2`` ('same')
    or 0 ('valid').

    Weights: ``kernel`` of shape ``(*kernel_size, filters, in_channels)`` (Keras 3's
    transpose layout), then ``bias`` of shape ``(filters,)``.
    """

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(rank, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, bias_initializer, bias_regularizer,
                         bias_constraint, activity_regularizer=activity_regularizer, **kwargs)
        owner = self.owner
        self.filters = positive_int(owner, "filters", filters)
        self.output_padding = None if output_padding is None else int_tuple(
            owner, "output_padding", output_padding, rank, minimum=0)
        if self.output_padding is not None and any(
                extra >= stride for extra, stride in zip(self.output_padding, self.strides)):
            raise ValueError(f"{owner}: `output_padding` must be smaller than `strides` in "
                             f"every dim. Received: output_padding={self.output_padding}, "
                             f"strides={self.strides}")
        self.kernel_initializer = lookup(owner, "kernel_initializer", initializers.get,
                                         kernel_initializer)
        self.kernel_regularizer = lookup(owner, "kernel_regularizer", regularizers.get,
                                         kernel_regularizer)
        self.kernel_constraint = lookup(owner, "kernel_constraint", constraints.get,
                                        kernel_constraint)

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self._add_kernel("kernel", (*self.kernel_size, self.filters, channels),
                                       self.kernel_initializer, self.kernel_regularizer,
                                       self.kernel_constraint)
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        outputs = ops.conv_transpose(inputs, self.kernel, strides=self.strides,
                                     padding=self.padding, output_padding=self.output_padding,
                                     data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return self._bias_and_activation(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return conv_transpose_output_shape(self.owner, input_shape, self.filters,
                                           self.kernel_size, self.strides, self.padding,
                                           self.output_padding, self.data_format,
                                           self.dilation_rate)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "filters": self.filters, **self._geometry_config(),
            "output_padding": self.output_padding, **self._output_config(),
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            **self._bias_config(),
        }
