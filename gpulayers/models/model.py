"""Model: a Layer that can be trained (compile/fit/evaluate/predict) and summarized.

Three ways to make one, as in Keras:

- functional: ``Model(inputs, outputs)`` over ``Input`` tensors (returns a
  :class:`~gpulayers.models.functional.Functional`);
- subclassing: define layers as attributes in ``__init__`` (tracked automatically) and the
  forward pass in ``call``;
- :class:`~gpulayers.models.sequential.Sequential` for a plain stack.

Example::

    class TwoLayers(Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(32, activation="relu")
            self.out = Dense(10)

        def call(self, inputs):
            return self.out(self.hidden(inputs))
"""

from __future__ import annotations

from typing import Any

from gpulayers.layers.layer import Layer
from gpulayers.models.model_saving import Saving
from gpulayers.models.trainer import Trainer

__all__ = ["Model"]


class Model(Saving, Trainer, Layer):
    """A trainable, savable group of layers (see the module docstring for the three forms).

    Args (functional form): inputs, outputs: KerasTensors (or lists/dicts of them);
        name: the model's name.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from gpulayers.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or "inputs" in kwargs:
            raise TypeError(f"{type(self).__name__}: a subclassed Model takes no inputs/"
                            f"outputs; use Model(inputs, outputs) for a functional model")
        base = {key: kwargs.pop(key) for key in ("name", "trainable", "dtype") if key in kwargs}
        super().__init__(**base, **kwargs)
        self.stop_training = False
        self.history: Any = None
        self.optimizer: Any = None
        self.compiled = False

    def build(self, input_shape: Any) -> None:
        """Create every layer's weights for inputs of ``input_shape`` (batch may be None), as
        Keras 3 does for a subclassed model: ``call`` runs once on small zero inputs (in
        inference mode). A model's first real call builds it without this extra run.

        Example: ``model.build((None, 784)); model.summary()``.
        """
        if not self.__dict__.get("_building_in_call") and input_shape is not None and any(
                not layer.built for layer in self._layers):
            from gpulayers.layers.shape_inference import run_on_placeholders

            run_on_placeholders(self, input_shape)
            self._build_input_shape = input_shape  # what a saved model is rebuilt with
        self.built = True

    def _build_once(self, input_shape: Any) -> None:
        # Built by a call: the call itself builds the layers (see build()).
        self._building_in_call = True
        try:
            super()._build_once(input_shape)
        finally:
            self._building_in_call = False

    @property
    def layers(self) -> list[Layer]:
        """The model's layers (the attributes it tracks, in assignment order)."""
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in ``layers``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Model '{self.name}': was asked for layer {index} but has "
                                 f"{len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model '{self.name}': no layer named {name!r}. Layers: "
                         f"{[layer.name for layer in self.layers]}")

    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Any = None, expand_nested: bool = False,
                show_trainable: bool = False) -> None:
        """Print each layer's name and type, output shape and parameter count, then the
        totals (trainable and non-trainable), like Keras."""
        from gpulayers.models.summary import print_summary

        print_summary(self, line_length=line_length, print_fn=print_fn,
                      show_trainable=show_trainable)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Model:
        """A model from its config (a functional config builds a functional model)."""
        if "input_layers" in config:
            from gpulayers.models.functional import Functional

            return Functional.from_config(config, custom_objects)
        return super().from_config(config)
