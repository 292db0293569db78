"""RNN: the base recurrent layer, running any cell over the time axis (Keras 3 semantics).

Built-in cells (and stacks of them) run as one fused sequence op; any other cell is stepped
timestep by timestep through its ``call``. Both paths give the same results and gradients.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.layer import Layer
from gpulayers.layers.node import flatten
from gpulayers.layers.recurrent.cell_api import (
    call_cell,
    cell_accepts,
    cell_state_sizes,
    cell_step_output_size,
)
from gpulayers.layers.recurrent.rnn_states import StatefulMixin
from gpulayers.layers.recurrent.sequence_input import sequence_input
from gpulayers.layers.recurrent.stacked_rnn_cells import StackedRNNCells

__all__ = ["RNN"]


class RNN(StatefulMixin, Layer):
    """Base class for recurrent layers: runs ``cell`` over every timestep of the input.

    Args:
        cell: an RNN cell (``state_size`` and ``call(inputs, states)``; optionally
            ``output_size``, ``get_initial_state``, ``training=``/``constants=`` arguments),
            or a list of cells (stacked with :class:`StackedRNNCells`).
        return_sequences: return the output of every timestep ``(N, T, out)`` instead of the
            last one ``(N, out)``.
        return_state: also return the final states: ``[output, *states]``.
        go_backwards: process the input from the last timestep to the first (the returned
            sequence is in processing order, as in Keras).
        stateful: keep the final states of each batch as the initial states of the next
            (needs a fixed batch size; clear them with ``reset_states()``).
        unroll: accepted for Keras compatibility; results are identical either way.
        zero_output_for_mask: at masked timesteps output zeros instead of repeating the
            previous output (Bidirectional sets this for sequences).

    Call arguments:
        sequences: ``(N, T, ...)``. initial_state: list of initial state tensors.
        constants: list of tensors passed to every step (for cells whose ``call`` takes
            ``constants=``). mask: ``(N, T)`` bools; masked steps carry the states through.
        training: whether dropout masks apply.

    Example::

        class MinimalCell(Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units = self.state_size = units

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units))
                self.u = self.add_weight(shape=(self.units, self.units))

            def call(self, inputs, states):
                h = ops.matmul(inputs, self.w) + ops.matmul(states[0], self.u)
                return h, [h]

        RNN(MinimalCell(4))(ops.ones((2, 10, 3))).shape     # (2, 4)
    """

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"{owner(self)}: `cell` needs a `call` method and a `state_size` "
                             f"attribute (an int or a list of ints). Received: cell={cell!r}")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states: list[Any] | None = None

    @property
    def state_size(self) -> list[int]:
        return cell_state_sizes(self.cell)

    # -- shapes and masks ------------------------------------------------------------------
    def _check_inputs(self, inputs: Any) -> None:
        super()._check_inputs(sequence_input(owner(self), inputs))

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        if isinstance(sequences_shape, list):  # called on [sequences, *initial_state]
            sequences_shape = sequences_shape[0]
        step_shape = (sequences_shape[0], *sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        if self.stateful:
            self.build_states(sequences_shape[0])
        self.built = True

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        if isinstance(sequences_shape, list):
            sequences_shape = sequences_shape[0]
        batch, steps = sequences_shape[0], sequences_shape[1]
        size = cell_step_output_size(self.cell)
        output_shape = (batch, steps, size) if self.return_sequences else (batch, size)
        if not self.return_state:
            return output_shape
        return [output_shape, *((batch, s) for s in self.state_size)]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        mask = flatten(mask)[0] if isinstance(mask, (list, tuple)) else mask
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    # -- computation -----------------------------------------------------------------------
    def call(self, sequences: Any, initial_state: Any = None, constants: Any = None,
             mask: Any = None, training: Any = None) -> Any:
        if isinstance(sequences, (list, tuple)):  # Keras 2: layer([x, h0, c0])
            sequences, initial_state = sequences[0], list(sequences[1:]) or initial_state
            mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        states = self._initial_states(sequences, initial_state)
        constants = self._constants(constants)
        # As in Keras, the cell computes in its own dtype and the results come back in ours.
        cell_dtype = _compute_dtype(self.cell, self.compute_dtype)
        sequences = ops.cast(sequences, cell_dtype)
        states = [ops.cast(state, cell_dtype) for state in states]
        try:
            outputs, final_states = self._run(sequences, states, constants, mask, training)
        finally:
            for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
                getattr(self.cell, reset, lambda: None)()
        outputs = ops.cast(outputs, self.compute_dtype)
        final_states = [ops.cast(state, self.compute_dtype) for state in final_states]
        if self.stateful:
            self.store_states(final_states)
        output = outputs if self.return_sequences else outputs[:, -1]
        return [output, *final_states] if self.return_state else output

    def _run(self, sequences: Any, states: list[Any], constants: Any, mask: Any,
             training: Any) -> tuple[Any, list[Any]]:
        """``(outputs (N, T, out) in processing order, final states)``."""
        run = getattr(self.cell, "run_sequence", None)
        fused = None if run is None or constants is not None else run(
            sequences, states, mask, training, self.go_backwards)
        if fused is None:
            return self._step_loop(sequences, states, constants, mask, training)
        outputs, final_states = fused
        if mask is not None:
            # A masked step repeats the previous output (zeros before the first kept step),
            # which for these cells is the carried state times "some step kept so far".
            keep = ops.cast(self._processing_order(mask), outputs.dtype)
            if not self.zero_output_for_mask:
                keep = ops.cast(ops.cumsum(keep, axis=1) > 0, outputs.dtype)
            outputs = outputs * ops.expand_dims(keep, -1)
        return outputs, final_states

    def _processing_order(self, array: Any) -> Any:
        return ops.flip(array, axis=1) if self.go_backwards else array

    def _step_loop(self, sequences: Any, states: list[Any], constants: Any, mask: Any,
                   training: Any) -> tuple[Any, list[Any]]:
        """Step the cell through time (any cell), with Keras's mask semantics."""
        steps = sequences.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs, previous = [], None
        for t in order:
            output, new_states = call_cell(self.cell, sequences[:, t], states, training,
                                           constants)
            if mask is not None:
                keep = ops.expand_dims(ops.cast(mask[:, t], "bool"), -1)
                previous = ops.zeros_like(output) if previous is None else previous
                if self.zero_output_for_mask:
                    previous = ops.zeros_like(output)
                output = ops.where(keep, output, previous)
                new_states = [ops.where(keep, new, old) for new, old in zip(new_states, states)]
            states, previous = new_states, output
            outputs.append(output)
        return ops.stack(outputs, axis=1), states

    def _initial_states(self, sequences: Any, initial_state: Any) -> list[Any]:
        batch = sequences.shape[0]
        if initial_state is None:
            if self.stateful:
                return self.current_states(batch)
            initial = getattr(self.cell, "get_initial_state", None)
            if initial is not None:
                return list(initial(batch))
            return [ops.zeros((batch, size), dtype=self.compute_dtype) for size in self.state_size]
        given = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
            initial_state]
        if len(given) != len(self.state_size):
            raise ValueError(f"{owner(self)}: expected {len(self.state_size)} initial state "
                             f"tensor(s) of sizes {self.state_size}. Received "
                             f"{len(given)} tensor(s)")
        states = []
        for index, (state, size) in enumerate(zip(given, self.state_size)):
            state = ops.cast(convert_to_tensor(state), self.compute_dtype)
            if tuple(state.shape) != (batch, size):
                raise ValueError(f"{owner(self)}: initial_state[{index}] must have shape "
                                 f"({batch}, {size}). Received shape {tuple(state.shape)}")
            states.append(state)
        return states

    def _constants(self, constants: Any) -> list[Any] | None:
        if constants is None:
            return None
        if not cell_accepts(self.cell, "constants"):
            raise ValueError(f"{owner(self)}: `constants` were passed but the cell's call() "
                             f"takes no `constants` argument ({type(self.cell).__name__})")
        given = list(constants) if isinstance(constants, (list, tuple)) else [constants]
        return [t if isinstance(t, Tensor) else convert_to_tensor(t) for t in given]

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        from gpulayers.layers.serialization import serialize

        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": serialize(self.cell)}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> RNN:
        from gpulayers.layers.serialization import deserialize

        config = dict(config)
        cell = deserialize(config.pop("cell"), custom_objects)
        return super().from_config({**config, "cell": cell})


def _compute_dtype(cell: Any, default: str) -> str:
    """The dtype ``cell`` computes in: its own, or for a stack its cells' when they agree."""
    cells = getattr(cell, "cells", None)
    if isinstance(cells, list) and cells:
        dtypes = {_compute_dtype(inner, default) for inner in cells}
        if len(dtypes) == 1:
            return dtypes.pop()
    return getattr(cell, "compute_dtype", getattr(cell, "dtype", default))
