"""SimpleRNNCell: one step of a fully-connected RNN, ``h = activation(x@W + b + h_prev@U)``."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.layers.recurrent.base_rnn_cell import RecurrentCell

__all__ = ["SimpleRNNCell"]


class SimpleRNNCell(RecurrentCell):
    """Cell class for SimpleRNN (Keras 3 arguments and weight layout).

    Args:
        units: positive int, the size of the state/output.
        activation: default tanh. use_bias: default True.
        kernel_initializer (glorot_uniform), recurrent_initializer (orthogonal),
        bias_initializer (zeros), *_regularizer, *_constraint: for kernel, recurrent_kernel
        and bias.
        dropout / recurrent_dropout: rates for the inputs / the recurrent state (training).
        seed: int seed of the dropout masks.

    Weights: ``kernel (input_dim, units)``, ``recurrent_kernel (units, units)``,
    ``bias (units,)``. State: ``[h]``.

    Example::

        rnn = RNN(SimpleRNNCell(4))
        rnn(ops.ones((2, 10, 8))).shape     # (2, 4)
    """

    gates = 1
    has_recurrent_activation = False

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(
            units, activation=activation, recurrent_activation=None, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)

    def sequence_op(self, sequences: Any, states: list[Any], names: tuple[str, str],
                    go_backwards: bool, mask: Any, recurrent_mask: Any) -> tuple[Any, ...]:
        return ops.simple_rnn_sequence(sequences, states[0], self.kernel, self.recurrent_kernel,
                                       self.bias, names[0], go_backwards=go_backwards,
                                       mask=mask, recurrent_mask=recurrent_mask)

    def composed_step(self, inputs: Any, states: list[Any], recurrent_mask: Any) -> list[Any]:
        total = ops.matmul(inputs, self.kernel) + ops.matmul(
            self.dropped(states[0], recurrent_mask), self.recurrent_kernel)
        if self.bias is not None:
            total = total + self.bias
        return [self.activation(total)]
