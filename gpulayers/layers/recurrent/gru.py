"""GRU: Gated Recurrent Unit layer (Cho et al. 2014), Keras 3 semantics and layout."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.recurrent.cell_rnn import CellRNN, constructor_arguments
from gpulayers.layers.recurrent.gru_cell import GRUCell

__all__ = ["GRU"]


class GRU(CellRNN):
    """Gated Recurrent Unit layer, gates z, r, h (see :class:`GRUCell`).

    Args:
        units: positive int, the size of ``h``.
        activation: default tanh. recurrent_activation: default sigmoid. use_bias: default
            True.
        reset_after: apply the reset gate after the recurrent GEMM (default True, the
            cuDNN-compatible variant) or before it.
        kernel_initializer (glorot_uniform), recurrent_initializer (orthogonal),
            bias_initializer (zeros); kernel/recurrent/bias regularizers and constraints;
            activity_regularizer.
        dropout / recurrent_dropout: rates for the inputs / the recurrent state, with masks
            fixed across the timesteps of a sequence (training only). seed: their int seed.
        return_sequences, return_state, go_backwards, stateful, unroll: see :class:`RNN`.

    Input shape: ``(batch, timesteps, features)``. Output: ``(batch, units)``, or
    ``(batch, timesteps, units)`` with return_sequences; with return_state
    ``[output, h]``.
    Weights (Keras 3 layout): ``kernel (features, 3*units)``, ``recurrent_kernel
    (units, 3*units)``, ``bias (2, 3*units)`` (input and recurrent bias) with
    reset_after=True or ``(3*units,)`` with False.
    Masks (from Embedding(mask_zero=True) or Masking) skip timesteps: the states carry
    through a masked step.

    Example::

        GRU(4)(ops.ones((32, 10, 8))).shape                               # (32, 4)
        GRU(4, return_sequences=True, reset_after=False)(ops.ones((32, 10, 8)))
    """

    cell_class = GRUCell

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(**constructor_arguments(locals()))
