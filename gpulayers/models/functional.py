"""Functional models: a graph of layer calls from ``Input`` tensors to outputs.

``Model(inputs, outputs)`` records nothing new: the graph already exists in the nodes the
layer calls made on KerasTensors. Calling the model replays those nodes in order on real
tensors, so shared layers (several nodes), several inputs/outputs and nested models work,
and masks travel with the tensors as in any eager call.
"""

from __future__ import annotations

from typing import Any

from gpulayers.layers.core.input_layer import InputLayer
from gpulayers.layers.keras_tensor import KerasTensor
from gpulayers.layers.node import Node, flatten
from gpulayers.models.input_conformance import conformed_input
from gpulayers.models.layer_graph_walk import as_list, graph_nodes
from gpulayers.models.model import Model

__all__ = ["Functional"]


def _replace(structure: Any, values: dict[int, Any]) -> Any:
    """``structure`` with every KerasTensor swapped for its computed value."""
    if isinstance(structure, KerasTensor):
        return values[id(structure)]
    if isinstance(structure, list):
        return [_replace(item, values) for item in structure]
    if isinstance(structure, tuple):
        return tuple(_replace(item, values) for item in structure)
    if isinstance(structure, dict):
        return {key: _replace(item, values) for key, item in structure.items()}
    return structure


class Functional(Model):
    """A model defined by its input and output KerasTensors (see :class:`Model`)."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True, **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._input_structure, self._output_structure = inputs, outputs
        self.inputs, self.outputs = as_list(inputs), as_list(outputs)
        for tensor in self.inputs + self.outputs:
            if not isinstance(tensor, KerasTensor):
                raise ValueError(f"Model '{self.name}': inputs and outputs must be symbolic "
                                 f"tensors (from Input() and layer calls). Received: "
                                 f"{tensor!r}")
        self._nodes = graph_nodes(self.inputs, self.outputs)
        input_layers = [t._keras_history[0] for t in self.inputs]
        layers: list[Any] = []
        for layer in input_layers + [node.layer for node in self._nodes]:
            if not any(layer is known for known in layers):
                layers.append(layer)
        self._layers.extend(layer for layer in layers if layer not in self._layers)
        self._graph_layers = layers
        self.built = True

    @property
    def layers(self) -> list[Any]:
        return list(self._graph_layers)

    @property
    def input_names(self) -> list[str]:
        return [t._keras_history[0].name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [t._keras_history[0].name for t in self.outputs]

    def build(self, input_shape: Any) -> None:
        self.built = True

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        given = self._flatten_inputs(inputs)
        values = {id(t): value for t, value in zip(self.inputs, given)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = _replace(node.call_args, values)
            kwargs = _replace(node.call_kwargs, values)
            if training is not None and "training" not in kwargs:
                kwargs["training"] = training
            outputs = node.layer(*args, **kwargs)
            for tensor, value in zip(node.output_tensors, flatten(outputs)):
                values[id(tensor)] = value
        return _replace(self._output_structure, values)

    def _flatten_inputs(self, inputs: Any) -> list[Any]:
        """The call's inputs in the order of ``self.inputs`` (a dict is read by input name)."""
        if isinstance(inputs, dict):
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(f"Model '{self.name}': missing input(s) {missing}; expected "
                                 f"keys {self.input_names}. Received keys {sorted(inputs)}")
            given = [inputs[name] for name in self.input_names]
        else:
            given = as_list(inputs)
        if len(given) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s) "
                             f"{self.input_names}. Received {len(given)}")
        return [conformed_input(self.name, tensor.name, tensor.shape, value)
                for tensor, value in zip(self.inputs, given)]

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if not isinstance(self._output_structure, (list, tuple, dict)) \
            else shapes

    def _symbolic_call(self, args: tuple, kwargs: dict[str, Any]) -> Any:
        """Calling a functional model on KerasTensors nests it in a bigger graph."""
        outputs = [KerasTensor(t.shape, t.dtype, f"{self.name}_{t.name}") for t in self.outputs]
        Node(self, args, kwargs, outputs if len(outputs) > 1 else outputs[0])
        return outputs if len(outputs) > 1 else outputs[0]

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        from gpulayers.models.functional_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Functional:
        from gpulayers.models.functional_config import functional_from_config

        return functional_from_config(cls, config, custom_objects)
