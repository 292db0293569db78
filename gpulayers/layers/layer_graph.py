"""A layer's place in layer graphs: its inputs and outputs at each call (node)."""

from __future__ import annotations

from typing import Any


class LayerGraphMixin:
    """``input``/``output``/``input_shape``/``output_shape`` for layers called once on
    symbolic inputs, and ``get_*_at(node_index)`` for layers shared by several calls."""

    def _node(self, node_index: int, attribute: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input (an Input), "
                f"so it has no defined {attribute}."
            )
        if not -len(self._inbound_nodes) <= node_index < len(self._inbound_nodes):
            raise ValueError(
                f"Layer '{self.name}': asked for node {node_index} but the layer has only "
                f"{len(self._inbound_nodes)} inbound node(s)."
            )
        return self._inbound_nodes[node_index]

    def _single_node(self, attribute: str) -> Any:
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has multiple inbound nodes, hence the notion of "
                f"'layer {attribute}' is ill-defined. Use `get_{attribute}_at(node_index)`."
            )
        return self._node(0, attribute)

    @staticmethod
    def _unpack(tensors: list[Any]) -> Any:
        return tensors[0] if len(tensors) == 1 else list(tensors)

    def get_input_at(self, node_index: int) -> Any:
        """The input tensor(s) of the layer's ``node_index``-th call."""
        return self._unpack(self._node(node_index, "input").input_tensors)

    def get_output_at(self, node_index: int) -> Any:
        """The output tensor(s) of the layer's ``node_index``-th call."""
        return self._unpack(self._node(node_index, "output").output_tensors)

    def get_input_shape_at(self, node_index: int) -> Any:
        tensors = self._node(node_index, "input_shape").input_tensors
        return self._unpack([t.shape for t in tensors])

    def get_output_shape_at(self, node_index: int) -> Any:
        tensors = self._node(node_index, "output_shape").output_tensors
        return self._unpack([t.shape for t in tensors])

    @property
    def input(self) -> Any:
        return self._unpack(self._single_node("input").input_tensors)

    @property
    def output(self) -> Any:
        return self._unpack(self._single_node("output").output_tensors)

    @property
    def input_shape(self) -> Any:
        return self._unpack([t.shape for t in self._single_node("input").input_tensors])

    @property
    def output_shape(self) -> Any:
        return self._unpack([t.shape for t in self._single_node("output").output_tensors])

    @property
    def inbound_nodes(self) -> list[Any]:
        return list(self._inbound_nodes)
