"""BaseConv: the N-d convolution layer behind Conv1D, Conv2D and Conv3D."""

from __future__ import annotations

from typing import Any

from gpulayers import constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import lookup, positive_int
from gpulayers.layers.convolutional.base_spatial_conv import (
    BaseSpatialConv,
    conv_output_shape,
)

__all__ = ["BaseConv"]


class BaseConv(BaseSpatialConv):
    """N-d convolution layer: ``activation(conv(inputs, kernel) + bias)``.

    Args:
        rank: number of spatial dims (1, 2 or 3).
        filters: number of output channels (a positive int, a multiple of ``groups``).
        kernel_size: int or ``rank`` ints, the size of the convolution window.
        strides: int or ``rank`` ints; ``strides > 1`` is incompatible with
            ``dilation_rate > 1``.
        padding: ``'valid'`` (no padding), ``'same'`` (output ``ceil(n / strides)``) or, for
            ``rank == 1`` only, ``'causal'`` (``output[t]`` depends on ``inputs[:t + 1]``).
        data_format: ``'channels_last'`` (inputs ``(batch, *spatial, channels)``) or
            ``'channels_first'`` (``(batch, channels, *spatial)``); None means
            ``backend.image_data_format()``.
        dilation_rate: int or ``rank`` ints.
        groups: split the input channels into this many groups, each convolved with
            ``filters // groups`` filters; must divide the input channels and ``filters``.
        activation: name or callable applied to the output (None: linear).
        use_bias: add a bias vector of shape ``(filters,)``.
        kernel_initializer / bias_initializer, kernel_regularizer / bias_regularizer,
        kernel_constraint / bias_constraint: for the kernel and bias weights.
        activity_regularizer: penalty on the output, added to ``layer.losses``.

    Weights: ``kernel`` of shape ``(*kernel_size, in_channels // groups, filters)``, then
    ``bias`` of shape ``(filters,)`` (Keras 3's layout).
    """

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        allowed = ("valid", "same", "causal") if rank == 1 else ("valid", "same")
        super().__init__(rank, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, bias_initializer, bias_regularizer,
                         bias_constraint, allowed_padding=allowed,
                         activity_regularizer=activity_regularizer, **kwargs)
        owner = self.owner
        self.filters = positive_int(owner, "filters", filters)
        self.groups = positive_int(owner, "groups", groups)
        if self.filters % self.groups != 0:
            raise ValueError(f"{owner}: the number of filters must be divisible by the number "
                             f"of groups. Received: filters={self.filters}, "
                             f"groups={self.groups}")
        self.kernel_initializer = lookup(owner, "kernel_initializer", initializers.get,
                                         kernel_initializer)
        self.kernel_regularizer = lookup(owner, "kernel_regularizer", regularizers.get,
                                         kernel_regularizer)
        self.kernel_constraint = lookup(owner, "kernel_constraint", constraints.get,
                                        kernel_constraint)

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        if channels % self.groups != 0:
            raise ValueError(f"{self.owner}: the number of input channels must be divisible "
                             f"by the number of groups. Received groups={self.groups}, but "
                             f"the input has {channels} channels (input shape "
                             f"{tuple(input_shape)})")
        self.compute_output_shape(input_shape)  # rejects inputs too small for the kernel
        self.kernel = self._add_kernel(
            "kernel", (*self.kernel_size, channels // self.groups, self.filters),
            self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        outputs = ops.conv(inputs, self.kernel, strides=self.strides, padding=self.padding,
                           data_format=self.data_format, dilation_rate=self.dilation_rate)
        return self._bias_and_activation(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return conv_output_shape(self.owner, input_shape, self.filters, self.kernel_size,
                                 self.strides, self.padding, self.data_format,
                                 self.dilation_rate)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "filters": self.filters, **self._geometry_config(),
            "groups": self.groups, **self._output_config(),
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            **self._bias_config(),
        }
