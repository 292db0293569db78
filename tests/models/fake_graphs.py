"""A NumPy stand-in for CuPy's graph capture, so the graph-step logic runs without a GPU.

What it keeps of a real CUDA graph:

* capturing runs nothing: the stand-in runs the step to learn its outputs, then puts back the
  value of every array a Variable held (a real capture computes nothing);
* a replay reads the arrays the Variables held at capture, whatever they hold now, and writes
  into the arrays the capture returned (the step's result and the gradients handed to the
  optimizer) instead of making new ones;
* the capturing flag is up while recording, so random draws refuse to be captured.

What it cannot keep: a real replay runs no Python, so host values frozen into a graph show
up only on a device (``test_jit_compile_gpu.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np

from gpulayers import variable_bindings
from gpulayers.backend import step_graphs
from gpulayers.models.step_graph import array_leaves
from gpulayers.optimizers import deferred_updates


class _SnapshotLog(variable_bindings.BindingLog):
    """A binding log that also keeps a copy of each array's value at its first use."""

    def __init__(self) -> None:
        super().__init__()
        self.saved: list[tuple[Any, Any]] = []

    def __setitem__(self, key: int, value: tuple[Any, Any]) -> None:
        super().__setitem__(key, value)
        self.saved.append((value[1], value[1].copy()))


class FakeGraph:
    def __init__(self, function: Callable[[], Any], updates: list[Any],
                 bindings: list[tuple[Any, Any]]) -> None:
        self.function, self.updates, self.bindings = function, updates, bindings
        self.replays = 0

    def replay(self, result: Any) -> None:
        for variable, recorded in self.bindings:  # a graph reads the recorded arrays
            variable_bindings.rebind(variable, recorded)
        with deferred_updates.deferring_updates() as updates:
            fresh = self.function()
        for old, new in zip(array_leaves(result), array_leaves(fresh)):
            if old is not new:
                np.copyto(old, new)
        old_grads = [g for u in self.updates for g in u.grads if g is not None]
        new_grads = [g for u in updates for g in u.grads if g is not None]
        for old, new in zip(old_grads, new_grads):
            np.copyto(old, new)
        self.replays += 1


class FakeGraphs:
    """Stands in for ``gpulayers.backend.cupy_backend.graphs``; counts captures and replays.

    ``fail_capture`` makes captures raise; ``corrupt`` makes replays add 1 to the first
    array of the step's result (a graph that computes something else)."""

    def __init__(self) -> None:
        self.graphs: list[FakeGraph] = []
        self.fail_capture: BaseException | None = None
        self.corrupt = False

    @property
    def replays(self) -> int:
        return sum(graph.replays for graph in self.graphs)

    def new_pool(self) -> object:
        return object()

    def allocating_from(self, pool: object) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def on_step_stream(self):
        yield

    def capture(self, function: Callable[[], Any], pool: object) -> tuple[Any, Any]:
        if self.fail_capture is not None:
            raise self.fail_capture
        log = _SnapshotLog()
        variable_bindings.logs.append(log)
        try:
            result = function()
        finally:
            variable_bindings.logs.pop()
            for array, value in log.saved:  # a capture computes nothing
                np.copyto(array, value)
        updates = deferred_updates._collectors[-1] if deferred_updates._collectors else []
        graph = FakeGraph(function, list(updates), list(log.values()))
        self.graphs.append(graph)
        return _Handle(self, graph, result), result

    def replay(self, handle: _Handle) -> None:
        handle.graph.replay(handle.result)
        if self.corrupt:
            first = array_leaves(handle.result)[0]
            first += 1

    def copy_into(self, target: Any, source: Any) -> None:
        np.copyto(target, source, casting="unsafe")


class _Handle:
    def __init__(self, owner: FakeGraphs, graph: FakeGraph, result: Any) -> None:
        self.owner, self.graph, self.result = owner, graph, result


def install(monkeypatch: Any) -> FakeGraphs:
    """Make ``step_graphs`` capture with a fresh :class:`FakeGraphs`; returns it."""
    fake = FakeGraphs()
    monkeypatch.setattr(step_graphs, "available", lambda: True)
    monkeypatch.setattr(step_graphs, "_cupy_graphs", lambda: fake)
    return fake
