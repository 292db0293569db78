"""Layer configs to layers and back: ``serialize``, ``deserialize`` (``layer_from_config``)."""

from __future__ import annotations

import inspect
from typing import Any

from gpulayers.layers.layer import Layer
from gpulayers.object_registration import resolve_custom_objects


def serialize(layer: Layer) -> dict[str, Any]:
    """``{'class_name': ..., 'config': ...}`` for a layer, as Keras writes it."""
    return {"module": "gpulayers.layers", "class_name": type(layer).__name__,
            "config": layer.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """Rebuild a layer from ``serialize(layer)`` (or a Keras layer config dict).

    ``custom_objects`` maps class names to user-defined layer classes.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("deserialize: expected a dict with 'class_name' and 'config'. "
                         f"Received: {config!r}")
    name = config["class_name"]
    # Registered, scoped (custom_object_scope) and given custom objects win over the classes
    # merely defined somewhere: two user classes may share a name.
    classes = {**Layer._registry, **resolve_custom_objects(custom_objects)}
    cls = classes.get(config.get("registered_name") or name) or classes.get(name)
    if cls is None:
        raise ValueError(f"deserialize: unknown layer class {name!r}. Pass it in "
                         "custom_objects={'" + name + "': cls} if it is a custom layer.")
    layer_config = dict(config.get("config", {}))
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(layer_config, custom_objects=custom_objects)  # e.g. Lambda
    return cls.from_config(layer_config)


layer_from_config = deserialize
