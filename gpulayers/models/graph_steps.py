"""``compile(jit_compile=True)``: fit, evaluate and predict replay their steps as CUDA graphs.

On CuPy, each step kind (train, test, predict) of a model keeps one graph per batch signature
(the shapes and dtypes of the batch's arrays). The first batch of a signature runs eagerly (it
builds layers and optimizer slots and compiles kernels); the second is run eagerly once more
as a reference with the optimizer held back, then captured and replayed, and the graph is
kept only if its replay matches the reference; later batches of that signature are replays.
A step that cannot be captured, or whose replay disagrees, runs eagerly from then on, with
one warning saying why (a step that draws random numbers, such as one with Dropout, is one).

What a graph assumes, as a traced ``tf.function`` or XLA program does: the step's device work
depends only on the batch, the Variables and the model's structure. Python-side effects in a
step run at capture only; to change what a step computes (``layer.trainable``, the loss, the
model), call ``compile`` again, which drops the graphs. Learning rates, schedules and loss
scales may change freely: the optimizer runs outside the graphs.

Each graph holds the device memory of one step (its private pool), at most
:data:`MAX_GRAPHS` per step kind: a last, smaller batch of an epoch is one more graph.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from gpulayers.backend import step_graphs
from gpulayers.models.step_data import run_step
from gpulayers.models.step_graph import StepGraph, array_leaves, fixed_inputs, reference_run

__all__ = ["MAX_GRAPHS", "GraphSteps", "resolve_jit_compile", "run_model_step"]

MAX_GRAPHS = 8


def resolve_jit_compile(model_name: str, value: Any, run_eagerly: Any = False) -> bool:
    """``compile``'s ``jit_compile`` as a bool: ``"auto"`` runs eagerly (as Keras does on
    its torch backend); True needs the CuPy backend and ``run_eagerly`` off, and otherwise
    warns and runs eagerly (Keras's words where Keras has them)."""
    if value == "auto":
        return False
    if not isinstance(value, bool):
        raise ValueError(f"Model '{model_name}': `jit_compile` must be True, False or "
                         f"'auto'. Received: jit_compile={value!r}")
    if value and run_eagerly:
        warnings.warn("If `run_eagerly` is True, then `jit_compile` cannot also be True. "
                      "Disabling `jit_compile`.", stacklevel=3)
        return False
    if value and not step_graphs.available():
        warnings.warn(f"Model '{model_name}': jit_compile=True replays steps as CUDA graphs, "
                      "which need the CuPy backend; on this backend steps run eagerly.",
                      stacklevel=3)
        return False
    return value


def run_model_step(model: Any, kind: str, data: Any) -> Any:
    """``model.<kind>_step(data)`` on the device: replayed from a graph when the model was
    compiled with ``jit_compile=True``, else eagerly."""
    step = getattr(model, f"{kind}_step")
    if not model.__dict__.get("_jit_compile"):
        return run_step(step, data)
    graphs = model.__dict__.setdefault("_graph_steps", {})
    runner = graphs.get(kind)
    if runner is None:
        runner = graphs[kind] = GraphSteps(model.name, kind)
    return runner.run(step, data)


class GraphSteps:
    """The graphs of one step kind of one model (see the module docstring)."""

    def __init__(self, model_name: str, kind: str) -> None:
        self.model_name, self.kind = model_name, kind
        self.graphs: dict[Any, StepGraph] = {}
        self._seen: set[Any] = set()
        self._eager: set[Any] = set()

    def run(self, step: Callable[[Any], Any], data: Any) -> Any:
        key = _signature(step, data)
        if key is None or key in self._eager or not step_graphs.available():
            return run_step(step, data)
        with step_graphs.on_step_stream():
            graph = self.graphs.get(key)
            if graph is not None:
                return graph.run(data)
            if key not in self._seen:
                self._seen.add(key)
                return run_step(step, data)
            return self._capture(step, key, data)

    def _capture(self, step: Callable[[Any], Any], key: Any, data: Any) -> Any:
        if len(self.graphs) >= MAX_GRAPHS:
            return self._eagerly(step, key, data, f"the {self.kind} step already has "
                                                  f"{MAX_GRAPHS} graphs (one per batch shape)")
        inputs = fixed_inputs(data)
        memory = step_graphs.GraphMemory()
        try:
            reference = reference_run(step, inputs, memory)
            graph = StepGraph(step, inputs, memory)
        except Exception as error:  # CuPy's capture errors have no common base class
            first_line = (str(error).splitlines() or [""])[0][:200]
            return self._eagerly(step, key, data, f"it could not be captured "
                                                  f"({type(error).__name__}: {first_line})")
        before = [(variable, variable.data.copy()) for variable, _ in graph.bindings]
        graph.replay(inputs)
        problem = reference.disagreement(graph)
        if problem is not None:
            for variable, value in before:  # back to the state before the replay
                step_graphs.copy_into(variable.data, value)
            return self._eagerly(step, key, data,
                                 f"its graph replay disagreed with the eager step: {problem}")
        graph.apply_updates()
        self.graphs[key] = graph
        return graph.result

    def _eagerly(self, step: Callable[[Any], Any], key: Any, data: Any, reason: str) -> Any:
        self._eager.add(key)
        shapes = ", ".join(str(tuple(leaf.shape)) for leaf in array_leaves(data))
        warnings.warn(f"Model '{self.model_name}': jit_compile=True, but the {self.kind} step "
                      f"for batches of shapes {shapes} runs eagerly: {reason}.", stacklevel=4)
        return run_step(step, data)


def _signature(step: Callable[[Any], Any], data: Any) -> Any:
    """A hashable key for the step function and the batch's structure, shapes and dtypes;
    None when the batch holds something other than arrays (then no graph is used)."""
    parts: list[Any] = []
    if not _describe(data, parts):
        return None
    return getattr(step, "__func__", step), tuple(parts)


def _describe(structure: Any, parts: list[Any]) -> bool:
    if structure is None:
        parts.append(None)
        return True
    if isinstance(structure, dict):
        parts.append(("dict", tuple(structure)))
        return all(_describe(structure[key], parts) for key in structure)
    if isinstance(structure, (list, tuple)):
        parts.append((type(structure).__name__, len(structure)))
        return all(_describe(item, parts) for item in structure)
    if hasattr(structure, "shape") and hasattr(structure, "dtype"):
        parts.append((tuple(structure.shape), str(structure.dtype)))
        return True
    return False
