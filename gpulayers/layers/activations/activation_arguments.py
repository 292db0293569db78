"""Argument checks shared by the activation layers, with errors naming the layer."""

from __future__ import annotations

import numbers
from typing import Any


def layer_label(layer: Any) -> str:
    """``"Layer 're_lu' (ReLU)"``: how error messages name a layer."""
    return f"Layer '{layer.name}' ({type(layer).__name__})"


def non_negative_number(layer: Any, argument: str, value: Any) -> float:
    """``value`` as a float after checking it is a real number >= 0 (None is rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{layer_label(layer)}: `{argument}` must be a number >= 0. "
                         f"Received: {argument}={value!r}")
    return float(value)
