"""ConvLSTM: the N-d convolutional LSTM layer behind ConvLSTM1D, ConvLSTM2D and ConvLSTM3D.

It is an RNN around a :class:`ConvLSTMCell` (Keras 3 semantics: masks, go_backwards,
return_sequences/return_state, stateful, initial_state, dropout masks fixed across time). Its
states are feature maps ``(batch, *spatial, filters)`` rather than vectors, so the parts of
:class:`RNN` that assume ``(batch, units)`` states (initial and stateful states, mask
broadcasting, output shapes) are written here. The input convolution of every timestep runs
as one convolution over ``batch * timesteps`` rows; only the recurrent convolution steps.
"""

from __future__ import annotations

import operator
from typing import Any

from gpulayers import ops, regularizers
from gpulayers.autodiff import Variable, convert_to_tensor
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.recurrent.cell_rnn import CellRNN, constructor_arguments
from gpulayers.layers.recurrent.conv_lstm_cell import ConvLSTMCell
from gpulayers.layers.recurrent.sequence_input import sequence_input

__all__ = ["ConvLSTM"]

_STATE_COUNT = 2  # h and c


class ConvLSTM(CellRNN):
    """N-d convolutional LSTM (Shi et al. 2015): an LSTM whose input and recurrent
    transformations are convolutions. Use :class:`ConvLSTM1D`, :class:`ConvLSTM2D` or
    :class:`ConvLSTM3D`; this base takes the number of spatial dims as ``rank``.

    Args:
        rank: 1, 2 or 3.
        filters, kernel_size, strides, padding ('valid' or 'same'), data_format,
            dilation_rate, activation, recurrent_activation, use_bias, initializers
            (unit_forget_bias included), regularizers, constraints, dropout,
            recurrent_dropout, seed: see :class:`ConvLSTMCell`.
        activity_regularizer: penalty on the output.
        return_sequences, return_state, go_backwards, stateful: see :class:`RNN`.

    Input shape: ``(batch, time, *spatial, channels)`` (channels_last) or
    ``(batch, time, channels, *spatial)`` (channels_first).
    Output: the last ``h``, ``(batch, *out_spatial, filters)`` (or channels_first), where
    ``out_spatial`` is the input convolution's output size; with return_sequences
    ``(batch, time, ...)``; with return_state ``[output, h, c]``.
    Masks ``(batch, time)`` skip timesteps: the states carry through a masked step.
    """

    cell_class = ConvLSTMCell
    fixed_rank: int | None = None  # set by ConvLSTM1D/2D/3D, whose configs carry no rank

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, **kwargs: Any) -> None:
        super().__init__(**constructor_arguments(locals()))
        self.input_spec = InputSpec(ndim=self.rank + 3)

    # -- shapes ----------------------------------------------------------------------------
    def _check_inputs(self, inputs: Any) -> None:
        sequences = sequence_input(owner(self), inputs)
        if len(sequences.shape) != self.rank + 3:
            layout = ("(batch, time, channels, *spatial)"
                      if self.data_format == "channels_first"
                      else "(batch, time, *spatial, channels)")
            raise ValueError(f"{owner(self)}: expected an input of rank {self.rank + 3} "
                             f"{layout} with {self.rank} spatial dims. Received an input of "
                             f"shape {tuple(sequences.shape)}")
        super()._check_inputs(inputs)

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        if isinstance(sequences_shape, list):  # called on [sequences, *initial_state]
            sequences_shape = sequences_shape[0]
        # As in Keras, later calls must keep the channels and spatial sizes (the time axis
        # may vary).
        self._state_shape(sequences_shape)  # rejects inputs too small for the kernel
        self.input_spec = InputSpec(shape=(None, None, *tuple(sequences_shape)[2:]))
        super().build(sequences_shape)

    def _state_shape(self, sequences_shape: Any) -> tuple[Any, ...]:
        """``(batch, *state dims)`` of ``h`` and ``c`` for sequences of this shape."""
        batch = sequences_shape[0]
        return self.cell.state_shape((batch, *tuple(sequences_shape)[2:]), owner(self))

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        if isinstance(sequences_shape, list):
            sequences_shape = sequences_shape[0]
        state_shape = self._state_shape(sequences_shape)
        output_shape = ((state_shape[0], sequences_shape[1], *state_shape[1:])
                        if self.return_sequences else state_shape)
        if self.return_state:
            return [output_shape, state_shape, state_shape]
        return output_shape

    # -- states ----------------------------------------------------------------------------
    def build_states(self, batch_size: int | None) -> None:
        """Zero stateful states for ``batch_size`` rows, shaped like ``h`` and ``c``."""
        if batch_size is None or self.cell.step_shape is None:
            super().build_states(None)  # the mixin's explanatory error
        shape = self.cell.state_shape((batch_size, *self.cell.step_shape), owner(self))
        if self.states is None or tuple(self.states[0].shape) != shape:
            self.states = [Variable(ops.zeros(shape, dtype=self.compute_dtype).data,
                                    trainable=False, name=f"{self.name}/rnn_state")
                           for _ in range(_STATE_COUNT)]

    def _initial_states(self, sequences: Any, initial_state: Any) -> list[Any]:
        shape = tuple(self._state_shape(sequences.shape))
        if initial_state is None:
            if self.stateful:
                return self.current_states(shape[0])
            return [ops.zeros(shape, dtype=self.compute_dtype) for _ in range(_STATE_COUNT)]
        given = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
            initial_state]
        if len(given) != _STATE_COUNT:
            raise ValueError(f"{owner(self)}: expected {_STATE_COUNT} initial state tensors "
                             f"[h, c] of shape {shape}. Received {len(given)} tensor(s)")
        states = [ops.cast(convert_to_tensor(state), self.compute_dtype) for state in given]
        for index, state in enumerate(states):
            if tuple(state.shape) != shape:
                raise ValueError(f"{owner(self)}: initial_state[{index}] must have shape "
                                 f"{shape}. Received shape {tuple(state.shape)}")
        return states

    # -- computation -----------------------------------------------------------------------
    def _run(self, sequences: Any, states: list[Any], constants: Any, mask: Any,
             training: Any) -> tuple[Any, list[Any]]:
        """``(h per step (N, T, ...) in processing order, [h, c])`` with Keras's mask rules:
        a masked step keeps the states and repeats the previous output (zeros before the
        first kept step, or always zeros with ``zero_output_for_mask``)."""
        cell = self.cell
        batch, steps = sequences.shape[0], sequences.shape[1]
        h, c = states
        input_masks, recurrent_masks = cell.dropout_masks(sequences[:, 0], h, training)
        # Row b * steps + t of the flattened sequences is timestep t of sample b.
        flat = ops.reshape(sequences, (batch * steps, *sequences.shape[2:]))
        if input_masks is not None:
            input_masks = [ops.repeat(m, steps, axis=0) for m in input_masks]
        x_gates = cell.input_gates(flat, input_masks)
        x_gates = ops.reshape(x_gates, (batch, steps, *x_gates.shape[1:]))
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs, previous = [], ops.zeros_like(h)
        for t in order:
            new_h, new_c = cell.gate_update(
                x_gates[:, t] + cell.recurrent_gates(h, recurrent_masks), c)
            output = new_h
            if mask is not None:
                keep = ops.reshape(ops.cast(mask[:, t], "bool"), (batch,) + (1,) * (h.ndim - 1))
                held = ops.zeros_like(new_h) if self.zero_output_for_mask else previous
                output = ops.where(keep, new_h, held)
                new_h, new_c = ops.where(keep, new_h, h), ops.where(keep, new_c, c)
            h, c, previous = new_h, new_c, output
            outputs.append(output)
        return ops.stack(outputs, axis=1), [h, c]

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(),
                  "activity_regularizer": regularizers.serialize(self.activity_regularizer)}
        if self.fixed_rank is not None:
            config.pop("rank", None)
        return config


for _name in ("rank", "filters", "kernel_size", "strides", "padding", "data_format",
              "dilation_rate"):
    setattr(ConvLSTM, _name, property(operator.attrgetter(f"cell.{_name}"),
                                      doc=f"The cell's ``{_name}``."))
