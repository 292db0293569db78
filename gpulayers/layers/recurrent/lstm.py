"""LSTM: Long Short-Term Memory layer (Hochreiter 1997), Keras 3 semantics and layout."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.recurrent.cell_rnn import CellRNN, constructor_arguments
from gpulayers.layers.recurrent.lstm_cell import LSTMCell

__all__ = ["LSTM"]


class LSTM(CellRNN):
    """Long Short-Term Memory layer, gates i, f, c, o (see :class:`LSTMCell`).

    Args:
        units: positive int, the size of ``h`` and ``c``.
        activation: default tanh. recurrent_activation: default sigmoid (``'hard_sigmoid'``
            is Keras 3's). use_bias: default True.
        unit_forget_bias: initialize the forget gate's bias to 1 (default True).
        kernel_initializer (glorot_uniform), recurrent_initializer (orthogonal),
            bias_initializer (zeros); kernel/recurrent/bias regularizers and constraints;
            activity_regularizer.
        dropout / recurrent_dropout: rates for the inputs / the recurrent state, with masks
            fixed across the timesteps of a sequence (training only). seed: their int seed.
        return_sequences, return_state, go_backwards, stateful, unroll: see :class:`RNN`.

    Input shape: ``(batch, timesteps, features)``. Output: ``(batch, units)``, or
    ``(batch, timesteps, units)`` with return_sequences; with return_state
    ``[output, h, c]``.
    Weights (Keras 3 layout): ``kernel (features, 4*units)``, ``recurrent_kernel
    (units, 4*units)``, ``bias (4*units,)``.
    Masks (from Embedding(mask_zero=True) or Masking) skip timesteps: the states carry
    through a masked step.

    Example::

        LSTM(4)(ops.ones((32, 10, 8))).shape                              # (32, 4)
        output, h, c = LSTM(4, return_state=True)(ops.ones((32, 10, 8)))
    """

    cell_class = LSTMCell

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**constructor_arguments(locals()))
