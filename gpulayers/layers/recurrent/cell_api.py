"""How RNN and StackedRNNCells talk to any cell, built-in or user-written.

A cell is anything with ``state_size`` (an int or a list of ints) and
``call(inputs, states)`` returning ``(output, new_states)``; it may accept ``training=`` and
``constants=`` and may define ``output_size`` and ``get_initial_state(batch_size)``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from gpulayers.layers.layer import Layer

__all__ = ["call_cell", "cell_accepts", "cell_state_sizes", "cell_step_output_size"]


def cell_state_sizes(cell: Any) -> list[int]:
    """The cell's state sizes as a flat list of ints."""
    size = cell.state_size
    return [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)]


def cell_step_output_size(cell: Any) -> int:
    """``output_size`` when the cell defines it, else the size of its first state."""
    size = getattr(cell, "output_size", None)
    return int(size) if size is not None else cell_state_sizes(cell)[0]


def cell_accepts(cell: Any, argument: str) -> bool:
    """Whether the cell's ``call`` takes ``argument`` (e.g. ``training``, ``constants``)."""
    # Looked up once per cell class: the step loop asks at every timestep.
    return _call_accepts(getattr(type(cell), "call", None) or cell.call, argument)


@functools.cache
def _call_accepts(call: Any, argument: str) -> bool:
    try:
        parameters = inspect.signature(call).parameters
    except (TypeError, ValueError):
        return False
    return argument in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def call_cell(cell: Any, inputs: Any, states: list[Any], training: Any,
              constants: list[Any] | None = None) -> tuple[Any, list[Any]]:
    """One step of ``cell`` -> ``(output, new states as a list)``."""
    kwargs: dict[str, Any] = {}
    if cell_accepts(cell, "training"):
        kwargs["training"] = training
    if constants is not None:
        kwargs["constants"] = constants
    step = cell if isinstance(cell, Layer) else cell.call
    output, new_states = step(inputs, states, **kwargs)
    new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
    return output, new_states
