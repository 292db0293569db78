"""``keras.activations.get`` / ``serialize`` / ``deserialize``: activation functions to and
from the names and config dicts that model configs store.

Built-in activations serialize to their Keras name (``"relu"``; ``swish`` gives ``"silu"``
as in Keras). Your own function serializes to a Keras function config
``{"module", "class_name": "function", "config": name, "registered_name": "function"}``
whose name is ``"package>name"`` when it was registered with
``@register_keras_serializable(package=...)``, so ``deserialize`` finds it again.

Example::

    get("relu")(x)
    serialize(activations.gelu)     # 'gelu'
    deserialize("hard_swish")       # activations.hard_silu
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gpulayers import object_registration
from gpulayers.ops.activations import _by_name, activation_name, linear

__all__ = ["deserialize", "get", "serialize"]


def serialize(activation: Callable[..., Any]) -> str | dict[str, Any]:
    """The name of a built-in activation, or a function config dict for your own.

    Raises ValueError for something that is not a function or callable object with a name
    (e.g. a string: pass the function itself).
    """
    if isinstance(activation, str) or not callable(activation):
        raise ValueError(f"Unknown activation function '{activation}' cannot be serialized: "
                         "expected an activation function (e.g. activations.relu). Register "
                         "custom ones with @register_keras_serializable()")
    name = activation_name(activation)
    if name is not None:
        # Keras writes the function's own name: the aliases swish/hard_swish give the
        # functions silu/hard_silu.
        return getattr(_by_name()[name], "__name__", name)
    registered = object_registration.get_registered_name(activation)
    if not isinstance(getattr(activation, "__name__", None), str) and registered == str(
            activation):
        raise ValueError(f"Unknown activation function '{activation}' cannot be serialized: "
                         "it has no name. Use a function, or register it with "
                         "@register_keras_serializable()")
    return {"module": getattr(activation, "__module__", None), "class_name": "function",
            "config": registered, "registered_name": "function"}


def deserialize(config: str | dict[str, Any],
                custom_objects: Mapping[str, Any] | None = None) -> Callable[..., Any]:
    """The activation function named by ``config`` (a name, ``"package>name"`` or a function
    config dict from :func:`serialize`).

    ``custom_objects`` (``{name: function}``), ``custom_object_scope`` and registered
    functions are searched before the built-ins. Raises ValueError for an unknown name.
    """
    name = config
    if isinstance(config, dict):
        name = config.get("config")
        if isinstance(name, dict):  # a class-based activation's config: look up its class
            name = config.get("registered_name") or config.get("class_name")
    if not isinstance(name, str):
        raise ValueError(f"activations.deserialize: expected a name or a config dict. "
                         f"Received: {config!r}")
    found = object_registration.get_registered_object(name, custom_objects, _by_name())
    if found is None:
        raise ValueError(f"Unknown activation function {name!r}. Valid names: "
                         f"{', '.join(sorted(_by_name()))}; register custom ones with "
                         "@register_keras_serializable() or pass custom_objects")
    return found


def get(identifier: Any) -> Callable[..., Any]:
    """An activation from None (``linear``), a name, a config dict or a callable (returned
    as is).

    Raises ValueError for anything else, as Keras does. Example: ``get("gelu")(x)`` is the
    exact (erf) GELU.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        return deserialize(identifier)
    found = _by_name().get(identifier) if isinstance(identifier, str) else identifier
    if callable(found):
        return found
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")
