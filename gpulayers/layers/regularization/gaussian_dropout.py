"""GaussianDropout: multiply by Gaussian noise of mean 1 during training."""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend import random
from gpulayers.layers.layer import Layer
from gpulayers.layers.regularization.regularization_arguments import (
    dropout_rate,
    seed_argument,
)


class GaussianDropout(Layer):
    """``y = x * noise`` with ``noise ~ N(1, rate / (1 - rate))`` per element, during
    training only: multiplicative noise with the same mean and variance as dropout with
    ``rate`` (Srivastava et al., 2014). At inference the layer is the identity.

    Args:
        rate: the equivalent drop probability, a float in [0, 1); the noise's standard
            deviation is ``sqrt(rate / (1 - rate))``.
        seed: int for a reproducible stream of noise, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input: any float tensor. Output: same shape; masks pass through. No weights.

    Example::

        y = GaussianDropout(0.2, seed=0)(x, training=True)   # noise stddev 0.5
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = dropout_rate(self, rate)
        self.seed = seed_argument(self, seed)
        self.seed_generator = random.SeedGenerator(self.seed)
        self.supports_masking = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0.0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = random.normal(inputs.shape, mean=1.0, stddev=stddev, dtype=inputs.dtype,
                              seed=self.seed_generator)
        return ops.multiply(inputs, noise)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


__all__ = ["GaussianDropout"]
