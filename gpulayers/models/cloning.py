"""``clone_model``: the same architecture with new layers and fresh weights (Keras 3's
``keras.models.clone_model``).

Sequential models are rebuilt from cloned layers; functional models by replaying their
layer graph on new inputs with each layer replaced by its clone (a layer shared by several
calls is cloned once and stays shared); other models through their config.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers.layers.core.input_layer import Input, InputLayer
from gpulayers.layers.keras_tensor import KerasTensor
from gpulayers.layers.node import flatten
from gpulayers.models.functional import Functional, _replace
from gpulayers.models.layer_graph_walk import as_list
from gpulayers.models.sequential import Sequential

__all__ = ["clone_model"]


def _default_clone(layer: Any) -> Any:
    return layer.__class__.from_config(layer.get_config())


def _caching_clone(clone_function: Callable[[Any], Any] | None,
                   call_function: Callable[..., Any] | None, recursive: bool,
                   cache: dict[int, Any]) -> Callable[[Any], Any]:
    """``clone_function`` (default: a new layer from the old one's config) made to clone
    each layer once, and to clone nested models with ``clone_model`` when ``recursive``."""
    clone = clone_function or _default_clone

    def cached(layer: Any) -> Any:
        if id(layer) not in cache:
            if recursive and isinstance(layer, (Sequential, Functional)):
                cache[id(layer)] = clone_model(
                    layer, clone_function=clone_function, recursive=True, _cache=cache,
                    call_function=None if isinstance(layer, Sequential) else call_function)
            else:
                cache[id(layer)] = clone(layer)
        return cache[id(layer)]

    return cached


def _compile_like(clone: Any, model: Any) -> Any:
    if getattr(model, "compiled", False):
        clone.compile_from_config(model.get_compile_config())
    return clone


def _clone_sequential(model: Sequential, clone: Callable[[Any], Any],
                      input_tensors: Any) -> Sequential:
    layers: list[Any] = [clone(layer) for layer in model.layers]
    source = model._input_layer
    name = source.name if source is not None else None
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError(f"clone_model: a Sequential model takes a single input "
                                 f"tensor. Received {len(input_tensors)}")
            input_tensors = input_tensors[0]
        if not isinstance(input_tensors, KerasTensor):
            raise ValueError(f"clone_model: `input_tensors` must be a KerasTensor (from "
                             f"Input()). Received: {input_tensors!r}")
        history = input_tensors._keras_history
        if history is not None and isinstance(history[0], InputLayer):
            layers.insert(0, input_tensors)  # Sequential starts from that Input's layer
        else:  # an intermediate tensor: the clone starts from an Input of its shape
            layers.insert(0, Input(batch_shape=input_tensors.shape, dtype=input_tensors.dtype,
                                   name=name))
    elif model.inputs is not None:
        # A built model keeps its input shape, whether it came from an Input or from build().
        batch_shape = source.batch_shape if source is not None else model.inputs[0].shape
        dtype = source.dtype if source is not None else model._input_dtype()
        layers.insert(0, Input(batch_shape=batch_shape, dtype=dtype, name=name))
    return _compile_like(Sequential(layers, name=model.name, trainable=model.trainable), model)


def _clone_functional(model: Functional, clone: Callable[[Any], Any], input_tensors: Any,
                      call_function: Callable[..., Any] | None) -> Functional:
    if input_tensors is None:
        new_inputs = [Input(batch_shape=t.shape, dtype=t.dtype, name=t.name)
                      for t in model.inputs]
        structure = _replace(model._input_structure, dict(zip(map(id, model.inputs),
                                                              new_inputs)))
    else:
        new_inputs = as_list(input_tensors)
        if len(new_inputs) != len(model.inputs) or not all(
                isinstance(t, KerasTensor) for t in new_inputs):
            raise ValueError(f"clone_model: `input_tensors` must be {len(model.inputs)} "
                             f"KerasTensor(s), structured like model.input. Received: "
                             f"{input_tensors!r}")
        structure = input_tensors
    values = {id(old): new for old, new in zip(model.inputs, new_inputs)}
    for node in model._nodes:
        if isinstance(node.layer, InputLayer):
            continue
        layer = clone(node.layer)
        args = _replace(node.call_args, values)
        kwargs = _replace(node.call_kwargs, values)
        outputs = (call_function(layer, *args, **kwargs) if call_function is not None
                   else layer(*args, **kwargs))
        for old, new in zip(node.output_tensors, flatten(outputs)):
            values[id(old)] = new
    outputs = _replace(model._output_structure, values)
    # A Functional subclass keeps its class when its constructor is Functional's.
    cls = type(model) if type(model).__init__ is Functional.__init__ else Functional
    return _compile_like(cls(structure, outputs, name=model.name), model)


def clone_model(model: Any, input_tensors: Any = None,
                clone_function: Callable[[Any], Any] | None = None,
                call_function: Callable[..., Any] | None = None, recursive: bool = False,
                **kwargs: Any) -> Any:
    """A copy of ``model``'s architecture with new layers (freshly initialized weights).

    Args:
        model: a Sequential or functional model (another model is rebuilt from its config,
            and then takes none of the other arguments).
        input_tensors: KerasTensors (from ``Input``) to build the clone on; default: new
            inputs like the model's.
        clone_function: ``fn(layer) -> layer`` making each layer's replacement (default:
            ``layer.__class__.from_config(layer.get_config())``); input layers are not
            passed to it.
        call_function: ``fn(layer, *args, **kwargs)`` calling each cloned layer in a
            functional model (default: ``layer(*args, **kwargs)``); it may add layers.
        recursive: clone nested Sequential/functional models with ``clone_model`` (the
            same arguments) instead of ``clone_function``.

    Returns:
        The new model, compiled like ``model`` if ``model`` was compiled (fresh optimizer).

    Example::

        fresh = clone_model(model)                       # same layers, new weights
        fresh.set_weights(model.get_weights())           # ... or copy them
        wider = clone_model(model, clone_function=lambda layer: Dense(64)
                            if isinstance(layer, Dense) else layer.__class__.from_config(
                                layer.get_config()))
    """
    cache = kwargs.pop("_cache", None)
    if kwargs:
        raise TypeError(f"clone_model: unexpected arguments {sorted(kwargs)}")
    if clone_function is not None and not callable(clone_function):
        raise ValueError(f"clone_model: `clone_function` must be callable. Received: "
                         f"clone_function={clone_function!r}")
    cache = {} if cache is None else cache
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError("clone_model: `call_function` is only supported for functional "
                             "models; a Sequential model's layers are listed, not called")
        clone = _caching_clone(clone_function, None, recursive, cache)
        return _clone_sequential(model, clone, input_tensors)
    if isinstance(model, Functional):
        clone = _caching_clone(clone_function, call_function, recursive, cache)
        return _clone_functional(model, clone, input_tensors, call_function)
    if clone_function is not None or input_tensors is not None:
        raise ValueError(f"clone_model: `clone_function` and `input_tensors` are only "
                         f"supported for Sequential and functional models. Received a model "
                         f"of type {type(model).__name__}")
    if call_function is not None:
        raise ValueError(f"clone_model: `call_function` is only supported for functional "
                         f"models. Received a model of type {type(model).__name__}")
    from gpulayers.utils.object_serialization import (
        deserialize_keras_object,
        serialize_keras_object,
    )

    return deserialize_keras_object(serialize_keras_object(model),
                                    custom_objects={type(model).__name__: type(model)})
