"""``model.summary()``: a table of layers, output shapes and parameter counts, as Keras prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["print_summary"]


def _output_shape(layer: Any) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        shapes = [t.shape for t in nodes[-1].output_tensors]
        return str(shapes[0] if len(shapes) == 1 else shapes)
    return "?"  # a subclassed model's layer never called symbolically


def _count(weights: list[Any]) -> int:
    total = 0
    for weight in weights:
        size = 1
        for dim in weight.shape:
            size *= dim
        total += size
    return total


def print_summary(model: Any, line_length: int | None = None,
                  print_fn: Callable[[str], Any] | None = None,
                  show_trainable: bool = False) -> None:
    """Print ``model``'s summary with ``print_fn`` (default ``print``).

    Columns: ``Layer (type)``, ``Output Shape``, ``Param #`` (and ``Trainable`` with
    ``show_trainable``); then total, trainable and non-trainable parameter counts.
    """
    emit = print_fn or print
    width = line_length or 80
    columns = [0.45, 0.75, 1.0] if not show_trainable else [0.4, 0.65, 0.85, 1.0]
    stops = [int(width * c) for c in columns]
    headers = ["Layer (type)", "Output Shape", "Param #"] + (
        ["Trainable"] if show_trainable else [])

    def row(fields: list[str]) -> str:
        line, start = "", 0
        for field, stop in zip(fields, stops):
            line += field[:stop - start - 1].ljust(stop - start)
            start = stop
        return line.rstrip()

    emit(f'Model: "{model.name}"')
    emit("_" * width)
    emit(row(headers))
    emit("=" * width)
    layers = model.layers
    for index, layer in enumerate(layers):
        fields = [f"{layer.name} ({type(layer).__name__})", _output_shape(layer),
                  f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"]
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        emit(row(fields))
        emit(("_" if index < len(layers) - 1 else "=") * width)
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    emit(f"Total params: {total:,}")
    emit(f"Trainable params: {trainable:,}")
    emit(f"Non-trainable params: {total - trainable:,}")
    emit("_" * width)
