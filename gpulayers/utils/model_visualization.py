"""A model's layer graph as a picture (Keras 3's ``keras.utils.model_to_dot`` /
``plot_model``), through pydot and Graphviz (optional: ``pip install pydot`` and the
``graphviz`` system package for ``dot``)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["model_to_dot", "plot_model"]

_INSTALL_HINT = ("Install it with `pip install pydot` (or `pip install gpulayers[plot]`); "
                 "plot_model also needs Graphviz's `dot` program (e.g. `apt-get install "
                 "graphviz`).")


def _pydot(who: str) -> Any:
    try:
        import pydot
    except ImportError:
        raise ImportError(f"{who} requires pydot, which is not installed. "
                          f"{_INSTALL_HINT}") from None
    return pydot


def _shape_text(shape: Any) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_text(item) for item in shape)
    return str(tuple(shape)) if shape is not None else "?"


def _layer_label(layer: Any, show_shapes: bool, show_dtype: bool, show_layer_names: bool,
                 show_layer_activations: bool, show_trainable: bool) -> str:
    title = f"{layer.name} ({type(layer).__name__})" if show_layer_names \
        else type(layer).__name__
    lines = [title]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"activation: {getattr(activation, '__name__', activation)}")
    if show_dtype:
        lines.append(f"dtype: {getattr(layer, 'dtype', None)}")
    if show_shapes:
        nodes = getattr(layer, "_inbound_nodes", [])
        node = nodes[-1] if nodes else None
        inputs = [t.shape for t in node.input_tensors] if node is not None else []
        outputs = [t.shape for t in node.output_tensors] if node is not None else []
        lines.append(f"input: {_shape_text(inputs) if inputs else '-'}")
        lines.append(f"output: {_shape_text(outputs) if outputs else '-'}")
    if show_trainable:
        lines.append(f"trainable: {'yes' if layer.trainable else 'no'}")
    # A double quote would end the quoted Graphviz label early.
    return "\\n".join(line.replace('"', "'") for line in lines)


def _graph_layers(model: Any) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """The layers to draw (input layers included) and the edges between them."""
    from gpulayers.models.functional import Functional
    from gpulayers.models.sequential import Sequential

    if isinstance(model, Sequential):
        layers = ([model._input_layer] if model._input_layer is not None else []) + \
            model.layers
        return layers, list(zip(layers, layers[1:]))
    if isinstance(model, Functional):
        edges = []
        for node in model._nodes:
            for tensor in node.input_tensors:
                edges.append((tensor._keras_history[0], node.layer))
        return model.layers, edges
    return list(getattr(model, "layers", [])), []


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False,
                 dpi: int = 200, subgraph: bool = False, show_layer_activations: bool = False,
                 show_trainable: bool = False, **kwargs: Any) -> Any:
    """A ``pydot.Dot`` graph of ``model``'s layers (one box per layer, an arrow per
    connection).

    Args:
        show_shapes / show_dtype / show_layer_names / show_layer_activations /
        show_trainable: what each box shows.
        rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        expand_nested: accepted for Keras compatibility (nested models are one box).
        dpi: the picture's resolution.
        subgraph: return a ``pydot.Cluster`` instead of a ``pydot.Dot``.

    Example: ``model_to_dot(model, show_shapes=True).to_string()`` is Graphviz text.
    """
    pydot = _pydot("model_to_dot")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"model_to_dot: `rankdir` must be 'TB' or 'LR'. Received: "
                         f"rankdir={rankdir!r}")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name, label=model.name)
    else:
        dot = pydot.Dot(graph_type="digraph")
        dot.set("rankdir", rankdir)
        dot.set("dpi", str(dpi))
        dot.set_node_defaults(shape="record")
    layers, edges = _graph_layers(model)
    for layer in layers:
        label = _layer_label(layer, show_shapes, show_dtype, show_layer_names,
                             show_layer_activations, show_trainable)
        dot.add_node(pydot.Node(str(id(layer)), label=f'"{label}"'))
    for source, target in edges:
        dot.add_edge(pydot.Edge(str(id(source)), str(id(target))))
    return dot


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False,
               **kwargs: Any) -> None:
    """Draw ``model`` (see :func:`model_to_dot`) into ``to_file``; the extension picks the
    format (``.png``, ``.svg``, ``.pdf``, ``.dot``...).

    Raises:
        ImportError without pydot; OSError when Graphviz's ``dot`` program is missing (the
        ``.dot`` format needs no Graphviz).

    Example: ``plot_model(model, "model.png", show_shapes=True)``.
    """
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    extension = os.path.splitext(os.fspath(to_file))[1][1:].lower() or "png"
    if extension in ("dot", "gv"):
        with open(to_file, "w", encoding="utf-8") as stream:
            stream.write(dot.to_string())
        return
    try:
        dot.write(to_file, format=extension)
    except FileNotFoundError:
        raise OSError(f"plot_model: Graphviz's `dot` program was not found. "
                      f"{_INSTALL_HINT}") from None
