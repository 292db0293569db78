"""Dense: the regular densely-connected layer, ``activation(inputs @ kernel + bias)``."""

from __future__ import annotations

import math
from typing import Any

from gpulayers import constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import (
    activation_config,
    checked_activation,
    owner,
    positive_int,
    refuse_quantization,
    set_weight_options,
)
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer

__all__ = ["Dense"]


class Dense(Layer):
    """Just your regular densely-connected NN layer: ``activation(dot(inputs, kernel) + bias)``.

    Inputs of rank > 2 are contracted along their last axis: ``(batch, d0, d1)`` with a
    ``(d1, units)`` kernel gives ``(batch, d0, units)``.

    Args:
        units: positive int, the size of the output's last axis.
        activation: activation name or callable; None (default) means linear.
        use_bias: whether to add a bias vector (default True).
        kernel_initializer: initializer of the kernel (default ``'glorot_uniform'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer / bias_regularizer: optional penalties on the weights.
        activity_regularizer: optional penalty on the output.
        kernel_constraint / bias_constraint: optional projections applied after updates.
        quantization_config: accepted for Keras 3 configs; must be None.
        **kwargs: base Layer arguments (name, dtype, trainable, input_shape, ...).

    Input shape: ``(batch, ..., input_dim)`` (rank >= 2).
    Output shape: ``(batch, ..., units)``.
    Weights (Keras 3 layout): ``kernel`` ``(input_dim, units)``, then ``bias`` ``(units,)``.
    Masks pass through unchanged.

    Example::

        Dense(32, activation="relu")(ops.ones((4, 16))).shape      # (4, 32)
        Dense(8)(ops.ones((2, 5, 16))).shape                        # (2, 5, 8)
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, quantization_config: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        who = owner(self)
        refuse_quantization(who, quantization_config)
        self.units = positive_int(who, "units", units)
        self.activation = checked_activation(who, activation)
        self.use_bias = bool(use_bias)
        set_weight_options(self, who, "kernel", kernel_initializer, kernel_regularizer,
                           kernel_constraint)
        set_weight_options(self, who, "bias", bias_initializer, bias_regularizer,
                           bias_constraint)
        self.kernel: Any = None
        self.bias: Any = None
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        if len(shape) < 2 or shape[-1] is None:
            raise ValueError(f"{owner(self)}: expected inputs of rank >= 2 with a known last "
                             f"axis (batch, ..., input_dim). Received input shape {shape}")
        input_dim = int(shape[-1])
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        leading = tuple(inputs.shape[:-1])
        if len(leading) > 1:  # one GEMM over all leading axes, then the shape back
            rows = ops.reshape(inputs, (math.prod(leading), inputs.shape[-1]))
            outputs = ops.reshape(ops.matmul(rows, self.kernel), (*leading, self.units))
        else:
            outputs = ops.matmul(inputs, self.kernel)
        if self.use_bias:
            return ops.bias_activation(outputs, self.bias, self.activation, axis=-1)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if len(shape) < 2:
            raise ValueError(f"{owner(self)}: expected inputs of rank >= 2. "
                             f"Received input shape {shape}")
        return (*shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "units": self.units,
            "activation": activation_config(self.activation), "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }
