"""How a model holds a call's input up to the shape of its ``Input`` (Keras 3's rules).

A model built from ``Input(shape)`` (functional, or a Sequential that starts with one)
accepts an input of that rank whose known sizes match, the batch size never checked. One
rank off is mended when it is only a size-1 last axis: an extra one is squeezed away, a
missing one (the declared last size is 1) is added. Anything else is a ValueError naming
the model, the input, the expected and the received shape.

Example: a model on ``Input((4,))`` takes ``(n, 4)`` and ``(n, 4, 1)``; a model on
``Input((8, 1))`` takes ``(n, 8)``.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops


def conformed_input(model_name: str, input_name: str, expected: tuple[int | None, ...],
                    value: Any) -> Any:
    """``value`` with its rank mended as above, or ValueError if it does not fit
    ``expected`` (the declared batch shape)."""
    shape = tuple(getattr(value, "shape", ()))
    if len(shape) == len(expected) + 1 and shape[-1] == 1:
        value, shape = ops.squeeze(value, axis=-1), shape[:-1]
    elif len(shape) == len(expected) - 1 and expected[-1] == 1:
        value, shape = ops.expand_dims(value, axis=-1), (*shape, 1)
    if len(shape) != len(expected) or any(
            e is not None and e != s for e, s in zip(expected[1:], shape[1:])):
        declared = (None, *expected[1:])
        raise ValueError(f"Model '{model_name}': input '{input_name}' must have shape "
                         f"{declared} (None: any size). Received shape {shape}")
    return value
