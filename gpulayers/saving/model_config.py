"""A whole model as a config dict (Keras 3's ``config.json``) and a model rebuilt from one.

The dict is ``{"module", "class_name", "config", "registered_name", "build_config",
"compile_config"}``: ``config`` is ``model.get_config()``, ``build_config`` is
``{"input_shape": ...}`` (how to create the weights of a model that its config alone does not
build, e.g. a subclassed one), ``compile_config`` is ``model.get_compile_config()`` (None when
not compiled).

Rebuilding follows Keras: find the class (custom objects, registered classes, then the
built-in and already imported Layer classes), ``from_config``, build from ``build_config``,
then compile from ``compile_config``. Weights are loaded afterwards by the caller.

Example::

    config = serialize_model(model)
    clone = model_from_config(config)   # same architecture, fresh weights, compiled
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from gpulayers.object_registration import get_registered_name, resolve_custom_objects

__all__ = ["build_input_shape", "model_from_config", "serialize_model"]


def _plain_shape(shape: Any) -> Any:
    """A shape (or list of shapes) as nested lists of int/None, for JSON."""
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_plain_shape(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def _sequential_input_shape(model: Any) -> Any:
    """The batch input shape of a built Sequential, traced back through its graph."""
    from gpulayers.layers.core.input_layer import InputLayer

    tensor = getattr(model, "_symbolic_output", None)
    while tensor is not None and tensor._keras_history is not None:
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if isinstance(layer, InputLayer) or not node.input_tensors:
            break
        tensor = node.input_tensors[0]
    return None if tensor is None else tensor.shape


def build_input_shape(model: Any) -> Any:
    """The input shape ``model`` was built for (Keras's ``build_config["input_shape"]``), or
    None if unknown (an unbuilt model).

    Example: ``build_input_shape(Sequential([Input((6,)), Dense(2)])) == [None, 6]``.
    """
    from gpulayers.models.functional import Functional
    from gpulayers.models.sequential import Sequential

    shape = getattr(model, "_build_input_shape", None)
    if shape is None and isinstance(model, Functional):
        shapes = [t.shape for t in model.inputs]
        shape = shapes[0] if len(shapes) == 1 else shapes
    elif shape is None and isinstance(model, Sequential):
        shape = _sequential_input_shape(model)
    return None if shape is None else _plain_shape(shape)


def serialize_model(model: Any) -> dict[str, Any]:
    """``model``'s Keras-3-style config dict (see the module docstring).

    Example: ``serialize_model(Sequential([...]))["class_name"] == "Sequential"``.
    """
    cls = type(model)
    builtin = cls.__module__.startswith("gpulayers.")
    config: dict[str, Any] = {
        "module": "gpulayers.models" if builtin else cls.__module__,
        "class_name": cls.__name__, "config": model.get_config(),
        "registered_name": None if builtin else get_registered_name(cls)}
    shape = build_input_shape(model) if model.built else None
    if shape is not None:
        config["build_config"] = {"input_shape": shape}
    compiled = getattr(model, "compiled", False) and hasattr(model, "get_compile_config")
    config["compile_config"] = (model.get_compile_config() or None) if compiled else None
    return config


def _is_history(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and all(isinstance(v, int) for v in value[1:]))


def _find_class(config: dict[str, Any], objects: dict[str, Any], source: str) -> type:
    from gpulayers.layers.layer import Layer

    name, registered = config.get("class_name"), config.get("registered_name")
    for key in (registered, name):
        if key and key in objects:
            return objects[key]
    if name in Layer._registry:
        return Layer._registry[name]
    raise ValueError(
        f"{source}: unknown model class {name!r} (registered name {registered!r}). If it is "
        f"a custom class, pass custom_objects={{'{name}': {name}}}, load inside "
        f"custom_object_scope({{'{name}': {name}}}), or decorate the class with "
        "@gpulayers.saving.register_keras_serializable().")


def _from_config(cls: type, inner: dict[str, Any], objects: dict[str, Any],
                 source: str) -> Any:
    try:
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            return cls.from_config(inner, custom_objects=objects)
        return cls.from_config(inner)
    except ValueError as error:
        raise ValueError(f"{source}: cannot rebuild the model from its config: "
                         f"{error}") from error
    except TypeError as error:
        raise ValueError(
            f"{source}: {cls.__name__}.from_config failed: {error}. A custom class must "
            "implement get_config() returning its constructor arguments (and from_config() "
            "when they are not plain values).") from error


def _placeholder(shape: Any) -> Any:
    from gpulayers import ops

    if shape and isinstance(shape[0], (list, tuple)):
        return [_placeholder(s) for s in shape]
    return ops.zeros(tuple(1 if d is None else d for d in shape))


def _unbuilt(layer: Any) -> bool:
    return not layer.built or any(_unbuilt(sub) for sub in layer._layers)


def _build(model: Any, shape: Any) -> None:
    """Create ``model``'s weights for ``shape``: its ``build`` (as Keras calls it; marks it
    built), then, if some sublayer is still unbuilt (sublayers build on their first call),
    one inference call on zeros."""
    nested = bool(shape) and isinstance(shape[0], (list, tuple))
    model._build_once([tuple(s) for s in shape] if nested else tuple(shape))
    if _unbuilt(model):
        model(_placeholder(shape), training=False)


def model_from_config(config: dict[str, Any], custom_objects: dict[str, Any] | None = None,
                      compile: bool = True, source: str = "model_from_config") -> Any:
    """Rebuild the model described by :func:`serialize_model`'s dict (or Keras 3's).

    Args:
        config: the dict (as read from ``config.json``).
        custom_objects: ``{name: class or function}`` for user-defined objects.
        compile: compile from ``compile_config`` when present.
        source: how error messages name where the config came from.

    Raises:
        ValueError naming an unknown class and how to make it known.

    Example: ``model_from_config(serialize_model(model), {"SimpleDense": SimpleDense})``.
    """
    objects = resolve_custom_objects(custom_objects)
    cls = _find_class(config, objects, source)
    model = _from_config(cls, dict(config.get("config") or {}), objects, source)
    shape = (config.get("build_config") or {}).get("input_shape")
    if shape is not None and _unbuilt(model):
        _build(model, shape)
    compile_config = config.get("compile_config")
    if compile and compile_config:
        try:
            model.compile_from_config(compile_config, custom_objects=objects)
        except (ValueError, TypeError) as error:  # Keras also loads the model uncompiled
            warnings.warn(f"{source}: the model was loaded but not compiled, because its "
                          f"compile config could not be used: {error}", stacklevel=3)
    return model
