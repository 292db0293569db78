"""AlphaDropout: dropout that keeps SELU activations' mean and variance."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend import random
from gpulayers.layers.layer import Layer
from gpulayers.layers.regularization.regularization_arguments import (
    concrete_noise_shape,
    dropout_rate,
    noise_shape_argument,
    seed_argument,
)

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Alpha dropout (Klambauer et al., 2017), Keras 3 semantics, during training only.

    Dropped entries are set to SELU's negative saturation ``alpha' = -alpha * scale``
    instead of 0, then an affine map restores zero mean and unit variance:
    ``y = a * (x * keep + alpha' * (1 - keep)) + b`` with
    ``a = ((1 - rate) * (1 + rate * alpha'**2)) ** -0.5`` and ``b = -a * alpha' * rate``,
    ``keep ~ Bernoulli(1 - rate)``. Pairs with ``selu`` and ``lecun_normal``.
    At inference the layer is the identity.

    Args:
        rate: drop probability, a float in [0, 1).
        noise_shape: shape of the keep mask (None entries take the input's size).
        seed: int for a reproducible stream of masks, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input: any float tensor. Output: same shape; masks pass through. No weights.

    Example::

        y = AlphaDropout(0.1, seed=0)(ops.selu(x), training=True)
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = dropout_rate(self, rate)
        self.noise_shape = noise_shape_argument(self, noise_shape)
        self.seed = seed_argument(self, seed)
        self.seed_generator = random.SeedGenerator(self.seed)
        self.supports_masking = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0.0:
            return inputs
        shape = concrete_noise_shape(self, self.noise_shape, inputs.shape)
        uniform = random.uniform(shape, dtype=inputs.dtype, seed=self.seed_generator)
        keep = ops.cast(ops.greater_equal(uniform, self.rate), inputs.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1.0 - self.rate) * (1.0 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        dropped = inputs * keep + alpha_p * (1.0 - keep)
        return dropped * a + b

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


__all__ = ["AlphaDropout"]
