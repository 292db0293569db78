"""GRUCell: one step of a Gated Recurrent Unit (Cho et al. 2014), Keras 3 layout."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.layers.recurrent.base_rnn_cell import RecurrentCell

__all__ = ["GRUCell"]


class GRUCell(RecurrentCell):
    """Cell class for the GRU layer.

    Gate blocks z (update), r (reset), h (candidate):
    ``z = rec(x_z + h_prev@U_z)``, ``r = rec(x_r + h_prev@U_r)``,
    ``hh = act(x_h + r * (h_prev@U_h + b_rh))`` when ``reset_after=True`` (Keras 3 default,
    cuDNN-compatible) or ``act(x_h + (r*h_prev)@U_h)`` when False; ``h = z*h_prev + (1-z)*hh``.

    Args:
        units: positive int, the size of ``h``.
        activation: default tanh. recurrent_activation: default sigmoid.
        use_bias: default True. reset_after: default True.
        kernel/recurrent/bias initializers, regularizers and constraints.
        dropout / recurrent_dropout: rates for the inputs / the recurrent state (training).
        seed: int seed of the dropout masks.
        implementation: accepted for Keras configs; the fused kernel is always used.

    Weights: ``kernel (input_dim, 3u)``, ``recurrent_kernel (u, 3u)``, ``bias (2, 3u)`` (input
    and recurrent bias) with reset_after=True or ``(3u,)`` with False. State: ``[h]``.

    Example::

        rnn = RNN(GRUCell(4))
        rnn(ops.ones((2, 10, 8))).shape     # (2, 4)
    """

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, reset_after: bool = True,
                 seed: int | None = None, implementation: int = 2, **kwargs: Any) -> None:
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.reset_after = bool(reset_after)
        self.implementation = implementation

    def bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def sequence_op(self, sequences: Any, states: list[Any], names: tuple[str, str],
                    go_backwards: bool, mask: Any, recurrent_mask: Any) -> tuple[Any, ...]:
        return ops.gru_sequence(sequences, states[0], self.kernel, self.recurrent_kernel,
                                self.bias, *names, reset_after=self.reset_after,
                                go_backwards=go_backwards, mask=mask,
                                recurrent_mask=recurrent_mask)

    def composed_step(self, inputs: Any, states: list[Any], recurrent_mask: Any) -> list[Any]:
        h_prev = states[0]
        left = self.dropped(h_prev, recurrent_mask)
        x_proj = ops.matmul(inputs, self.kernel)
        input_bias = recurrent_bias = None
        if self.bias is not None:
            input_bias, recurrent_bias = (self.bias[0], self.bias[1]) if self.reset_after else (
                self.bias, None)
            x_proj = x_proj + input_bias
        x_z, x_r, x_h = ops.split(x_proj, 3, axis=-1)
        kernel_zr, kernel_h = self.recurrent_kernel[:, :2 * self.units], \
            self.recurrent_kernel[:, 2 * self.units:]
        h_proj = ops.matmul(left, self.recurrent_kernel if self.reset_after else kernel_zr)
        if recurrent_bias is not None:
            h_proj = h_proj + recurrent_bias
        h_z, h_r = h_proj[:, :self.units], h_proj[:, self.units:2 * self.units]
        z = self.recurrent_activation(x_z + h_z)
        r = self.recurrent_activation(x_r + h_r)
        recurrent_h = r * h_proj[:, 2 * self.units:] if self.reset_after else ops.matmul(
            r * left, kernel_h)
        hh = self.activation(x_h + recurrent_h)
        return [z * h_prev + (1 - z) * hh]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "reset_after": self.reset_after}
