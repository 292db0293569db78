"""RepeatVector: repeat a vector ``n`` times along a new time axis."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import owner, positive_int
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer

__all__ = ["RepeatVector"]


class RepeatVector(Layer):
    """Repeat each input vector ``n`` times: ``(batch, features) -> (batch, n, features)``.

    Args:
        n: positive int, the number of repetitions.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: ``(batch, features)``. Output shape: ``(batch, n, features)``.

    Example::

        RepeatVector(3)(ops.ones((2, 32))).shape        # (2, 3, 32)
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = positive_int(owner(self), "n", n)
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if len(shape) != 2:
            raise ValueError(f"{owner(self)}: expected inputs of rank 2 (batch, features). "
                             f"Received input shape {shape}")
        return (shape[0], self.n, shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}
