"""Argument checks shared by the regularization layers, with errors naming the layer.

Example::

    self.rate = dropout_rate(self, rate)                  # float in [0, 1), else ValueError
    shape = concrete_noise_shape(self, (None, 1, None), inputs.shape)   # -> (batch, 1, c)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["concrete_noise_shape", "dropout_rate", "layer_label", "noise_shape_argument",
           "non_negative_float", "seed_argument"]


def layer_label(layer: Any) -> str:
    """``"Layer 'dropout' (Dropout)"``: how error messages name a layer."""
    return f"Layer '{layer.name}' ({type(layer).__name__})"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(
        value)


def dropout_rate(layer: Any, rate: Any, name: str = "rate") -> float:
    """A drop probability: a float in [0, 1) (1 would drop everything and divide by zero)."""
    if not _is_number(rate) or not 0.0 <= rate < 1.0:
        raise ValueError(f"{layer_label(layer)}: `{name}` must be a float in [0, 1). "
                         f"Received: {name}={rate!r}")
    return float(rate)


def non_negative_float(layer: Any, name: str, value: Any) -> float:
    """A finite float >= 0 (a standard deviation, a penalty factor)."""
    if not _is_number(value) or value < 0:
        raise ValueError(f"{layer_label(layer)}: `{name}` must be a finite number >= 0. "
                         f"Received: {name}={value!r}")
    return float(value)


def seed_argument(layer: Any, seed: Any) -> int | None:
    """``None`` or an int (a seeded layer draws the same stream on every run)."""
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise TypeError(f"{layer_label(layer)}: `seed` must be an int or None. "
                        f"Received: seed={seed!r}")
    return seed


def noise_shape_argument(layer: Any, noise_shape: Any) -> tuple[int | None, ...] | None:
    """``None`` or a tuple of positive ints and ``None`` (None: the input's size there)."""
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str) or not isinstance(noise_shape, (tuple, list)) or not all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0)
            for d in noise_shape):
        raise ValueError(f"{layer_label(layer)}: `noise_shape` must be a tuple of positive "
                         f"ints or None entries. Received: noise_shape={noise_shape!r}")
    return tuple(noise_shape)


def concrete_noise_shape(layer: Any, noise_shape: Sequence[int | None] | None,
                         input_shape: Sequence[int]) -> tuple[int, ...]:
    """The noise shape for this input: None entries filled in; each entry 1 or the size."""
    input_shape = tuple(input_shape)
    if noise_shape is None:
        return input_shape
    filled = tuple(size if wanted is None else wanted
                   for wanted, size in zip(noise_shape, input_shape))
    if len(noise_shape) != len(input_shape) or any(
            wanted not in (1, size) for wanted, size in zip(filled, input_shape)):
        raise ValueError(f"{layer_label(layer)}: `noise_shape` must have one entry per input "
                         f"dimension, each 1, None or the input's size. Received: "
                         f"noise_shape={tuple(noise_shape)} for an input of shape "
                         f"{input_shape}")
    return filled
