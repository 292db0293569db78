"""Name tables behind ``get`` / ``serialize`` / ``deserialize`` for Keras-style config objects.

Initializers, regularizers and constraints are all looked up the same way Keras does it: by a
string name (class name, its snake_case, or a legacy alias), by a config dict
``{'class_name': ..., 'config': {...}}``, by an instance, by a class or by a plain callable.
One :class:`ObjectCatalog` per family holds its names and does all of that; the family's
``__init__.py`` only builds the catalog and exposes ``get``, ``serialize`` and ``deserialize``.

Example::

    catalog = ObjectCatalog("initializer", "gpulayers.initializers", Initializer,
                            [Zeros, Ones], aliases={"zero": Zeros})
    catalog.get("zeros")                      # -> Zeros()
    catalog.serialize(Zeros())                # -> {'module': ..., 'class_name': 'Zeros', ...}
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["ObjectCatalog", "to_snake_case"]


def to_snake_case(name: str) -> str:
    """Keras's class-name to function-name rule: ``'GlorotUniform'`` -> ``'glorot_uniform'``.

    ``'L1L2'`` becomes ``'l1l2'`` and ``'MaxNorm'`` becomes ``'max_norm'``, exactly as in Keras.
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


class ObjectCatalog:
    """The names of one family of config objects and the lookups built on them.

    Args:
        kind: the family's singular noun for messages, e.g. ``'initializer'``.
        module: the module written into serialized configs, e.g. ``'gpulayers.initializers'``.
        base: the family's base class; it keeps ``_subclasses`` (every subclass by class name),
            so a user's own subclass deserializes by its class name in the same process.
        classes: the built-in classes; each is found by its class name and by its snake_case.
        aliases: extra names, each mapping to a class or to ``(class, default_kwargs)`` for a
            name that means the class with other defaults (Keras 2's ``'l1_l2'`` is
            ``L1L2(l1=0.01, l2=0.01)``).
    """

    def __init__(self, kind: str, module: str, base: type, classes: Sequence[type],
                 aliases: Mapping[str, Any] | None = None) -> None:
        self.kind = kind
        self.module = module
        self.base = base
        self._builtin = set(classes)
        self._names: dict[str, tuple[type, dict[str, Any]]] = {}
        for cls in classes:
            self._names[cls.__name__] = (cls, {})
            self._names[to_snake_case(cls.__name__)] = (cls, {})
        for alias, target in (aliases or {}).items():
            cls, defaults = target if isinstance(target, tuple) else (target, {})
            self._names[alias] = (cls, dict(defaults))

    def valid_names(self) -> list[str]:
        """Every built-in name this catalog accepts, sorted."""
        return sorted(self._names)

    def resolve(self, name: str, custom_objects: Mapping[str, Any] | None = None
                ) -> tuple[Any, dict[str, Any]]:
        """The class (or callable) called ``name`` and the default keyword arguments it implies.

        Looks in ``custom_objects`` first, then the built-in names, then subclasses of the
        family's base class defined in this process (also as Keras's ``'package>Name'``).
        Raises ValueError listing the valid names when nothing matches.
        """
        if custom_objects and name in custom_objects:
            return custom_objects[name], {}
        if name in self._names:
            cls, defaults = self._names[name]
            return cls, dict(defaults)
        subclasses = getattr(self.base, "_subclasses", {})
        short = name.split(">")[-1]
        if short in subclasses:
            return subclasses[short], {}
        close = difflib.get_close_matches(name, self._names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown {self.kind}: {name!r}.{hint} Valid names: {', '.join(self.valid_names())}."
        )

    def get(self, identifier: Any) -> Any:
        """An object from a name, a config dict, an instance, a class or a callable.

        ``None`` gives ``None``; a class is instantiated with its defaults; an instance or a
        plain function is returned unchanged.
        """
        if identifier is None:
            return None
        if isinstance(identifier, (dict, str)):
            return self.deserialize(identifier)
        if inspect.isclass(identifier):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(
            f"Could not interpret {self.kind} identifier: {identifier!r}. Expected a name "
            f"(e.g. {self.valid_names()[0]!r}), a config dict with 'class_name' and 'config', "
            f"a {self.base.__name__} instance or a callable."
        )

    def serialize(self, obj: Any) -> Any:
        """The Keras 3 config dict of ``obj`` (``None`` and strings pass through unchanged).

        Instances give ``{'module', 'class_name', 'config', 'registered_name'}``; a plain
        function gives Keras's ``{'class_name': 'function', 'config': <its name>, ...}``.
        """
        if obj is None or isinstance(obj, str):
            return obj
        if hasattr(obj, "get_config") and not inspect.isclass(obj):
            cls = type(obj)
            builtin = cls in self._builtin
            return {"module": self.module if builtin else cls.__module__,
                    "class_name": cls.__name__, "config": obj.get_config(),
                    "registered_name": None if builtin else cls.__name__}
        if inspect.isfunction(obj):
            return {"module": obj.__module__, "class_name": "function",
                    "config": obj.__name__, "registered_name": obj.__name__}
        raise TypeError(
            f"Cannot serialize {self.kind} {obj!r}: expected a {self.base.__name__} (or an object "
            "with get_config), a function, a name or None."
        )

    def deserialize(self, config: Any, custom_objects: Mapping[str, Any] | None = None) -> Any:
        """Rebuild an object from :meth:`serialize`'s dict, a Keras 2/3 config dict or a name."""
        if isinstance(config, str):
            cls, defaults = self.resolve(config, custom_objects)
            if inspect.isclass(cls):
                return _from_config(cls, defaults)
            return cls
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(
                f"deserialize {self.kind}: expected a name or a dict with 'class_name' and "
                f"'config'. Received: {config!r}"
            )
        class_name = config["class_name"]
        inner = config.get("config") or {}
        if class_name == "function":  # Keras 3's form for a plain function
            function_name = config.get("registered_name") or inner
            cls, _ = self.resolve(str(function_name), custom_objects)
            return cls
        if not isinstance(inner, dict):
            raise ValueError(f"deserialize {self.kind}: 'config' must be a dict. Received: "
                             f"{inner!r}")
        registered = config.get("registered_name")
        name = registered if registered and custom_objects and registered in custom_objects \
            else class_name
        cls, defaults = self.resolve(name, custom_objects)
        if not inspect.isclass(cls):
            return cls
        return _from_config(cls, {**defaults, **inner})


def _from_config(cls: type, config: dict[str, Any]) -> Any:
    if hasattr(cls, "from_config"):
        return cls.from_config(config)
    return cls(**config)
