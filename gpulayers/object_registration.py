"""Finding user-defined classes when a saved model is loaded (Keras 3's object registration).

A config names classes by ``class_name`` (and ``registered_name`` for registered ones). The
built-in layers and every Layer subclass already imported are found by class name; user
classes can also be given explicitly, in three ways, as in Keras:

- ``load_model(path, custom_objects={"MyLayer": MyLayer})``;
- ``with custom_object_scope({"MyLayer": MyLayer}): load_model(path)``;
- decorating the class with ``@register_keras_serializable(package="my_package")``: it is
  registered as ``"my_package>MyLayer"`` (and found by its class name too).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["CustomObjectScope", "custom_object_scope", "get_custom_objects",
           "get_registered_name", "get_registered_object", "register_keras_serializable",
           "resolve_custom_objects"]

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_scopes = threading.local()


def _scope_stack() -> list[dict[str, Any]]:
    if not hasattr(_scopes, "stack"):
        _scopes.stack = []
    return _scopes.stack


class CustomObjectScope:
    """Make custom classes/functions findable by name inside a ``with`` block.

    Args:
        custom_objects: ``{name: class or function}``; nested scopes add to the outer ones
            (the inner one wins on a name clash).

    Example::

        with custom_object_scope({"SimpleDense": SimpleDense}):
            model = load_model("model.keras")
    """

    def __init__(self, custom_objects: Mapping[str, Any] | None = None) -> None:
        if custom_objects is not None and not isinstance(custom_objects, Mapping):
            raise TypeError("custom_object_scope: expected a dict {name: object}. "
                            f"Received: {custom_objects!r}")
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self) -> CustomObjectScope:
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _scope_stack().pop()


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict[str, Any]:
    """The live global dict of registered objects (``"package>Name"`` -> object)."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package: str = "Custom", name: str | None = None
                                ) -> Callable[[Any], Any]:
    """Class decorator registering a class (or function) as ``"package>name"``.

    Args:
        package: the package part of the registered name.
        name: the name part (default: the class or function name).

    Example::

        @register_keras_serializable(package="my_package")
        class SimpleDense(Layer):
            ...

        get_registered_name(SimpleDense)  # 'my_package>SimpleDense'
    """
    def decorator(obj: Any) -> Any:
        registered = f"{package}>{name if name is not None else obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: cannot register {obj.__name__}: "
                             "a class needs a get_config() method to be saved")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj: Any) -> str:
    """``"package>name"`` for a registered object, else its ``__name__``."""
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", str(obj)))


def get_registered_object(name: str, custom_objects: Mapping[str, Any] | None = None,
                          module_objects: Mapping[str, Any] | None = None) -> Any:
    """The object registered, scoped or given under ``name``, or None."""
    return resolve_custom_objects(custom_objects, module_objects).get(name)


def resolve_custom_objects(custom_objects: Mapping[str, Any] | None = None,
                           module_objects: Mapping[str, Any] | None = None
                           ) -> dict[str, Any]:
    """Every name a loader may look up: registered objects (by registered name and by their
    own ``__name__``, since configs written by gpulayers layers carry only the class name),
    then active scopes (outer to inner), then ``module_objects`` and ``custom_objects``;
    later sources win on a name clash.

    Example: ``resolve_custom_objects({"SimpleDense": SimpleDense})["SimpleDense"]``.
    """
    if custom_objects is not None and not isinstance(custom_objects, Mapping):
        raise TypeError("custom_objects must be a dict {name: class or function}. "
                        f"Received: {custom_objects!r}")
    merged: dict[str, Any] = {}
    for registered, obj in _GLOBAL_CUSTOM_OBJECTS.items():
        merged.setdefault(getattr(obj, "__name__", registered), obj)
        merged[registered] = obj
    for scope in _scope_stack():
        merged.update(scope)
    merged.update(module_objects or {})
    merged.update(custom_objects or {})
    return merged
