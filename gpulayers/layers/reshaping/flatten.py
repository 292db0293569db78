"""Flatten: collapse every axis but the batch into one."""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import checked_data_format, owner
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer

__all__ = ["Flatten"]


class Flatten(Layer):
    """Flatten the input to ``(batch, features)``; the batch axis is kept.

    Args:
        data_format: the input's layout, ``'channels_last'`` or ``'channels_first'`` (None
            means ``backend.image_data_format()``). ``channels_first`` inputs
            ``(batch, channels, ...)`` are first transposed to ``(batch, ..., channels)``, so
            the flattened order is the channels_last one and weights learned after a Flatten
            carry over between the two layouts (as in Keras).
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: ``(batch, ...)`` of rank >= 1.
    Output shape: ``(batch, product of the other axes)``; ``(batch, 1)`` for a rank-1 input.

    Example::

        Flatten()(ops.ones((2, 3, 4))).shape                          # (2, 12)
        Flatten("channels_first")(Input((64, 32, 32))).shape          # (None, 65536)
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = checked_data_format(owner(self), data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.ndim
        if self.data_format == "channels_first" and rank > 2:
            inputs = ops.transpose(inputs, (0, *range(2, rank), 1))
        return ops.reshape(inputs, (inputs.shape[0], math.prod(inputs.shape[1:])))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if not shape:
            raise ValueError(f"{owner(self)}: expected inputs of rank >= 1 (batch first). "
                             f"Received input shape {shape}")
        rest = shape[1:]
        return (shape[0], None if any(d is None for d in rest) else math.prod(rest))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}
