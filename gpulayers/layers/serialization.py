"""Layer configs to layers and back: ``serialize``, ``deserialize`` (``layer_from_config``)."""

from __future__ import annotations

import inspect
from typing import Any

from gpulayers.layers.layer import Layer


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
    classes = {**Layer._registry, **(custom_objects or {})}
    if name not in classes:
        raise ValueError(f"deserialize: unknown layer class {name!r}. Pass it in "
                         "custom_objects={'" + name + "': cls} if it is a custom layer.")
    cls = classes[name]
    layer_config = dict(config.get("config", {}))
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(layer_config, custom_objects=custom_objects)  # e.g. Lambda
    return cls.from_config(layer_config)


layer_from_config = deserialize
