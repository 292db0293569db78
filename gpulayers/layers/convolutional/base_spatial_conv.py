"""What every convolution layer shares: argument checking, the bias, the activation, shapes.

:class:`BaseSpatialConv` is the common parent of :class:`BaseConv`,
:class:`BaseConvTranspose`, :class:`BaseDepthwiseConv` and :class:`BaseSeparableConv`. It
checks the geometry arguments (``kernel_size``, ``strides``, ``padding``, ``data_format``,
``dilation_rate``), the activation and the bias arguments in ``__init__`` with errors that name
the layer, the argument and the value received; finds the input channels in ``build`` (setting
an :class:`InputSpec` so a later call with other channels fails clearly); adds the bias and
applies the activation in one fused op; and computes output shapes in closed form with the
op library's padding rules (:mod:`gpulayers.ops.conv_arguments`), so layers and ops agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend, constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import activation_config, lookup, set_weight_options
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer
from gpulayers.ops.conv_arguments import (
    conv_geometry,
    effective_size,
    int_tuple,
    padding_mode,
    transpose_geometry,
)

__all__ = ["BaseSpatialConv", "conv_output_shape", "conv_transpose_output_shape"]

Shape = tuple[int | None, ...]


def _spatial(owner: str, input_shape: Sequence[Any], rank: int, channels_first: bool) -> Shape:
    shape = tuple(input_shape)
    if len(shape) != rank + 2:
        layout = "(batch, channels, *spatial)" if channels_first else "(batch, *spatial, channels)"
        raise ValueError(f"{owner}: expected inputs of rank {rank + 2} {layout}. "
                         f"Received input shape {shape}")
    return shape[2:] if channels_first else shape[1:-1]


def _with_channels(batch: Any, spatial: Sequence[Any], channels: Any,
                   channels_first: bool) -> Shape:
    return (batch, channels, *spatial) if channels_first else (batch, *spatial, channels)


def conv_output_shape(owner: str, input_shape: Sequence[Any], filters: int | None,
                      kernel_size: Sequence[int], strides: Sequence[int], padding: str,
                      data_format: str, dilation_rate: Sequence[int]) -> Shape:
    """Output shape of a convolution (batch and spatial dims may be None).

    Spatial lengths follow :func:`gpulayers.ops.conv_arguments.conv_geometry`:
    ``(n + pad_before + pad_after - (k - 1) * d - 1) // s + 1``; too small an input raises
    ValueError naming ``owner``.
    """
    channels_first = data_format == "channels_first"
    spatial = _spatial(owner, input_shape, len(kernel_size), channels_first)
    known = [n if n is not None else effective_size(k, d)
             for n, k, d in zip(spatial, kernel_size, dilation_rate)]
    geometry = conv_geometry(owner, known, kernel_size, strides, padding, dilation_rate)
    lengths = [None if n is None else (n + before + after - effective_size(k, d)) // s + 1
               for n, k, s, d, (before, after) in zip(spatial, kernel_size, strides,
                                                       dilation_rate, geometry.padding)]
    return _with_channels(tuple(input_shape)[0], lengths, filters, channels_first)


def conv_transpose_output_shape(owner: str, input_shape: Sequence[Any], filters: int,
                                kernel_size: Sequence[int], strides: Sequence[int],
                                padding: str, output_padding: Sequence[int] | None,
                                data_format: str, dilation_rate: Sequence[int]) -> Shape:
    """Output shape of a transposed convolution (Keras's ``deconv_output_length`` per dim,
    from :func:`gpulayers.ops.conv_arguments.transpose_geometry`)."""
    channels_first = data_format == "channels_first"
    spatial = _spatial(owner, input_shape, len(kernel_size), channels_first)
    lengths, _ = transpose_geometry(owner, [1 if n is None else n for n in spatial], kernel_size,
                                    strides, padding, output_padding, dilation_rate)
    lengths = [None if n is None else length for n, length in zip(spatial, lengths)]
    return _with_channels(tuple(input_shape)[0], lengths, filters, channels_first)


class BaseSpatialConv(Layer):
    """Common parent of the convolution layers (not used directly).

    Args:
        rank: number of spatial dims (1, 2 or 3).
        kernel_size, strides, dilation_rate: an int or ``rank`` ints, each >= 1;
            ``strides > 1`` together with ``dilation_rate > 1`` is refused (as in Keras).
        padding: one of ``allowed_padding`` (case-insensitive).
        data_format: ``'channels_last'``, ``'channels_first'`` or None for
            ``backend.image_data_format()`` at construction time.
        activation: a name, a callable or None (linear).
        use_bias: whether to add a bias vector along the channel axis.
        bias_initializer / bias_regularizer / bias_constraint: for the bias.
        **kwargs: the Layer arguments (name, dtype, trainable, activity_regularizer, ...).
    """

    def __init__(self, rank: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, bias_initializer: Any = "zeros",
                 bias_regularizer: Any = None, bias_constraint: Any = None,
                 allowed_padding: Sequence[str] = ("valid", "same"), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = self.owner
        self.rank = rank
        self.kernel_size = int_tuple(owner, "kernel_size", kernel_size, rank)
        self.strides = int_tuple(owner, "strides", strides, rank)
        self.dilation_rate = int_tuple(owner, "dilation_rate", dilation_rate, rank)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides > 1` is not supported together with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.padding = padding_mode(owner, padding, rank, tuple(allowed_padding))
        if isinstance(data_format, str):
            data_format = data_format.lower()
        self.data_format = lookup(owner, "data_format", backend.standardize_data_format,
                                  data_format)
        self.activation = lookup(owner, "activation", ops.get_activation, activation)
        self.use_bias = use_bias
        set_weight_options(self, owner, "bias", bias_initializer, bias_regularizer,
                           bias_constraint)
        self.bias: Any = None
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def owner(self) -> str:
        """How errors name this layer: ``Conv2D 'conv2d'``."""
        return f"{type(self).__name__} '{self.name}'"

    @property
    def channel_axis(self) -> int:
        """1 for channels_first, -1 for channels_last."""
        return 1 if self.data_format == "channels_first" else -1

    def _input_channels(self, input_shape: Any) -> int:
        """The inputs' channel count; fixes it in ``input_spec`` for later calls."""
        shape = tuple(input_shape)
        _spatial(self.owner, shape, self.rank, self.data_format == "channels_first")
        channels = shape[self.channel_axis]
        if channels is None:
            raise ValueError(f"{self.owner}: the channel dimension (axis {self.channel_axis}) "
                             f"of the inputs must be known. Received input shape {shape}")
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self.channel_axis: channels})
        return int(channels)

    def _add_kernel(self, name: str, shape: tuple[int, ...], initializer: Any,
                    regularizer: Any, constraint: Any) -> Any:
        return self.add_weight(name=name, shape=shape, initializer=initializer,
                               regularizer=regularizer, constraint=constraint, trainable=True,
                               dtype=self.variable_dtype)

    def _add_bias(self, size: int) -> None:
        if self.use_bias:
            self.bias = self._add_kernel("bias", (size,), self.bias_initializer,
                                         self.bias_regularizer, self.bias_constraint)

    def _bias_and_activation(self, outputs: Tensor) -> Tensor:
        """``activation(outputs + bias)`` along the channel axis, fused where possible."""
        if self.use_bias:
            return ops.bias_activation(outputs, self.bias, self.activation,
                                       axis=self.channel_axis)
        return self.activation(outputs)

    def _geometry_config(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate}

    def _output_config(self) -> dict[str, Any]:
        return {"activation": activation_config(self.activation), "use_bias": self.use_bias}

    def _bias_config(self) -> dict[str, Any]:
        return {"bias_initializer": initializers.serialize(self.bias_initializer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
