"""A functional model's config (Keras 3 layout) and rebuilding a model from it.

``layers`` lists every layer's serialized config with its ``inbound_nodes``: the call
arguments, where each KerasTensor is ``{"class_name": "__keras_tensor__", "config":
{"shape", "dtype", "keras_history": [layer_name, node_index, tensor_index]}}``. Node indices
count only the nodes inside this model, so a layer also used elsewhere rebuilds the same.
"""

from __future__ import annotations

from typing import Any

from gpulayers.layers.core.input_layer import InputLayer
from gpulayers.layers.keras_tensor import KerasTensor
from gpulayers.layers.serialization import deserialize, serialize
from gpulayers.models.layer_graph_walk import as_list

__all__ = ["functional_config", "functional_from_config"]

_TENSOR = "__keras_tensor__"


def _model_node_index(model: Any) -> dict[int, int]:
    """id(node) -> its index among its layer's nodes that belong to this model."""
    index: dict[int, int] = {}
    per_layer: dict[int, int] = {}
    nodes = [t._keras_history[0]._inbound_nodes[t._keras_history[1]] for t in model.inputs]
    for node in nodes + model._nodes:
        if id(node) not in index:
            index[id(node)] = per_layer.get(id(node.layer), 0)
            per_layer[id(node.layer)] = index[id(node)] + 1
    return index


def _history(tensor: KerasTensor, node_index: dict[int, int]) -> list[Any]:
    layer, position, tensor_index = tensor._keras_history
    return [layer.name, node_index[id(layer._inbound_nodes[position])], tensor_index]


def _encode(structure: Any, node_index: dict[int, int]) -> Any:
    if isinstance(structure, KerasTensor):
        return {"class_name": _TENSOR, "config": {
            "shape": list(structure.shape), "dtype": structure.dtype,
            "keras_history": _history(structure, node_index)}}
    if isinstance(structure, (list, tuple)):
        return [_encode(item, node_index) for item in structure]
    if isinstance(structure, dict):
        return {key: _encode(item, node_index) for key, item in structure.items()}
    return structure


def functional_config(model: Any) -> dict[str, Any]:
    """The Keras-3-style config of functional ``model``."""
    node_index = _model_node_index(model)
    layers = []
    for layer in model.layers:
        entry = serialize(layer)
        nodes = [n for n in layer._inbound_nodes if id(n) in node_index
                 and not isinstance(layer, InputLayer)]
        entry["name"] = layer.name
        entry["inbound_nodes"] = [{"args": _encode(list(n.call_args), node_index),
                                   "kwargs": _encode(n.call_kwargs, node_index)}
                                  for n in nodes]
        layers.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": _histories(model._input_structure, node_index),
            "output_layers": _histories(model._output_structure, node_index)}


def _histories(structure: Any, node_index: dict[int, int]) -> Any:
    """The model's inputs or outputs as Keras 3 writes them: one ``[layer, node, tensor]``
    triple for a single tensor, else the same list/dict structure of triples."""
    if isinstance(structure, KerasTensor):
        return _history(structure, node_index)
    if isinstance(structure, dict):
        return {key: _histories(item, node_index) for key, item in structure.items()}
    return [_histories(item, node_index) for item in structure]


def _tensors(histories: Any, made: dict[tuple, KerasTensor]) -> Any:
    """:func:`_histories`' structure back to KerasTensors."""
    if isinstance(histories, (list, tuple)) and len(histories) == 3 and isinstance(
            histories[0], str):
        return made[tuple(histories)]
    if isinstance(histories, dict):
        return {key: _tensors(item, made) for key, item in histories.items()}
    return [_tensors(item, made) for item in histories]


def _decode(structure: Any, made: dict[tuple, KerasTensor]) -> Any:
    if isinstance(structure, dict) and structure.get("class_name") == _TENSOR:
        return made[tuple(structure["config"]["keras_history"])]
    if isinstance(structure, list):
        return [_decode(item, made) for item in structure]
    if isinstance(structure, dict):
        return {key: _decode(item, made) for key, item in structure.items()}
    return structure


def functional_from_config(cls: type, config: dict[str, Any],
                           custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild a functional model: create the layers, then replay their calls in order."""
    layers = {entry["name"]: deserialize(entry, custom_objects) for entry in config["layers"]}
    made: dict[tuple, KerasTensor] = {}
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            made[(name, 0, 0)] = layer._input_tensor
    pending = [(entry["name"], i, node) for entry in config["layers"]
               for i, node in enumerate(entry.get("inbound_nodes", []))]
    while pending:
        progressed = []
        for name, index, node in pending:
            try:
                args = _decode(node["args"], made)
                kwargs = _decode(node.get("kwargs", {}), made)
            except KeyError:
                continue  # an input of this call is not made yet
            outputs = as_list(layers[name](*args, **kwargs))
            for position, tensor in enumerate(outputs):
                made[(name, index, position)] = tensor
            progressed.append((name, index, node))
        if not progressed:
            raise ValueError(f"Model config '{config.get('name')}': some layer calls depend "
                             f"on tensors that no layer makes: {[p[0] for p in pending]}")
        pending = [p for p in pending if p not in progressed]
    return cls(inputs=_tensors(config["input_layers"], made),
               outputs=_tensors(config["output_layers"], made), name=config.get("name"),
               trainable=config.get("trainable", True))
