"""Activation: apply an activation function (by Keras name or as a callable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers.autodiff import Tensor
from gpulayers.layers.layer import Layer
from gpulayers.ops.activations import activation_name, get_activation


class Activation(Layer):
    """Apply ``activation`` to the input; shape and mask pass through unchanged.

    Args:
        activation: a Keras activation name (``'relu'``, ``'softmax'``, ``'gelu'``, ...), a
            callable taking a tensor, or None (identity).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    ``get_config()["activation"]`` is the name for Keras's activations (as Keras writes
    it); a custom callable is stored as itself (it round-trips in the same process, not
    through JSON).

    Example::

        Activation("relu")(x)              # ops.relu(x)
        Activation(ops.tanh)(x)
    """

    def __init__(self, activation: str | Callable[..., Any] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            self.activation = get_activation(activation)
        except (ValueError, TypeError) as error:
            raise type(error)(f"Layer '{self.name}' (Activation): {error}") from None
        self.supports_masking = True

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        name = activation_name(self.activation)
        return {**super().get_config(),
                "activation": name if name is not None else self.activation}


__all__ = ["Activation"]
