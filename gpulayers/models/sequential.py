"""Sequential: a plain stack of layers, each with one input and one output."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.core.input_layer import InputLayer
from gpulayers.layers.keras_tensor import KerasTensor
from gpulayers.layers.layer import Layer
from gpulayers.models.input_conformance import conformed_input
from gpulayers.models.model import Model

__all__ = ["Sequential"]


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: optional list of layers (an ``Input(...)`` tensor or an ``InputLayer`` may
            come first to fix the input shape).
        name, trainable: as for any layer.

    The model is built (its weights exist) as soon as its input shape is known: from an
    ``Input``, from ``input_shape=``/``batch_input_shape=`` on the first layer, from
    ``build(input_shape)``, or else on the first call.

    Example::

        model = Sequential([Input(shape=(784,)), Dense(64, activation="relu"), Dense(10)])
        model.add(Dense(10, activation="softmax"))
        model.pop()
        model.summary()
    """

    def __init__(self, layers: list[Any] | None = None, name: str | None = None,
                 trainable: bool = True, **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._stack: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self._symbolic_input: Any = None  # the built graph's input and last layer's output
        self._symbolic_output: Any = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        """The stacked layers (the input layer, if any, is not listed, as in Keras)."""
        return list(self._stack)

    def add(self, layer: Any) -> None:
        """Append ``layer`` (or start the stack with an ``Input`` tensor / InputLayer)."""
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError(f"Sequential '{self.name}': an Input can only come first")
            self._input_layer = layer
            self._track(layer)
            self._build_from(layer.batch_shape)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential '{self.name}': can only add Layer instances. "
                            f"Received: {layer!r}")
        if any(layer is known for known in self._stack):
            raise ValueError(f"Sequential '{self.name}': layer '{layer.name}' is already in "
                             f"the model")
        self._stack.append(layer)
        self._track(layer)
        if self._symbolic_output is not None:  # extend the built graph by one call
            self._symbolic_output = layer(self._symbolic_output)
            return
        shape = self._known_input_shape()
        if shape is not None:
            self._build_from(shape)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._stack:
            raise ValueError(f"Sequential '{self.name}': there is no layer to pop")
        layer = self._stack.pop()
        self._layers.remove(layer)
        if self._symbolic_output is not None:
            self._symbolic_output = layer._inbound_nodes[-1].input_tensors[0] if (
                self._stack) else None
        return layer

    def _track(self, layer: Layer) -> None:
        if layer not in self._layers:
            self._layers.append(layer)

    def _known_input_shape(self) -> tuple | None:
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        first = self._stack[0] if self._stack else None
        return getattr(first, "_batch_input_shape", None)

    def _declared_input(self) -> Any:
        """The input KerasTensor of a model started with ``Input`` (or a first layer's
        ``input_shape=``), which calls are held to as in Keras; None for a model built from
        its first call, which stays free like Keras's."""
        declared = self._known_input_shape() is not None
        return self._symbolic_input if declared and self._symbolic_output is not None else None

    def _build_from(self, batch_shape: tuple) -> None:
        """Build every layer by a symbolic pass (fixes all weights and shapes)."""
        if not self._stack or self._symbolic_output is not None:
            return
        tensor: Any = KerasTensor(batch_shape, self._input_dtype())
        if self._input_layer is not None:
            tensor = self._input_layer._input_tensor
        self._symbolic_input = tensor
        for layer in self._stack:
            tensor = layer(tensor)
        self._symbolic_output = tensor
        self.built = True

    # -- the built graph's ends (Keras: model.inputs, model.output_shape, ...) ---------------
    @property
    def inputs(self) -> list[Any] | None:
        """``[input KerasTensor]`` once built from a known shape (else None)."""
        return None if self._symbolic_output is None else [self._symbolic_input]

    @property
    def outputs(self) -> list[Any] | None:
        """``[output KerasTensor]`` once built from a known shape (else None)."""
        return None if self._symbolic_output is None else [self._symbolic_output]

    @property
    def input(self) -> Any:
        return self._symbolic_input if self._symbolic_output is not None else super().input

    @property
    def output(self) -> Any:
        return self._symbolic_output if self._symbolic_output is not None else (
            super().output)

    @property
    def input_shape(self) -> Any:
        return self.input.shape if self._symbolic_output is not None else super().input_shape

    @property
    def output_shape(self) -> Any:
        return self.output.shape if self._symbolic_output is not None else (
            super().output_shape)

    def _input_dtype(self) -> str:
        return self._input_layer.dtype if self._input_layer is not None else self.dtype

    def build(self, input_shape: Any = None) -> None:
        shape = input_shape if input_shape is not None else self._known_input_shape()
        if shape is None:
            raise ValueError(f"Sequential '{self.name}': give build() an input shape (with "
                             f"the batch dimension), or start the model with an Input")
        self._build_from(tuple(shape))

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        declared = self._declared_input()
        outputs = inputs if declared is None else conformed_input(
            self.name, declared.name or "input", declared.shape, inputs)
        for layer in self._stack:
            outputs = layer(outputs, training=training) if training is not None else layer(
                outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = input_shape
        for layer in self._stack:
            shape = layer.compute_output_shape(shape)
        return shape

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        from gpulayers.layers.serialization import serialize

        layers = [serialize(layer) for layer in self._stack]
        if self._input_layer is not None:
            layers.insert(0, serialize(self._input_layer))
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Sequential:
        from gpulayers.layers.serialization import deserialize

        layers = [deserialize(entry, custom_objects) for entry in config.get("layers", [])]
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer in layers:
            model.add(layer)
        return model
