"""A Node records one call of a layer on symbolic inputs: the edge of a layer graph."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.keras_tensor import KerasTensor


def flatten(structure: Any) -> list[Any]:
    """Leaves of a nested list/tuple/dict structure, in order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    return [structure]


class Node:
    """``layer`` was called with ``call_args``/``call_kwargs`` and produced ``outputs``.

    The functional Model walks these nodes (through each KerasTensor's ``_keras_history``)
    from its outputs back to its inputs.
    """

    def __init__(self, layer: Any, call_args: tuple, call_kwargs: dict, outputs: Any) -> None:
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.input_tensors = [t for t in flatten((call_args, call_kwargs))
                              if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in flatten(outputs) if isinstance(t, KerasTensor)]
        node_index = len(layer._inbound_nodes)
        for index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, node_index, index)
        layer._inbound_nodes.append(self)

    @property
    def parent_nodes(self) -> list[Node]:
        """Nodes that produced this node's inputs (none for an InputLayer)."""
        parents = []
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                layer, node_index, _ = tensor._keras_history
                parents.append(layer._inbound_nodes[node_index])
        return parents
