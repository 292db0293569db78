"""Wrapper: the base class of layers that hold and call another layer (Keras 3's
``keras.layers.Wrapper``)."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.layer import Layer
from gpulayers.layers.serialization import deserialize, serialize

__all__ = ["Wrapper"]


class Wrapper(Layer):
    """A layer that wraps ``layer``: its weights are the wrapped layer's, ``build`` builds it,
    and its config holds the wrapped layer's config. Subclass it and write ``call``.

    Args:
        layer: the Layer instance to wrap.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        class Doubled(Wrapper):
            def call(self, inputs):
                return self.layer(inputs) * 2.0

        y = Doubled(Dense(3))(x)
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__}: `layer` must be a Layer instance (e.g. "
                             f"Dense(8)). Received: layer={layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        if not self.layer.built and input_shape is not None:
            self.layer._build_once(input_shape)
        self.built = True

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Wrapper:
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects)
        return cls(layer, **config)
