"""The compile arguments as a JSON-ready dict and back (Keras 3's ``compile_config``).

Strings stay strings; Loss, Metric and Optimizer objects and loss/metric functions become
their ``{'module', 'class_name', 'config', ...}`` dicts. Per-output lists and dicts are kept
as they are, so ``compile(**deserialize(serialize(arguments)))`` compiles the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers import losses, metrics, optimizers

__all__ = ["deserialize_compile_arguments", "serialize_compile_arguments"]

# Which catalog reads each compile argument.
_CATALOGS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "loss": (losses.serialize, losses.deserialize),
    "metrics": (metrics.serialize, metrics.deserialize),
    "weighted_metrics": (metrics.serialize, metrics.deserialize),
}


def _is_object_config(value: Any) -> bool:
    return isinstance(value, dict) and "class_name" in value


def _map_leaves(value: Any, function: Callable[[Any], Any]) -> Any:
    """``function`` applied to every leaf of a per-output list/dict structure."""
    if isinstance(value, (list, tuple)):
        return [_map_leaves(item, function) for item in value]
    if isinstance(value, dict) and not _is_object_config(value):
        return {key: _map_leaves(item, function) for key, item in value.items()}
    return function(value)


def serialize_compile_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """``compile``'s keyword arguments -> a JSON-ready dict."""
    config = dict(arguments)
    optimizer = config.get("optimizer")
    if optimizer is not None and not isinstance(optimizer, str):
        config["optimizer"] = optimizers.serialize(optimizer)
    for key, (serialize, _) in _CATALOGS.items():
        config[key] = _map_leaves(config.get(key), lambda leaf, write=serialize: (
            leaf if leaf is None or isinstance(leaf, str) else write(leaf)))
    return config


def deserialize_compile_arguments(config: dict[str, Any],
                                  custom_objects: dict[str, Any] | None = None
                                  ) -> dict[str, Any]:
    """:func:`serialize_compile_arguments`'s dict -> keyword arguments for ``compile``."""
    arguments = dict(config)
    optimizer = arguments.get("optimizer")
    if _is_object_config(optimizer):
        arguments["optimizer"] = optimizers.deserialize(optimizer, custom_objects)
    for key, (_, read) in _CATALOGS.items():
        arguments[key] = _map_leaves(arguments.get(key), lambda leaf, read=read: (
            read(leaf, custom_objects) if _is_object_config(leaf) else leaf))
    return arguments
