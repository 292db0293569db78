"""Constructor-argument checks shared by the pooling layers, with errors naming the layer.

Keras 3 stores some bad values silently (a bogus ``padding``); these checks reject them in
``__init__`` with the layer, the argument and the value received.
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend

_PADDINGS = ("valid", "same")


def layer_label(layer: Any) -> str:
    """``"Layer 'max_pooling2d' (MaxPooling2D)"``: how error messages name a layer."""
    return f"Layer '{layer.name}' ({type(layer).__name__})"


def positive_int_tuple(layer: Any, argument: str, value: Any, rank: int) -> tuple[int, ...]:
    """An int, or a sequence of ``rank`` ints, all positive, as a tuple of ``rank`` ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * rank
    valid = len(values) == rank and all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values)
    if not valid:
        raise ValueError(f"{layer_label(layer)}: `{argument}` must be a positive int or a "
                         f"tuple of {rank} positive ints. Received: {argument}={value!r}")
    return values


def standardize_padding(layer: Any, padding: Any) -> str:
    """``'valid'`` or ``'same'`` (case-insensitive, stored lower-case); anything else raises."""
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in _PADDINGS:
        raise ValueError(f"{layer_label(layer)}: `padding` must be 'valid' or 'same'. "
                         f"Received: padding={padding!r}")
    return mode


def standardize_data_format(layer: Any, value: str | None) -> str:
    """``'channels_last'`` or ``'channels_first'``; None means ``image_data_format()``."""
    try:
        return backend.standardize_data_format(value)
    except ValueError as error:
        raise ValueError(f"{layer_label(layer)}: {error}") from None


def check_input_rank(layer: Any, input_shape: Any, rank: int) -> tuple:
    """``input_shape`` as a tuple, after checking it has ``rank`` dims (batch included)."""
    if not isinstance(input_shape, (tuple, list)) or any(
            isinstance(d, (tuple, list)) for d in input_shape):
        raise ValueError(f"{layer_label(layer)} expects a single input of rank {rank}. "
                         f"Received input_shape={input_shape!r}")
    shape = tuple(input_shape)
    if len(shape) != rank:
        raise ValueError(f"{layer_label(layer)} expects an input of rank {rank} "
                         f"(ndim={rank}), but received an input of rank {len(shape)} "
                         f"with shape {shape}")
    return shape
