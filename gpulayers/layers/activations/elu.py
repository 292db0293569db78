"""ELU: the exponential linear unit, ``x`` for ``x > 0`` and ``alpha * (exp(x) - 1)``
otherwise."""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.activations.activation_arguments import layer_label
from gpulayers.layers.layer import Layer


class ELU(Layer):
    """Exponential linear unit: ``f(x) = x`` for ``x > 0``, ``alpha * (exp(x) - 1)``
    otherwise.

    Args:
        alpha: scale of the negative part (float, default 1.0).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Shape and mask pass through unchanged. ``get_config`` includes ``alpha`` (Keras 3's
    omits it, so a Keras config rebuilds with the default 1.0).

    Example::

        ELU(alpha=0.5)(x)
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
            raise ValueError(f"{layer_label(self)}: `alpha` must be a number. "
                             f"Received: alpha={alpha!r}")
        self.alpha = alpha
        self.supports_masking = True

    def call(self, inputs: Tensor) -> Tensor:
        return ops.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


__all__ = ["ELU"]
