"""Gradients of the recurrent layers against float64 central differences: w.r.t. the input,
the initial states, constants and every weight; with masks, go_backwards, dropout masks, and
through both the fused sequence ops and the stepped path."""

import numpy as np
import pytest

from gpulayers import ops
from gpulayers.layers import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    Layer,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
from gpulayers.testing import check_gradients, check_layer_gradients

CLASSES = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
KINDS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
         ("LSTM", {"activation": "softsign"}), ("GRU", {"recurrent_activation": "softsign"}),
         ("SimpleRNN", {"activation": "softsign"})]
IDS = ["SimpleRNN", "LSTM", "GRU", "GRU-reset-before", "LSTM-step", "GRU-step", "Simple-step"]
STATE_COUNT = {"SimpleRNN": 1, "LSTM": 2, "GRU": 1}
MASK = np.array([[1, 0, 1, 1], [0, 0, 1, 0]], bool)
rng = np.random.default_rng(23)


def _x(*shape):
    return rng.standard_normal(shape)


def _float64(layer, x, **call_kwargs):
    layer(x, **call_kwargs)
    layer.set_weights([0.6 * _x(*w.shape) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("go_backwards, mask", [(False, None), (False, MASK), (True, MASK)],
                         ids=["plain", "mask", "backwards-mask"])
def test_gradients_wrt_input_and_weights(kind, extra, go_backwards, mask):
    x = _x(2, 4, 3)
    layer = _float64(CLASSES[kind](2, dtype="float64", return_sequences=True,
                                   go_backwards=go_backwards, **extra), x)
    check_layer_gradients(layer, x, {} if mask is None else {"mask": mask})


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("mask", [None, MASK], ids=["no-mask", "mask"])
def test_gradients_wrt_initial_states_through_output_and_final_states(kind, extra, mask):
    x = _x(2, 4, 3)
    layer = _float64(CLASSES[kind](2, dtype="float64", return_sequences=True,
                                   return_state=True, go_backwards=True, **extra), x)
    initial = [_x(2, 2) for _ in range(STATE_COUNT[kind])]

    def run(inputs, *states):
        return tuple(layer(inputs, initial_state=list(states), mask=mask))

    check_gradients(run, [x, *initial])


def test_gradient_of_the_last_output_only():
    x = _x(2, 4, 3)
    layer = _float64(LSTM(3, dtype="float64"), x)
    check_layer_gradients(layer, x, {"mask": MASK})


@pytest.mark.parametrize("kind, extra", KINDS[:4], ids=IDS[:4])
def test_gradients_with_fixed_dropout_masks(kind, extra):
    # The masks are fixed by replacing the cell's mask factory, so the scalar being
    # differentiated is a deterministic function of the input and weights.
    x = _x(2, 4, 3)
    layer = _float64(CLASSES[kind](2, dtype="float64", dropout=0.5, recurrent_dropout=0.5,
                                   return_sequences=True, **extra), x)
    masks = {3: 2.0 * (_x(2, 3) > 0), 2: 2.0 * (_x(2, 2) > 0)}  # by width: input, state

    def fixed(step_input, rate):
        return ops.convert_to_tensor(masks[step_input.shape[-1]])

    layer.cell._create_dropout_mask = fixed
    check_layer_gradients(layer, x, {"training": True, "mask": MASK})


@pytest.mark.parametrize("second_activation", ["tanh", "softsign"], ids=["fused", "stepped"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gradients_of_stacked_cells(second_activation, go_backwards):
    x = _x(2, 3, 2)
    cells = [LSTMCell(2, dtype="float64"), SimpleRNNCell(2, dtype="float64"),
             GRUCell(2, activation=second_activation, dtype="float64")]
    # The stack gets float64 too: like any layer, it casts its step inputs to its own dtype.
    layer = _float64(RNN(StackedRNNCells(cells, dtype="float64"), dtype="float64",
                         return_sequences=True, go_backwards=go_backwards), x)
    check_layer_gradients(layer, x, {"mask": MASK[:, :3]})
    initial = [_x(2, 2), _x(2, 2), _x(2, 2), _x(2, 2)]
    check_gradients(lambda inputs, *states: layer(inputs, initial_state=list(states)),
                    [x, *initial])


class GatedCell(Layer):
    """A user cell: h = sigmoid(x@A + k@B) * tanh(x@W + h@U), with a constant k."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = self.state_size = units

    def build(self, input_shape):
        features = input_shape[-1]
        self.a = self.add_weight(shape=(features, self.units), name="a")
        self.b = self.add_weight(shape=(2, self.units), name="b")
        self.w = self.add_weight(shape=(features, self.units), name="w")
        self.u = self.add_weight(shape=(self.units, self.units), name="u")

    def call(self, inputs, states, constants=None):
        gate_input = ops.matmul(inputs, self.a)
        if constants is not None:
            gate_input = gate_input + ops.matmul(constants[0], self.b)
        h = ops.sigmoid(gate_input) * ops.tanh(ops.matmul(inputs, self.w)
                                               + ops.matmul(states[0], self.u))
        return h, [h]


@pytest.mark.parametrize("go_backwards", [False, True])
def test_gradients_through_a_user_cell_with_constants(go_backwards):
    x, k = _x(2, 4, 3), _x(2, 2)
    layer = _float64(RNN(GatedCell(2, dtype="float64"), dtype="float64", return_sequences=True,
                         go_backwards=go_backwards), x, constants=[k])
    check_layer_gradients(layer, x, {"constants": [k], "mask": MASK})
    check_gradients(
        lambda inputs, h0, constant: layer(inputs, initial_state=[h0], constants=[constant],
                                           mask=MASK),
        [x, _x(2, 2), k])
