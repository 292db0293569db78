"""Where each layer's and the optimizer's variables live in a weights file (Keras 3's paths).

Keras 3 walks a model like this (``saving_lib._walk_saveable``), and so do we, so that the
same architecture gives the same paths in both libraries:

- a Sequential or functional model lists ``layers`` first; a subclassed model's ``layers``
  (every tracked sublayer) comes at its place among the attributes;
- then every attribute, sorted by name with private (``_x``) ones last;
- an attribute holding a layer or optimizer adds its name to the path (``lstm/cell``); one
  holding a list/tuple/dict adds its name, then each saveable item is named by its class in
  snake case, numbered within the container (``layers/dense``, ``layers/dense_1``), and a
  nested container is named ``container``, ``container_1``...;
- an object reached a second time is skipped (the first path wins);
- an object's own variables (trainable first, then non-trainable, in creation order) are
  stored at ``<path>/vars/0``, ``<path>/vars/1``... (``vars/<i>`` for the model itself).

Sublayers that no attribute holds (tracked only in ``_layers``) are walked last under
``_layers`` so that their weights are never silently dropped; Keras would not save them.

Example::

    [(o.path, o.name) for o in saveable_objects(model)]
    # [('layers/dense', 'dense'), ('layers/dense_1', 'dense_1'), ('optimizer', 'adam')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SavedObject", "saveable_objects", "vars_group"]


@dataclass
class SavedObject:
    """A layer or optimizer with its path in a weights file and its own variables."""

    path: str
    name: str
    obj: Any
    variables: list[Any] = field(default_factory=list)
    is_optimizer: bool = False


def vars_group(path: str) -> str:
    """The group holding an object's variables: ``<path>/vars`` (``vars`` at the root).

    Example: ``vars_group("layers/dense") == "layers/dense/vars"``.
    """
    return f"{path}/vars" if path else "vars"


def to_snake_case(name: str) -> str:
    """Keras's ``naming.to_snake_case``, which names container items.

    Example: ``to_snake_case("GRUCell") == "gru_cell"``.
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def _sort_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name  # private attributes last


class _Walker:
    """One walk over a model; remembers what it has visited."""

    def __init__(self, include_optimizer: bool) -> None:
        from gpulayers.layers.layer import Layer
        from gpulayers.models.functional import Functional
        from gpulayers.models.model import Model
        from gpulayers.models.sequential import Sequential
        from gpulayers.optimizers import Optimizer

        self._layer, self._model, self._optimizer = Layer, Model, Optimizer
        self._graph_models = (Sequential, Functional)
        self.include_optimizer = include_optimizer
        self.visited: set[int] = set()
        self.visited_containers: set[int] = set()
        self.found: list[SavedObject] = []

    def is_saveable(self, obj: Any) -> bool:
        return isinstance(obj, (self._layer, self._optimizer))

    def visit(self, obj: Any, path: str) -> None:
        if id(obj) in self.visited:
            return
        self.visited.add(id(obj))
        if isinstance(obj, self._optimizer):
            if self.include_optimizer:
                self.found.append(SavedObject(path, obj.name, obj, list(obj.variables), True))
            return
        own = list(obj._trainable_variables) + list(obj._non_trainable_variables)
        self.found.append(SavedObject(path, obj.name, obj, own))
        for name, child in self._children(obj):
            self.visit_child(child, _join(path, name))

    def visit_child(self, child: Any, path: str) -> None:
        if self.is_saveable(child):
            self.visit(child, path)
        elif isinstance(child, (list, tuple, dict)):
            self.visit_container(child, path)

    def visit_container(self, container: Any, path: str) -> None:
        if id(container) in self.visited_containers:
            return
        self.visited_containers.add(id(container))
        used: dict[str, int] = {}
        items = container.values() if isinstance(container, dict) else container
        for item in items:
            if self.is_saveable(item):
                self.visit(item, _join(path, _unique(to_snake_case(type(item).__name__), used)))
            elif isinstance(item, (list, tuple, dict)):
                self.visit_container(item, _join(path, _unique("container", used)))

    def _children(self, layer: Any) -> Iterator[tuple[str, Any]]:
        attributes = {k: v for k, v in vars(layer).items()
                      if k != "_layers" and not k.startswith("__")}
        if isinstance(layer, self._graph_models):
            yield "layers", layer.layers
        elif isinstance(layer, self._model):
            attributes["layers"] = layer.layers
        for name in sorted(attributes, key=_sort_key):
            yield name, attributes[name]
        yield "_layers", list(layer._layers)


def _unique(name: str, used: dict[str, int]) -> str:
    """``dense``, then ``dense_1``, ``dense_2``... within one container (Keras's rule)."""
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def saveable_objects(model: Any, include_optimizer: bool = True) -> list[SavedObject]:
    """Every layer (and, when compiled, the optimizer) of ``model`` with its weights path.

    Args:
        model: a built Model (or any Layer).
        include_optimizer: also list ``model.optimizer`` (found as its ``optimizer``
            attribute, like any attribute).

    Example: ``saveable_objects(model)[1].path == "layers/dense"``.
    """
    walker = _Walker(include_optimizer)
    walker.visit(model, "")
    return walker.found
