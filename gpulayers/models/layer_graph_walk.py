"""Walking a layer graph: the nodes between a functional model's inputs and outputs, in an
order where every node comes after the nodes that feed it."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.keras_tensor import KerasTensor
from gpulayers.layers.node import Node

__all__ = ["graph_nodes", "producing_node"]


def producing_node(tensor: KerasTensor) -> Node:
    """The node (layer call) that made ``tensor``."""
    if not isinstance(tensor, KerasTensor) or tensor._keras_history is None:
        raise ValueError(f"Model: inputs and outputs must be symbolic tensors made by Input() "
                         f"and layer calls. Received: {tensor!r}")
    layer, node_index, _ = tensor._keras_history
    return layer._inbound_nodes[node_index]


def graph_nodes(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Node]:
    """Every node needed to compute ``outputs`` from ``inputs``, topologically ordered.

    Raises ValueError when an output depends on an ``Input`` that is not among ``inputs``
    (the model could not be run from the data it is given).
    """
    input_ids = {id(t) for t in inputs}
    ordered: list[Node] = []
    state: dict[int, str] = {}

    def visit(node: Node) -> None:
        if state.get(id(node)) == "done":
            return
        if state.get(id(node)) == "active":
            raise ValueError("Model: the layer graph has a cycle")
        state[id(node)] = "active"
        for tensor in node.input_tensors:
            if id(tensor) not in input_ids:
                visit(producing_node(tensor))
        if not node.input_tensors and not any(id(t) in input_ids for t in node.output_tensors):
            name = node.output_tensors[0].name if node.output_tensors else node.layer.name
            raise ValueError(f"Model: an output depends on the input '{name}', which is not "
                             f"among the model's inputs {[t.name for t in inputs]}")
        state[id(node)] = "done"
        ordered.append(node)

    for tensor in outputs:
        if id(tensor) not in input_ids:
            visit(producing_node(tensor))
    return ordered


def as_list(structure: Any) -> list[Any]:
    """A single tensor, list, tuple or dict of tensors as a flat list; a dict in sorted key
    order, as Keras 3 flattens it (so inputs, outputs and weights come in Keras's order)."""
    if isinstance(structure, dict):
        return [structure[key] for key in sorted(structure)]
    if isinstance(structure, (list, tuple)):
        return list(structure)
    return [structure]
