"""Constructor-argument checks shared by the layer families.

Every check raises an error that names the layer, the argument and the value received, e.g.
``Dense 'dense': `units` must be a positive integer. Received: units=0``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.ops.activations import activation_name, get_activation

__all__ = ["activation_config", "checked_activation", "checked_data_format", "lookup",
           "non_negative_int", "owner", "positive_int", "refuse_quantization"]


def owner(layer: Any) -> str:
    """How errors name a layer: ``Dense 'dense_1'``."""
    return f"{type(layer).__name__} '{layer.name}'"


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(who: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1, else ValueError naming ``who`` and the argument."""
    if not _is_int(value) or value < 1:
        raise ValueError(f"{who}: `{name}` must be a positive integer. "
                         f"Received: {name}={value!r}")
    return int(value)


def non_negative_int(who: str, name: str, value: Any) -> int:
    """``value`` as an int >= 0, else ValueError naming ``who`` and the argument."""
    if not _is_int(value) or value < 0:
        raise ValueError(f"{who}: `{name}` must be a non-negative integer. "
                         f"Received: {name}={value!r}")
    return int(value)


def lookup(who: str, name: str, getter: Callable[[Any], Any], value: Any) -> Any:
    """``getter(value)`` (e.g. ``initializers.get``) with its errors prefixed by ``who``."""
    try:
        return getter(value)
    except (ValueError, TypeError) as error:
        raise type(error)(f"{who}: invalid `{name}`: {error}") from None


def set_weight_options(layer: Any, who: str, weight: str, initializer: Any, regularizer: Any,
                       constraint: Any) -> None:
    """Set ``<weight>_initializer``, ``<weight>_regularizer`` and ``<weight>_constraint`` on
    ``layer`` from names or objects (errors name ``who``).

    Example: ``set_weight_options(self, who, "kernel", "glorot_uniform", None, None)``.
    """
    from gpulayers import constraints, initializers, regularizers

    for kind, getter, value in (("initializer", initializers.get, initializer),
                                ("regularizer", regularizers.get, regularizer),
                                ("constraint", constraints.get, constraint)):
        name = f"{weight}_{kind}"
        setattr(layer, name, lookup(who, name, getter, value))


def weight_options_config(layer: Any) -> dict[str, Any]:
    """Keras's config entries for a layer's kernel and bias options (the twin of
    :func:`set_weight_options`), with ``activity_regularizer`` where Keras puts it."""
    from gpulayers import constraints, initializers, regularizers

    return {
        "kernel_initializer": initializers.serialize(layer.kernel_initializer),
        "bias_initializer": initializers.serialize(layer.bias_initializer),
        "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
        "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
        "activity_regularizer": regularizers.serialize(layer.activity_regularizer),
        "kernel_constraint": constraints.serialize(layer.kernel_constraint),
        "bias_constraint": constraints.serialize(layer.bias_constraint),
    }


def checked_activation(who: str, activation: Any) -> Callable[..., Any]:
    """The activation function for a Keras name, a callable or None (linear)."""
    return lookup(who, "activation", get_activation, activation)


def activation_config(activation: Callable[..., Any]) -> Any:
    """Keras's config value for an activation: its name, or the callable for custom ones."""
    name = activation_name(activation)
    return name if name is not None else activation


def checked_data_format(who: str, data_format: Any) -> str:
    """``'channels_last'``/``'channels_first'`` (case-insensitive); None means the global
    ``backend.image_data_format()``."""
    if isinstance(data_format, str):
        data_format = data_format.lower()
    return lookup(who, "data_format", backend.standardize_data_format, data_format)


def refuse_quantization(who: str, quantization_config: Any) -> None:
    """Keras 3 configs carry ``quantization_config`` (None unless quantized); we have no
    quantized layers, so only None is accepted."""
    if quantization_config is not None:
        raise ValueError(f"{who}: quantized layers are not supported. "
                         f"Received: quantization_config={quantization_config!r}")
