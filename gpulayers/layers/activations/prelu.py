"""PReLU: a leaky ReLU whose negative slope ``alpha`` is a learned weight."""

from __future__ import annotations

from typing import Any

from gpulayers import constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.activations.activation_arguments import layer_label
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer


class PReLU(Layer):
    """Parametric ReLU: ``f(x) = x`` for ``x >= 0``, ``alpha * x`` otherwise, with ``alpha``
    learned per input position.

    Args:
        alpha_initializer: initializer of ``alpha`` (default ``'Zeros'``, as Keras 3).
        alpha_regularizer: optional regularizer of ``alpha``.
        alpha_constraint: optional constraint of ``alpha``.
        shared_axes: axes (1-based, as the input's axes counting the batch as 0) along which
            one ``alpha`` is shared, e.g. ``[1, 2]`` for one slope per channel of
            ``(batch, height, width, channels)`` feature maps. An int means one axis.
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Weights: ``alpha`` of shape ``input_shape[1:]`` with each shared axis set to 1 (Keras's
    layout, so ``set_weights`` takes Keras's arrays). Shape and mask pass through.

    Example::

        layer = PReLU(shared_axes=[1, 2])
        layer(x)                    # x of shape (2, 8, 8, 3): alpha of shape (1, 1, 3)
    """

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: int | list[int] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in axes):
                raise ValueError(f"{layer_label(self)}: `shared_axes` must be an int >= 1 or a "
                                 f"list of them (axis 0 is the batch). "
                                 f"Received: shared_axes={shared_axes!r}")
            self.shared_axes = axes
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        shape = tuple(input_shape)
        shared = set(self.shared_axes or ())
        if len(shape) < 2 or any(axis >= len(shape) for axis in shared):
            raise ValueError(f"{layer_label(self)}: expected an input of rank >= 2 with every "
                             f"shared axis {self.shared_axes} in range. Received an input of "
                             f"shape {shape}")
        alpha_shape = tuple(1 if axis in shared else shape[axis]
                            for axis in range(1, len(shape)))
        if None in alpha_shape:
            raise ValueError(f"{layer_label(self)}: the size of every axis not in "
                             f"shared_axes must be known to create alpha. Received an input "
                             f"of shape {shape} with shared_axes={self.shared_axes}")
        self.alpha = self.add_weight(shape=alpha_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.input_spec = InputSpec(ndim=len(shape), axes={
            axis: shape[axis] for axis in range(1, len(shape)) if axis not in shared})
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return ops.relu(inputs) - self.alpha * ops.relu(-inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


__all__ = ["PReLU"]
