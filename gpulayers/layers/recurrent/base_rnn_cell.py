"""RecurrentCell: what SimpleRNNCell, LSTMCell and GRUCell share.

A cell owns the weights of one recurrent step (Keras 3 layout, contiguous gate blocks):
``kernel (input_dim, gates*units)``, ``recurrent_kernel (units, gates*units)`` and ``bias``.
It runs in two ways:

- ``call(inputs, states, training)``: one timestep, the Keras cell API (used by ``RNN`` for
  user-facing step loops, ``StackedRNNCells`` and cells called on their own);
- ``run_sequence(sequences, states, mask, training, go_backwards)``: a whole sequence as one
  fused op (one input GEMM, then one recurrent GEMM and one fused gate kernel per step), which
  ``RNN`` prefers. It returns None when the activations have no fused kernel (e.g.
  ``activation='softsign'``); the RNN then steps through ``call``.

Dropout masks (``dropout`` on the inputs, ``recurrent_dropout`` on ``h`` where it enters the
recurrent GEMM) are drawn once per sequence and applied only when ``training`` is true.
"""

from __future__ import annotations

from typing import Any

from gpulayers import constraints, initializers, ops, regularizers
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers.argument_checks import (
    activation_config,
    checked_activation,
    lookup,
    owner,
    positive_int,
)
from gpulayers.layers.layer import Layer
from gpulayers.layers.recurrent.dropout_rnn_cell import DropoutRNNCell
from gpulayers.layers.regularization.regularization_arguments import seed_argument
from gpulayers.ops.activations import activation_name

__all__ = ["RecurrentCell"]

# Activations the fused kernels implement (kernels/rnn.cu).
FUSED_ACTIVATIONS = ("linear", "tanh", "sigmoid", "hard_sigmoid", "relu")
_WEIGHT_ARGUMENTS = ("kernel", "recurrent", "bias")


def _rate(who: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{who}: `{name}` must be a float in [0, 1]. Received: {name}={value!r}")
    return min(1.0, max(0.0, float(value)))  # Keras clips the rate into [0, 1]


class RecurrentCell(DropoutRNNCell, Layer):
    """Base of the built-in cells. Subclasses set ``gates`` and write ``sequence_op`` and
    ``composed_step``; gated cells pass ``recurrent_activation``.

    Args (all Keras 3 names and defaults):
        units: positive int, the size of the state ``h``.
        activation: of the candidate/output (default tanh).
        recurrent_activation: of the gates (gated cells only).
        use_bias: add a bias (default True).
        kernel_initializer / recurrent_initializer / bias_initializer.
        kernel_regularizer / recurrent_regularizer / bias_regularizer.
        kernel_constraint / recurrent_constraint / bias_constraint.
        dropout / recurrent_dropout: drop rates for the inputs / the recurrent state.
        seed: int seed of the dropout masks.
    """

    gates = 1
    has_recurrent_activation = True

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        who = owner(self)
        self.units = positive_int(who, "units", units)
        self.activation = checked_activation(who, activation)
        self.recurrent_activation = lookup(who, "recurrent_activation", ops.get_activation,
                                           recurrent_activation)
        self.use_bias = bool(use_bias)
        for part in _WEIGHT_ARGUMENTS:
            for kind, getter, value in (
                    ("initializer", initializers.get, locals()[f"{part}_initializer"]),
                    ("regularizer", regularizers.get, locals()[f"{part}_regularizer"]),
                    ("constraint", constraints.get, locals()[f"{part}_constraint"])):
                name = f"{part}_{kind}"
                setattr(self, name, lookup(who, name, getter, value))
        self.dropout = _rate(who, "dropout", dropout)
        self.recurrent_dropout = _rate(who, "recurrent_dropout", recurrent_dropout)
        self.seed = seed_argument(self, seed)
        self.seed_generator = SeedGenerator(self.seed)
        self.state_size: Any = self.units
        self.output_size = self.units
        self.supports_masking = True
        self.kernel: Any = None
        self.recurrent_kernel: Any = None
        self.bias: Any = None

    # -- weights ---------------------------------------------------------------------------
    def bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def bias_weight_initializer(self) -> Any:
        """The bias initializer (LSTM's unit_forget_bias overrides this)."""
        return self.bias_initializer

    def build(self, input_shape: Any) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{owner(self)}: the last input dimension (features) must be "
                             f"known to build the weights. Received input_shape={input_shape}")
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self.bias_shape(), name="bias",
                initializer=self.bias_weight_initializer(), regularizer=self.bias_regularizer,
                constraint=self.bias_constraint)
        self.built = True

    def get_initial_state(self, batch_size: int) -> list[Any]:
        """Zero states, one ``(batch_size, size)`` tensor per entry of ``state_size``."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [
            self.state_size]
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in sizes]

    # -- computation -----------------------------------------------------------------------
    def fused_activations(self) -> tuple[str, str] | None:
        """The activation names for the fused kernels, or None when one has no kernel."""
        names = (activation_name(self.activation), activation_name(self.recurrent_activation)
                 if self.has_recurrent_activation else "sigmoid")
        return names if all(name in FUSED_ACTIVATIONS for name in names) else None

    def _masks(self, step_input: Any, state: Any, training: Any) -> tuple[Any, Any]:
        """(input dropout mask, recurrent dropout mask) for this sequence; None when off."""
        if not training:
            return None, None
        return self.get_dropout_mask(step_input), self.get_recurrent_dropout_mask(state)

    def call(self, inputs: Any, states: Any, training: Any = False) -> tuple[Any, list[Any]]:
        """One timestep: ``inputs (N, input_dim)``, ``states`` list -> ``(h, new_states)``."""
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        input_mask, recurrent_mask = self._masks(inputs, states[0], training)
        if input_mask is not None:
            inputs = inputs * input_mask
        names = self.fused_activations()
        if names is None:
            new_states = self.composed_step(inputs, states, recurrent_mask)
        else:
            result = self.sequence_op(ops.expand_dims(inputs, 1), states, names, False, None,
                                      recurrent_mask)
            new_states = list(result[1:])
        return new_states[0], new_states

    def run_sequence(self, sequences: Any, states: list[Any], mask: Any, training: Any,
                     go_backwards: bool) -> tuple[Any, list[Any]] | None:
        """The whole sequence as one fused op -> ``(h per step (N, T, u), final states)``,
        steps in processing order; None when the activations have no fused kernel."""
        names = self.fused_activations()
        if names is None:
            return None
        input_mask, recurrent_mask = self._masks(sequences[:, 0], states[0], training)
        if input_mask is not None:
            sequences = sequences * ops.expand_dims(input_mask, 1)
        result = self.sequence_op(sequences, states, names, go_backwards, mask, recurrent_mask)
        return result[0], list(result[1:])

    def sequence_op(self, sequences: Any, states: list[Any], names: tuple[str, str],
                    go_backwards: bool, mask: Any, recurrent_mask: Any) -> tuple[Any, ...]:
        """Run the fused ``ops.*_sequence`` op of this cell kind."""
        raise NotImplementedError

    def composed_step(self, inputs: Any, states: list[Any], recurrent_mask: Any) -> list[Any]:
        """One step from plain ops, for activations without a fused kernel."""
        raise NotImplementedError

    def dropped(self, state: Any, recurrent_mask: Any) -> Any:
        """``state`` as it enters the recurrent GEMM (after recurrent dropout)."""
        return state if recurrent_mask is None else state * recurrent_mask

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "units": self.units,
                  "activation": activation_config(self.activation), "use_bias": self.use_bias}
        if self.has_recurrent_activation:
            config["recurrent_activation"] = activation_config(self.recurrent_activation)
        for part in _WEIGHT_ARGUMENTS:
            config[f"{part}_initializer"] = initializers.serialize(
                getattr(self, f"{part}_initializer"))
            config[f"{part}_regularizer"] = regularizers.serialize(
                getattr(self, f"{part}_regularizer"))
            config[f"{part}_constraint"] = constraints.serialize(
                getattr(self, f"{part}_constraint"))
        return {**config, "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}
