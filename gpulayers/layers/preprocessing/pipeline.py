"""Pipeline: apply a list of layers one after the other (Keras 3's ``layers.Pipeline``)."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.layer import Layer
from gpulayers.layers.serialization import deserialize, serialize


class Pipeline(Layer):
    """Apply ``layers`` in order, each to the previous one's output (Keras 3).

    Unlike a Sequential model, a Pipeline is a plain layer: it is meant for preprocessing
    and augmentation chains, and it passes any input structure (such as MixUp's
    ``{"images": ..., "labels": ...}``) from layer to layer. ``training`` (default True,
    as Keras) goes to every layer whose ``call`` takes it, and each output's mask to the
    next layer that takes one. The config holds the serialised layers.

    Args:
        layers: a list of Layer instances.
        name: the layer's name.

    Example::

        augment = Pipeline([RandomFlip(), RandomRotation(0.1), RandomZoom(0.2)])
        y = augment(images)              # training=True by default
    """

    def __init__(self, layers: list[Layer], name: str | None = None) -> None:
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(
                isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"Pipeline '{self.name}': `layers` must be a list of Layer "
                             f"instances. Received: layers={layers!r}")
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list[Layer]:
        """The layers, in the order they are applied."""
        return self._pipeline_layers

    def call(self, inputs: Any, training: bool = True, mask: Any = None) -> Any:
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs: dict[str, Any] = {}
            if layer._call_accepts_mask:
                kwargs["mask"] = mask
            if layer._call_accepts_training and training is not None:
                kwargs["training"] = training
            outputs = layer(outputs, **kwargs)
            mask = getattr(outputs, "_keras_mask", None)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self) -> dict[str, Any]:
        # Keras's keys exactly: the layers and the name (no dtype or trainable)
        return {"layers": [serialize(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Pipeline:
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("Pipeline: the config must map 'layers' to a list of "
                             f"serialized layers. Received: layers={layers!r}")
        config = {**config, "layers": [deserialize(layer, custom_objects)
                                       for layer in layers]}
        return cls(**config)


__all__ = ["Pipeline"]
