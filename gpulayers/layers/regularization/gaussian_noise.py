"""GaussianNoise: add zero-mean Gaussian noise during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend import random
from gpulayers.layers.layer import Layer
from gpulayers.layers.regularization.regularization_arguments import (
    non_negative_float,
    seed_argument,
)


class GaussianNoise(Layer):
    """``y = x + noise`` with ``noise ~ N(0, stddev**2)`` drawn per element, during training
    only (a regularizer, and a form of data augmentation for real-valued inputs). At
    inference the layer is the identity.

    Args:
        stddev: standard deviation of the noise (>= 0).
        seed: int for a reproducible stream of noise, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input: any float tensor. Output: same shape; masks pass through. No weights.

    Example::

        y = GaussianNoise(0.1, seed=0)(x, training=True)
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = non_negative_float(self, "stddev", stddev)
        self.seed = seed_argument(self, seed)
        self.seed_generator = random.SeedGenerator(self.seed)
        self.supports_masking = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.stddev == 0.0:
            return inputs
        noise = random.normal(inputs.shape, mean=0.0, stddev=self.stddev, dtype=inputs.dtype,
                              seed=self.seed_generator)
        return ops.add(inputs, noise)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


__all__ = ["GaussianNoise"]
