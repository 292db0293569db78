"""What the Bidirectional and TimeDistributed wrappers share: checking the layer they wrap,
copying a layer from its config, and rebuilding a wrapped layer from a wrapper's config.

A wrapper's dtype is its sub-layers' dtype: by default it takes the wrapped layer's, and a
wrapper config whose ``dtype`` is edited (e.g. to float64) rebuilds its sub-layers in it.
"""

from __future__ import annotations

from typing import Any

from gpulayers.layers.layer import Layer
from gpulayers.layers.serialization import deserialize

__all__ = ["check_wrapped", "copy_layer", "wrapped_from_config"]


def check_wrapped(who: str, argument: str, value: Any) -> Layer:
    """``value`` if it is a Layer instance, else a ValueError naming ``who``."""
    if not isinstance(value, Layer):
        raise ValueError(f"{who}: `{argument}` must be a Layer instance (e.g. LSTM(8)). "
                         f"Received: {argument}={value!r}")
    return value


def copy_layer(layer: Layer, **overrides: Any) -> Layer:
    """A new layer (fresh weights, no state) from ``layer``'s config with ``overrides``.

    ``type(layer).from_config`` rather than a lookup by class name, so that a user class
    sharing a built-in's name is copied as itself.
    """
    config = {**layer.get_config(), **overrides}
    return type(layer).from_config(config)


def wrapped_from_config(config: dict[str, Any], dtype: Any,
                        custom_objects: dict[str, Any] | None) -> Layer:
    """Deserialize a wrapped layer's ``{'class_name', 'config'}``; the wrapper's ``dtype``
    (when its config has one) replaces the wrapped layer's."""
    config = {**config, "config": dict(config.get("config", {}))}
    if dtype is not None:
        config["config"]["dtype"] = dtype
    return deserialize(config, custom_objects)
