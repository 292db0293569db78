"""StackedRNNCells: several cells run as one, each feeding the next within a timestep."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.layers.layer import Layer
from gpulayers.layers.recurrent.cell_api import (
    call_cell,
    cell_state_sizes,
    cell_step_output_size,
)

__all__ = ["StackedRNNCells"]


class StackedRNNCells(Layer):
    """Wrapper allowing a stack of RNN cells to behave as a single cell.

    Args:
        cells: list of cell instances (built-in cells or your own).

    ``state_size`` is the flat list of every cell's state sizes, first cell first, so an
    ``RNN(StackedRNNCells([LSTMCell(8), LSTMCell(4)]), return_state=True)`` returns
    ``[output, h1, c1, h2, c2]``.

    Example::

        cells = [LSTMCell(8), LSTMCell(4)]
        RNN(StackedRNNCells(cells))(ops.ones((2, 10, 3))).shape    # (2, 4)
    """

    def __init__(self, cells: list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(f"StackedRNNCells '{self.name}': `cells` must be a non-empty list "
                             f"of RNN cells. Received: cells={cells!r}")
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(f"StackedRNNCells '{self.name}': every cell needs a `call` "
                                 f"method and a `state_size`. Received: {cell!r}")
        self.cells = list(cells)
        self.supports_masking = True

    @property
    def state_size(self) -> list[int]:
        return [size for cell in self.cells for size in cell_state_sizes(cell)]

    @property
    def output_size(self) -> int:
        return cell_step_output_size(self.cells[-1])

    def _split_states(self, states: list[Any]) -> list[list[Any]]:
        groups, start = [], 0
        for cell in self.cells:
            count = len(cell_state_sizes(cell))
            groups.append(list(states[start:start + count]))
            start += count
        return groups

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            shape = (*shape[:-1], cell_step_output_size(cell))
        self.built = True

    def get_initial_state(self, batch_size: int) -> list[Any]:
        states = []
        for cell in self.cells:
            initial = getattr(cell, "get_initial_state", None)
            states.extend(initial(batch_size) if initial else [
                ops.zeros((batch_size, size), dtype=self.compute_dtype)
                for size in cell_state_sizes(cell)])
        return states

    def call(self, inputs: Any, states: Any, training: Any = False) -> tuple[Any, list[Any]]:
        """One timestep through every cell -> ``(last cell's output, all new states)``."""
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        new_states = []
        for cell, cell_states in zip(self.cells, self._split_states(states)):
            inputs, cell_new = call_cell(cell, inputs, cell_states, training)
            new_states.extend(cell_new)
        return inputs, new_states

    def run_sequence(self, sequences: Any, states: list[Any], mask: Any, training: Any,
                     go_backwards: bool) -> tuple[Any, list[Any]] | None:
        """Every cell over the whole sequence in turn (each a fused op), or None when a cell
        cannot. Same result as stepping the stack: a masked step's results are discarded for
        every cell, so what a lower cell passes up at that step never reaches a state."""
        runs = [getattr(cell, "run_sequence", None) for cell in self.cells]
        if any(run is None for run in runs) or any(
                getattr(cell, "fused_activations", lambda: None)() is None
                for cell in self.cells):
            return None
        final_states = []
        for index, (run, cell_states) in enumerate(zip(runs, self._split_states(states))):
            # The first cell reverses time; later ones read its outputs in processing order.
            backwards = go_backwards and index == 0
            cell_mask = mask if mask is None or index == 0 or not go_backwards else ops.flip(
                mask, axis=1)
            sequences, cell_final = run(sequences, cell_states, cell_mask, training, backwards)
            final_states.extend(cell_final)
        return sequences, final_states

    def reset_dropout_mask(self) -> None:
        for cell in self.cells:
            getattr(cell, "reset_dropout_mask", lambda: None)()

    def reset_recurrent_dropout_mask(self) -> None:
        for cell in self.cells:
            getattr(cell, "reset_recurrent_dropout_mask", lambda: None)()

    def get_config(self) -> dict[str, Any]:
        from gpulayers.layers.serialization import serialize

        return {**super().get_config(), "cells": [serialize(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> StackedRNNCells:
        from gpulayers.layers.serialization import deserialize

        config = dict(config)
        cells = [deserialize(cell, custom_objects) for cell in config.pop("cells")]
        return super().from_config({**config, "cells": cells})
