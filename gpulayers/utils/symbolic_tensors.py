"""Questions about symbolic tensors (Keras 3's ``keras.utils.is_keras_tensor`` and
``get_source_inputs``)."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.keras_tensor import KerasTensor

__all__ = ["get_source_inputs", "is_keras_tensor"]


def is_keras_tensor(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor (from ``Input`` or a layer call on one).

    Example: ``is_keras_tensor(Input((3,)))`` is True; a NumPy array gives False.
    """
    return isinstance(x, KerasTensor)


def get_source_inputs(tensor: Any) -> list[Any]:
    """The ``Input`` tensors that ``tensor`` was computed from, first-seen order, each once.

    Example::

        a, b = Input((3,)), Input((3,))
        get_source_inputs(Add()([Dense(3)(a), b]))   # [a, b]
    """
    history = getattr(tensor, "_keras_history", None)
    if not hasattr(tensor, "_keras_history"):
        return tensor
    if history is None or not history[0]._inbound_nodes:
        return [tensor]
    layer, node_index, _ = history
    node = layer._inbound_nodes[node_index]
    if not node.input_tensors:  # an InputLayer's node: the tensor is a source
        return list(node.output_tensors)
    sources: list[Any] = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not known for known in sources):
                sources.append(source)
    return sources
