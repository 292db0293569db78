"""One step function (train, test or predict) captured into a CUDA graph for one batch shape.

The graph replays the device work of ``step(batch)``: the forward pass, the loss, the
backward pass, metric and BatchNormalization state updates. Three things keep a replay equal
to the eager step it stands for:

* **Fixed inputs.** The step reads its batch from arrays made at capture; every later batch
  of the same shapes is copied into them before a replay.
* **Variables written back.** ``Variable.assign`` gives a Variable a fresh array, but the
  graph keeps writing the fresh arrays it recorded. At the end of the recorded step every
  Variable the step assigned is copied back into the array it held before (inside the graph),
  and before each replay any Variable that was given another array meanwhile (``reset_metrics``,
  ``set_weights``, an optimizer's constraint) has its value copied into the recorded one.
* **Host decisions outside.** ``optimizer.apply`` calls are recorded, not captured, and run
  eagerly after each replay with that step's learning rate and bias corrections
  (``optimizers/deferred_updates.py``); deferred input checks are queued again after each
  replay; random draws refuse to be captured.

:func:`reference_run` runs the step eagerly under the same rules and keeps host copies of
what it produced, so a new graph is checked against it once before it is trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.backend import deferred_checks, step_graphs
from gpulayers.models.data_adapter import map_arrays
from gpulayers.optimizers.deferred_updates import deferring_updates
from gpulayers.variable_bindings import rebind, recording_variable_bindings

__all__ = ["Reference", "StepGraph", "array_leaves", "fixed_inputs", "reference_run"]


def array_leaves(structure: Any) -> list[Any]:
    """The arrays (and Tensors' arrays) of a nested dict/list/tuple, in a fixed order."""
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in array_leaves(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in array_leaves(item)]
    if isinstance(structure, Tensor):
        return [structure.data]
    return [] if structure is None else [structure]


def fixed_inputs(batch: Any) -> Any:
    """A batch's arrays copied into new device arrays of the same structure: the graph's own
    inputs (never the caller's arrays, which later batches must not overwrite)."""
    return map_arrays(batch, lambda leaf: backend.to_device(
        leaf.data if isinstance(leaf, Tensor) else leaf).copy())


def _restore(bindings: list[tuple[Any, Any]]) -> None:
    """Give each Variable back the array it held, with its current value copied in."""
    for variable, original in bindings:
        current = variable.data
        if current is not original:
            step_graphs.copy_into(original, current)
            rebind(variable, original)


class StepGraph:
    """``step(inputs)`` recorded once; :meth:`replay` runs it on a new batch.

    Args:
        step: the model's bound step method.
        inputs: the batch on the device; its arrays become the graph's fixed inputs.
        memory: the private pool the graph's arrays come from (warmed by the reference run).
    """

    def __init__(self, step: Callable[[Any], Any], inputs: Any,
                 memory: step_graphs.GraphMemory) -> None:
        self.inputs = array_leaves(inputs)
        with recording_variable_bindings() as log, deferring_updates() as updates, \
                deferred_checks.recording() as checks:
            try:
                self._graph = step_graphs.capture(lambda: self._recorded(step, inputs, log),
                                                  memory)
            except BaseException:
                _restore_bindings_only(list(log.values()))
                raise
        self.bindings = list(log.values())
        self.updates = updates
        self.checks = checks

    @staticmethod
    def _recorded(step: Callable[[Any], Any], inputs: Any,
                  log: dict[int, tuple[Any, Any]]) -> Any:
        result = step(inputs)
        _restore(list(log.values()))  # captured: the graph copies the new values back
        return result

    @property
    def result(self) -> Any:
        """What the step returned (logs or outputs); each replay rewrites its arrays."""
        return self._graph.result

    def replay(self, batch: Any) -> Any:
        """Copy ``batch`` into the fixed inputs and replay; returns :attr:`result`. The
        optimizer steps wait for :meth:`apply_updates`."""
        _restore(self.bindings)
        sources = array_leaves(batch)
        if len(sources) != len(self.inputs):
            raise ValueError(f"StepGraph: the batch has {len(sources)} arrays, the graph was "
                             f"recorded with {len(self.inputs)}")
        for target, source in zip(self.inputs, sources):
            step_graphs.copy_into(target, source)
        self._graph.replay()
        deferred_checks.requeue(self.checks)
        return self._graph.result

    def apply_updates(self) -> None:
        """Run the optimizer steps the recorded step asked for, with the replay's gradients."""
        for update in self.updates:
            update.apply()

    def run(self, batch: Any) -> Any:
        """:meth:`replay`, then :meth:`apply_updates`: one whole step."""
        result = self.replay(batch)
        self.apply_updates()
        return result


def _restore_bindings_only(bindings: list[tuple[Any, Any]]) -> None:
    """After a failed capture: the arrays assigned while recording were never filled, so each
    Variable just gets its old array back."""
    for variable, original in bindings:
        rebind(variable, original)


class Reference:
    """Host copies of what an eager step produced: its result's arrays, the gradients it gave
    the optimizer and the final value of every Variable it read or assigned."""

    def __init__(self, result: Any, updates: list[Any], bindings: list[tuple[Any, Any]]
                 ) -> None:
        self.variables = [variable for variable, _ in bindings]
        self.arrays = self._host_arrays(result, updates)

    def _host_arrays(self, result: Any, updates: list[Any]) -> dict[str, list[Any]]:
        return {
            "result": [backend.to_numpy(a) for a in array_leaves(result)],
            "gradient": [backend.to_numpy(g) for u in updates for g in u.grads if g is not None],
            "variable": [backend.to_numpy(v.data) for v in self.variables],
        }

    def disagreement(self, graph: StepGraph) -> str | None:
        """None when ``graph``'s replay produced the same arrays; else what differs."""
        produced = self._host_arrays(graph.result, graph.updates)
        for kind, expected in self.arrays.items():
            got = produced[kind]
            if len(got) != len(expected):
                return f"it produced {len(got)} {kind} arrays, the eager step {len(expected)}"
            for index, (a, b) in enumerate(zip(got, expected)):
                problem = step_graphs.disagreement(a, b)
                if problem:
                    return f"{kind} array {index} differs from the eager step's: {problem}"
        return None


def reference_run(step: Callable[[Any], Any], inputs: Any,
                  memory: step_graphs.GraphMemory) -> Reference:
    """Run ``step(inputs)`` eagerly as the graph will (optimizer steps held back), keep host
    copies of what it produced, then give every Variable it assigned its old array back so
    the state is as before. Allocating from ``memory`` warms the graph's private pool."""
    with recording_variable_bindings() as log, deferring_updates() as updates:
        try:
            with memory.allocating():
                result = step(inputs)
            if log.stale_reads:  # the held-back update would change what the step computed
                raise step_graphs.CaptureUnsupported(
                    f"the step reads {', '.join(log.stale_reads)} after optimizer.apply "
                    "updates them, and a graph's optimizer step runs after the replay")
            return Reference(result, updates, list(log.values()))
        finally:
            _restore_bindings_only(list(log.values()))
