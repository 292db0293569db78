"""Dropout: zero random entries during training and scale the rest (inverted dropout)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers.layer import Layer
from gpulayers.layers.regularization.regularization_arguments import (
    concrete_noise_shape,
    dropout_rate,
    noise_shape_argument,
    seed_argument,
)


class Dropout(Layer):
    """Randomly set inputs to 0 with probability ``rate`` during training only; the kept
    inputs are scaled by ``1 / (1 - rate)`` so the expected sum is unchanged. At inference
    (``training`` None or False) the layer is the identity.

    Args:
        rate: drop probability, a float in [0, 1).
        noise_shape: shape of the keep mask, broadcast against the input; ``None`` entries
            take the input's size. ``(batch, 1, features)`` on ``(batch, time, features)``
            drops the same features at every time step.
        seed: an int for a reproducible stream of masks (a new mask each call, the same
            stream for the same seed), or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input: any float tensor. Output: same shape; masks pass through. No weights.

    Example::

        drop = Dropout(0.5, seed=1)
        y = drop(x, training=True)       # about half the entries zero, the rest doubled
        y = drop(x)                      # inference: y equals x
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = dropout_rate(self, rate)
        self.noise_shape = noise_shape_argument(self, noise_shape)
        self.seed = seed_argument(self, seed)
        self.seed_generator = SeedGenerator(self.seed)
        self.supports_masking = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0.0:
            return inputs
        shape = concrete_noise_shape(self, self._noise_shape(inputs), inputs.shape)
        return ops.dropout(inputs, self.rate, noise_shape=shape, seed=self.seed_generator)

    def _noise_shape(self, inputs: Tensor) -> tuple[int | None, ...] | None:
        return self.noise_shape

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


__all__ = ["Dropout"]
