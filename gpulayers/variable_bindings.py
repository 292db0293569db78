"""Which array each Variable held when a step used it: the log behind CUDA-graph steps.

Why: a captured CUDA graph keeps reading and writing the arrays it was recorded with, while
``Variable.assign`` gives a Variable a fresh array. While a step is recorded, every Variable it
reads (``.data``) or assigns is noted here with the array it held at its first use, so the
graph-step code (``models/step_graph.py``) can write new values back into the recorded
arrays and give the Variables those arrays again (:func:`rebind`). It also notes reads of
Variables whose optimizer step was held back (:func:`mark_stale`): such a step computes
something else in a graph, whose optimizer step runs after the replay.

Example::

    with recording_variable_bindings() as log:
        model.train_step(batch)
    for variable, array in log.values():
        ...
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["BindingLog", "logs", "mark_stale", "note", "rebind",
           "recording_variable_bindings"]

# The logs recording now, innermost last (Variable.data and assign check this list).
logs: list[BindingLog] = []


class BindingLog(dict):
    """``{id(variable): (variable, array)}``: the array each Variable held at its first use
    in a step; ``stale_reads`` names the Variables read after :func:`mark_stale`."""

    def __init__(self) -> None:
        super().__init__()
        self.stale: set[int] = set()
        self.stale_reads: list[str] = []


@contextlib.contextmanager
def recording_variable_bindings() -> Iterator[BindingLog]:
    """Inside, note every Variable read or assigned (see the module docstring)."""
    log = BindingLog()
    logs.append(log)
    try:
        yield log
    finally:
        logs.pop()  # logs nest: the innermost is this one


def mark_stale(variables: Sequence[Any]) -> None:
    """Note that ``variables`` would have changed by now (an optimizer step was held back):
    reading one later in the recorded step is listed in the logs' ``stale_reads``."""
    for log in logs:
        log.stale.update(id(variable) for variable in variables)


def note(variable: Any) -> None:
    """Record ``variable``'s current array in every open log (called by ``Variable``)."""
    for log in logs:
        key = id(variable)
        if key not in log:
            log[key] = (variable, variable._data)
        if key in log.stale and variable.name not in log.stale_reads:
            log.stale_reads.append(variable.name)


def rebind(variable: Any, array: Any) -> None:
    """Make ``variable`` hold ``array`` itself (same shape and dtype; no copy, no check of
    values): how graph steps return a Variable to the array a graph writes."""
    if tuple(array.shape) != variable.shape or array.dtype != variable._data.dtype:
        raise ValueError(f"rebind: Variable {variable.name!r} holds shape {variable.shape} "
                         f"{variable._data.dtype}; received {tuple(array.shape)} {array.dtype}")
    variable._data = array
