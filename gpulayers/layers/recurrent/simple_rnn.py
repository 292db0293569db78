"""SimpleRNN: a fully-connected RNN whose output is fed back as the next step's state."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.recurrent.cell_rnn import CellRNN, constructor_arguments
from gpulayers.layers.recurrent.simple_rnn_cell import SimpleRNNCell

__all__ = ["SimpleRNN"]


class SimpleRNN(CellRNN):
    """Fully-connected RNN: ``h_t = activation(x_t@kernel + bias + h_{t-1}@recurrent_kernel)``.

    Args:
        units: positive int, the size of the output and state.
        activation: default tanh. use_bias: default True.
        kernel_initializer (glorot_uniform), recurrent_initializer (orthogonal),
            bias_initializer (zeros); kernel/recurrent/bias regularizers and constraints;
            activity_regularizer.
        dropout / recurrent_dropout: rates for the inputs / the recurrent state, with masks
            fixed across the timesteps of a sequence (training only). seed: their int seed.
        return_sequences, return_state, go_backwards, stateful, unroll: see :class:`RNN`.

    Input shape: ``(batch, timesteps, features)``. Output: ``(batch, units)``, or
    ``(batch, timesteps, units)`` with return_sequences; with return_state
    ``[output, h]``.
    Weights (Keras 3 layout): ``kernel (features, units)``, ``recurrent_kernel (units,
    units)``, ``bias (units,)``.
    Masks (from Embedding(mask_zero=True) or Masking) skip timesteps: the states carry
    through a masked step.

    Example::

        SimpleRNN(4)(ops.ones((32, 10, 8))).shape                         # (32, 4)
        SimpleRNN(4, return_sequences=True)(ops.ones((32, 10, 8))).shape  # (32, 10, 4)
    """

    cell_class = SimpleRNNCell

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**constructor_arguments(locals()))
