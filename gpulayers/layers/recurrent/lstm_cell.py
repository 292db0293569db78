"""LSTMCell: one step of a Long Short-Term Memory layer (Hochreiter 1997), Keras 3 layout."""

from __future__ import annotations

from typing import Any

from gpulayers import initializers, ops
from gpulayers.layers.recurrent.base_rnn_cell import RecurrentCell

__all__ = ["LSTMCell"]


class LSTMCell(RecurrentCell):
    """Cell class for the LSTM layer.

    ``z = x@W + h_prev@U + b`` split into gate blocks i, f, c, o;
    ``c = f*c_prev + i*activation(z_c)``, ``h = o*activation(c)`` with the gates through
    ``recurrent_activation``.

    Args:
        units: positive int, the size of ``h`` and ``c``.
        activation: default tanh. recurrent_activation: default sigmoid (Keras 3;
            ``'hard_sigmoid'`` is Keras 3's ``clip(x/6 + 0.5, 0, 1)``).
        use_bias: default True. unit_forget_bias: initialize the forget gate's bias block
            to ones, the other blocks with ``bias_initializer`` (default True).
        kernel/recurrent/bias initializers, regularizers and constraints.
        dropout / recurrent_dropout: rates for the inputs / the recurrent state (training).
        seed: int seed of the dropout masks.
        implementation: accepted for Keras configs; the fused kernel is always used.

    Weights: ``kernel (input_dim, 4u)``, ``recurrent_kernel (u, 4u)``, ``bias (4u,)``.
    States: ``[h, c]``.

    Example::

        rnn = RNN(LSTMCell(4), return_state=True)
        output, h, c = rnn(ops.ones((2, 10, 8)))
    """

    gates = 4

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 implementation: int = 2, **kwargs: Any) -> None:
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.implementation = implementation
        self.state_size = [self.units, self.units]

    def bias_weight_initializer(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def forget_gate_ones(shape: Any, dtype: Any = None) -> Any:
            # Jozefowicz et al. 2015: a forget bias of 1 lets gradients flow early on.
            return ops.concatenate([ops.convert_to_tensor(base((units,), dtype=dtype)),
                                    ops.convert_to_tensor(initializers.get("ones")(
                                        (units,), dtype=dtype)),
                                    ops.convert_to_tensor(base((2 * units,), dtype=dtype))])
        return forget_gate_ones

    def sequence_op(self, sequences: Any, states: list[Any], names: tuple[str, str],
                    go_backwards: bool, mask: Any, recurrent_mask: Any) -> tuple[Any, ...]:
        return ops.lstm_sequence(sequences, states[0], states[1], self.kernel,
                                 self.recurrent_kernel, self.bias, *names,
                                 go_backwards=go_backwards, mask=mask,
                                 recurrent_mask=recurrent_mask)

    def composed_step(self, inputs: Any, states: list[Any], recurrent_mask: Any) -> list[Any]:
        h_prev, c_prev = states
        z = ops.matmul(inputs, self.kernel) + ops.matmul(
            self.dropped(h_prev, recurrent_mask), self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        gate = self.recurrent_activation
        c = gate(z_f) * c_prev + gate(z_i) * self.activation(z_c)
        return [gate(z_o) * self.activation(c), c]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}
