"""Any gpulayers object <-> a JSON-friendly config (Keras 3's ``serialize_keras_object`` /
``deserialize_keras_object``).

The format is Keras 3's: an object with ``get_config`` becomes ``{"module", "class_name",
"config", "registered_name"}``, a function ``{"module", "class_name": "function", "config":
<name>, "registered_name"}``, bytes and arrays ``{"class_name": "__bytes__" / "__numpy__",
"config": {...}}``; lists, tuples and dicts are serialized item by item. Models use the same
config as ``model.to_json()`` (``build_config``, ``compile_config``). Reading resolves classes
through custom objects and registrations first, then gpulayers' own classes (configs written
by Keras, with ``keras.*`` modules, load too).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from typing import Any

from gpulayers.backend import host_data
from gpulayers.object_registration import get_registered_name, resolve_custom_objects

__all__ = ["deserialize_keras_object", "serialize_keras_object"]

_PLAIN = (bool, int, float, str)
_FUNCTION_MODULES = ("gpulayers.activations", "gpulayers.losses", "gpulayers.metrics",
                     "gpulayers.ops")


def _public_module(cls: type) -> tuple[str, str | None]:
    """``(module, registered_name)`` for a class: gpulayers' own classes are named by their
    public package (``gpulayers.layers``), user classes by their module and registration."""
    module = cls.__module__
    if module.startswith("gpulayers."):
        parts = module.split(".")
        return ".".join(parts[:2]), None
    return module, get_registered_name(cls)


def serialize_keras_object(obj: Any) -> Any:
    """``obj`` as a Keras 3 config (see the module docstring).

    Example: ``serialize_keras_object(Dense(2))["class_name"] == "Dense"``.
    """
    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(item) for item in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    from gpulayers.models.model import Model

    if isinstance(obj, Model):
        from gpulayers.saving.model_config import serialize_model

        return serialize_model(obj)
    if hasattr(obj, "get_config") and not inspect.isclass(obj):
        module, registered = _public_module(type(obj))
        return {"module": module, "class_name": type(obj).__name__,
                "config": serialize_keras_object(obj.get_config()),
                "registered_name": registered}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return {"module": obj.__module__, "class_name": "function", "config": obj.__name__,
                "registered_name": get_registered_name(obj)}
    if hasattr(obj, "shape") and hasattr(obj, "dtype"):
        array = host_data.as_host_array(obj)
        if array.ndim == 0:  # a scalar (NumPy scalar, 0-d tensor) as a plain number
            return array.item()
        return {"class_name": "__numpy__",
                "config": {"value": array.tolist(), "dtype": str(array.dtype)}}
    raise TypeError(f"serialize_keras_object: cannot serialize {obj!r} of type "
                    f"{type(obj).__name__}: expected None, a number, a string, bytes, an "
                    "array, a list/tuple/dict of those, a function or an object with "
                    "get_config()")


def _import_attribute(module: Any, name: str) -> Any:
    if not isinstance(module, str) or not module:
        return None
    candidates = [module]
    if module == "keras" or module.startswith("keras."):
        package = module.split(".")[1] if "." in module else ""
        candidates = [f"gpulayers.{package}" if package and package != "src" else
                      "gpulayers.models", "gpulayers.models", "gpulayers"]
    for candidate in candidates:
        try:
            found = getattr(importlib.import_module(candidate), name, None)
        except ImportError:
            continue
        if found is not None:
            return found
    return None


def _resolve(config: dict[str, Any], objects: dict[str, Any]) -> Any:
    from gpulayers.layers.layer import Layer

    class_name = config["class_name"]
    registered = config.get("registered_name")
    for name in (registered, class_name):
        if isinstance(name, str) and name in objects:
            return objects[name]
    if class_name in Layer._registry:
        return Layer._registry[class_name]
    return _import_attribute(config.get("module"), class_name)


def _function(config: dict[str, Any], objects: dict[str, Any]) -> Any:
    name = config.get("config")
    for key in (config.get("registered_name"), name):
        if isinstance(key, str) and key in objects:
            return objects[key]
    found = _import_attribute(config.get("module"), name)
    for module in _FUNCTION_MODULES:
        if found is not None:
            break
        found = _import_attribute(module, name)
    if found is None:
        raise ValueError(f"deserialize_keras_object: unknown function {name!r}. Pass it in "
                         f"custom_objects={{'{name}': function}}")
    return found


def deserialize_keras_object(config: Any, custom_objects: Mapping[str, Any] | None = None,
                             safe_mode: bool = True, **kwargs: Any) -> Any:
    """Rebuild an object from :func:`serialize_keras_object`'s config (or Keras 3's).

    Args:
        config: the config (a dict, list, tuple or plain value).
        custom_objects: ``{name: class or function}`` for user-defined objects (scopes and
            ``register_keras_serializable`` registrations are used too).
        safe_mode: accepted for Keras compatibility (no code is ever run from a config).
        kwargs: ``module_objects`` (``{name: object}``), as in Keras.

    Raises:
        ValueError for a class or function that cannot be found.

    Example: ``deserialize_keras_object(serialize_keras_object(layer))`` is a new layer
    with the same config.
    """
    del safe_mode
    objects = resolve_custom_objects(custom_objects, kwargs.get("module_objects"))
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        return objects.get(config, config)
    if isinstance(config, (list, tuple)):
        # Lists, as Keras (and a JSON round trip) give back for tuples too.
        return [deserialize_keras_object(item, custom_objects, **kwargs) for item in config]
    if not isinstance(config, dict):
        raise TypeError(f"deserialize_keras_object: cannot read a config of type "
                        f"{type(config).__name__}: {config!r}")
    class_name = config.get("class_name")
    if class_name is None or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects, **kwargs)
                for key, value in config.items()}
    inner = config["config"]
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__numpy__":
        return host_data.as_host_array(inner["value"]).astype(inner["dtype"])
    if class_name == "function":
        return _function(config, objects)
    cls = _resolve(config, objects)
    if cls is None:
        raise ValueError(f"deserialize_keras_object: unknown class {class_name!r} (module "
                         f"{config.get('module')!r}). Pass it in custom_objects="
                         f"{{'{class_name}': cls}} or register it with "
                         "@register_keras_serializable()")
    if not inspect.isclass(cls):
        return cls
    from gpulayers.models.model import Model

    if issubclass(cls, Model):
        from gpulayers.saving.model_config import model_from_config

        return model_from_config(config, custom_objects, source="deserialize_keras_object")
    from_config = getattr(cls, "from_config", None)
    if from_config is None:
        return cls(**inner)
    if "custom_objects" in inspect.signature(from_config).parameters:
        return from_config(inner, custom_objects=custom_objects)
    return from_config(inner)
