"""EinsumDense: a dense layer whose contraction is an einsum equation of any rank."""

from __future__ import annotations

import math
import numbers
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.initializers import VarianceScaling
from gpulayers.layers.argument_checks import (
    activation_config,
    checked_activation,
    owner,
    refuse_quantization,
    set_weight_options,
    weight_options_config,
)
from gpulayers.layers.core.einsum_shapes import parse_equation
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer

__all__ = ["EinsumDense"]


def _partial_output_shape(who: str, output_shape: Any) -> tuple[int | None, ...]:
    values = tuple(output_shape) if isinstance(output_shape, (list, tuple)) else (output_shape,)
    if not values or not all(d is None or (isinstance(d, numbers.Integral) and not isinstance(
            d, bool) and d >= 1) for d in values):
        raise ValueError(f"{who}: `output_shape` must be a positive int or a tuple of positive "
                         f"ints / None (batch excluded). Received: output_shape={output_shape!r}")
    return tuple(None if d is None else int(d) for d in values)


class EinsumDense(Layer):
    """A layer that computes ``activation(einsum(equation, inputs, kernel) + bias)``.

    Args:
        equation: ``'X,Y->Z'`` with X the input labels, Y the kernel labels and Z the output
            labels, optionally with an ellipsis ``'...X,Y->...Z'`` / ``'X...,Y->Z...'``.
            E.g. ``'ab,bc->ac'`` is a Dense layer; ``'abc,cd->abd'`` applies one to every
            timestep; ``'abc,cde->abde'`` projects to several heads.
        output_shape: the output shape without the batch axis (an int for one axis). None
            entries are taken from the input where the label is an input label.
        activation: activation name or callable; None (default) means linear.
        bias_axes: output labels the bias spans (e.g. ``'de'``), or None for no bias.
        kernel_initializer / bias_initializer: initializers (default ``'glorot_uniform'`` and
            ``'zeros'``). Variance-scaling initializers compute their fans from the kernel's
            input axes (labels not in the output) and output axes, as Keras 3 does.
        kernel_regularizer / bias_regularizer, kernel_constraint / bias_constraint: optional.
        activity_regularizer: optional penalty on the output (a base Layer argument).
        quantization_config: accepted for Keras 3 configs; must be None.

    Input shape: matches the input labels (plus the ellipsis axes).
    Output shape: ``(batch, *output_shape)`` (plus the ellipsis axes).
    Weights (Keras 3 layout): ``kernel`` with one axis per kernel label (sizes from the output
    shape, else from the input), then ``bias`` spanning the output from the first bias label
    to the last axis, size 1 on labels not in ``bias_axes``.

    Example::

        layer = EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), bias_axes="de")
        layer(ops.ones((2, 5, 16))).shape        # (2, 5, 4, 8); kernel (16, 4, 8), bias (4, 8)
    """

    def __init__(self, equation: str, output_shape: Any, activation: Any = None,
                 bias_axes: str | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, quantization_config: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        who = owner(self)
        refuse_quantization(who, quantization_config)
        self.equation = equation
        self._parsed = parse_equation(who, equation, bias_axes)
        self.partial_output_shape = _partial_output_shape(who, output_shape)
        self.bias_axes = bias_axes
        self.activation = checked_activation(who, activation)
        set_weight_options(self, who, "kernel", kernel_initializer, kernel_regularizer,
                           kernel_constraint)
        set_weight_options(self, who, "bias", bias_initializer, bias_regularizer,
                           bias_constraint)
        self.kernel: Any = None
        self.bias: Any = None
        self.full_output_shape: tuple[int | None, ...] | None = None

    def build(self, input_shape: Any) -> None:
        shapes = self._parsed.shapes(owner(self), tuple(input_shape), self.partial_output_shape,
                                     self.bias_axes)
        self.full_output_shape = shapes.output_shape
        self.kernel = self.add_weight(name="kernel", shape=shapes.kernel_shape,
                                      initializer=self._kernel_initializer(shapes.kernel_shape),
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if shapes.bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=shapes.bias_shape,
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=len(tuple(input_shape)))
        self.built = True

    def _kernel_initializer(self, kernel_shape: tuple[int, ...]) -> Any:
        """Variance scaling with Keras 3's fans: draw a ``(fan_in, fan_out)`` matrix (its
        entries are independent) and give it the kernel's shape."""
        base = self.kernel_initializer
        if not isinstance(base, VarianceScaling) or len(kernel_shape) == 2 and (
                self._parsed.kernel_axes() == ((0,), (1,))):
            return base
        input_axes, output_axes = self._parsed.kernel_axes()
        fans = (math.prod(kernel_shape[i] for i in input_axes),
                math.prod(kernel_shape[i] for i in output_axes))

        def initializer(shape: Any, dtype: Any = None) -> Any:
            return base(fans, dtype=dtype).reshape(tuple(shape))

        return initializer

    def call(self, inputs: Tensor) -> Tensor:
        outputs = ops.einsum(self._parsed.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._parsed.shapes(owner(self), tuple(input_shape), self.partial_output_shape,
                                   self.bias_axes).output_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "output_shape": self.partial_output_shape,
            "equation": self.equation, "activation": activation_config(self.activation),
            "bias_axes": self.bias_axes,
            **weight_options_config(self),
            "quantization_config": None,
        }
