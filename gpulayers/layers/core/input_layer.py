"""Input and InputLayer: the entry points of a layer graph."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.keras_tensor import KerasTensor
from gpulayers.layers.layer import Layer
from gpulayers.layers.node import Node


class InputLayer(Layer):
    """The layer behind :func:`Input`: it holds the symbolic input tensor of a graph.

    Args:
        shape: input shape without the batch dimension, e.g. ``(28, 28, 1)``.
        batch_size: optional fixed batch size.
        dtype: input dtype (default ``floatx()``).
        batch_shape: full shape including the batch dimension (instead of shape/batch_size).
        input_tensor: an existing KerasTensor to wrap.
        name: layer name.
    Older spellings ``input_shape=`` and ``batch_input_shape=`` are accepted.
    """

    def __init__(self, shape: Any = None, batch_size: int | None = None, dtype: Any = None,
                 sparse: bool | None = None, batch_shape: Any = None,
                 input_tensor: KerasTensor | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        shape = kwargs.pop("input_shape", shape)
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        kwargs.pop("optional", None)
        ragged = kwargs.pop("ragged", None)  # Keras 3 configs always carry it
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse or ragged:
            kind = "sparse" if sparse else "ragged"
            raise ValueError(f"InputLayer '{self.name}': {kind} inputs are not supported")
        if batch_shape is None:
            if shape is None and input_tensor is None:
                raise ValueError(f"InputLayer '{self.name}': give `shape` or `batch_shape`. "
                                 "Received neither.")
            shape = input_tensor.shape[1:] if shape is None else shape
            batch_shape = (batch_size, *_as_shape(shape, self.name))
        self.batch_shape = tuple(_as_shape(batch_shape, self.name))
        self.built = True
        tensor = input_tensor if input_tensor is not None else KerasTensor(
            self.batch_shape, self.dtype, self.name)
        Node(self, (), {}, tensor)
        self._input_tensor = tensor

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "name": self.name}


def _as_shape(shape: Any, name: str) -> tuple:
    if isinstance(shape, int):
        shape = (shape,)
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"InputLayer '{name}': a shape must be a tuple of ints or None. "
                         f"Received: {shape!r}") from None


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None,  # noqa: N802
          sparse: bool | None = None, batch_shape: Any = None, name: str | None = None,
          tensor: KerasTensor | None = None, **kwargs: Any) -> KerasTensor:
    """A symbolic input tensor: the start of a functional model.

    Example::

        inputs = Input(shape=(784,))
        outputs = Dense(10)(inputs)     # a KerasTensor of shape (None, 10)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, input_tensor=tensor, name=name, **kwargs)
    return layer._input_tensor
