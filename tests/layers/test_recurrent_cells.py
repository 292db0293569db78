"""The RNN base with user-written cells (constants, extra states, own initial states), the
built-in cells alone and inside RNN, StackedRNNCells, configs and errors."""

import numpy as np
import pytest
from recurrent_reference import (
    ACTIVATIONS,
    gru_step,
    layer_reference,
    lstm_step,
    reference_rnn,
    simple_rnn_step,
    stacked_step,
)

from gpulayers import ops
from gpulayers.layers import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    Input,
    Layer,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
    deserialize,
    serialize,
)
from gpulayers.testing import run_layer_test

rng = np.random.default_rng(17)
MASK = np.array([[1, 0, 1, 1, 0], [0, 0, 1, 1, 1], [1, 1, 0, 0, 0]], bool)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


def _randomize(layer):
    layer.set_weights([0.6 * _x(*w.shape) for w in layer.get_weights()])
    return layer.get_weights()


def _close(got, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(got), expected, rtol=rtol, atol=atol)


# -- user-written cells -----------------------------------------------------------------------
class ProjectingCell(Layer):
    """h = tanh(x@W + h@U); a step counter as a second state; output h@V (its own size)."""

    def __init__(self, units, output_units, **kwargs):
        super().__init__(**kwargs)
        self.units, self.output_units = units, output_units
        self.state_size = [units, 1]
        self.output_size = output_units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
        self.u = self.add_weight(shape=(self.units, self.units), name="u")
        self.v = self.add_weight(shape=(self.units, self.output_units), name="v")

    def call(self, inputs, states):
        h = ops.tanh(ops.matmul(inputs, self.w) + ops.matmul(states[0], self.u))
        return ops.matmul(h, self.v), [h, states[1] + 1.0]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "output_units": self.output_units}


def projecting_step(w, u, v):
    def step(x, states):
        h = np.tanh(x @ w + states[0] @ u)
        return h @ v, [h, states[1] + 1.0]
    return step


class ConstantsCell(Layer):
    """h = tanh(x@W + h@U + k@C) with a constant k given to every step."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = self.state_size = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
        self.u = self.add_weight(shape=(self.units, self.units), name="u")
        self.c = self.add_weight(shape=(2, self.units), name="c")

    def call(self, inputs, states, constants):
        h = ops.tanh(ops.matmul(inputs, self.w) + ops.matmul(states[0], self.u)
                     + ops.matmul(constants[0], self.c))
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class StartingCell(Layer):
    """A linear cell with its own initial state (ones) and a training flag it records."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = self.state_size = units
        self.seen_training = []

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")

    def get_initial_state(self, batch_size):
        return [ops.ones((batch_size, self.units))]

    def call(self, inputs, states, training=None):
        self.seen_training.append(training)
        h = ops.matmul(inputs, self.w) + 0.5 * states[0]
        return h, [h]


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK], ids=["no-mask", "mask"])
def test_user_cell_with_two_states_and_its_own_output_size(go_backwards, mask):
    x = _x(3, 5, 2)
    layer = RNN(ProjectingCell(4, 3), return_sequences=True, return_state=True,
                go_backwards=go_backwards)
    layer(x)
    w, u, v = _randomize(layer)
    result = layer(x, mask=mask)
    outputs, states = reference_rnn(projecting_step(w, u, v), x,
                                    [np.zeros((3, 4)), np.zeros((3, 1))], mask=mask,
                                    go_backwards=go_backwards)
    assert [np.asarray(t).shape for t in result] == [(3, 5, 3), (3, 4), (3, 1)]
    _close(result[0], outputs)
    _close(result[1], states[0])
    kept_steps = np.full(3, 5) if mask is None else mask.sum(axis=1)
    _close(result[2], kept_steps[:, None].astype(float))  # the counter counts kept steps
    assert layer.compute_output_shape((3, 5, 2)) == [(3, 5, 3), (3, 4), (3, 1)]
    assert RNN(ProjectingCell(4, 3))(Input(shape=(5, 2))).shape == (None, 3)


def test_user_cell_with_constants():
    x, k = _x(3, 4, 2), _x(3, 2)
    layer = RNN(ConstantsCell(3), return_sequences=True)
    layer(x, constants=[k])
    w, u, c = _randomize(layer)

    def step(x_t, states):
        h = np.tanh(x_t @ w + states[0] @ u + k @ c)
        return h, [h]

    expected, _ = reference_rnn(step, x, [np.zeros((3, 3))])
    _close(layer(x, constants=[k]), expected)
    _close(layer(x, constants=k), expected)  # one constant may come bare
    expected_masked, _ = reference_rnn(step, x, [np.zeros((3, 3))], mask=MASK[:, :4],
                                       go_backwards=True)
    backwards = RNN(ConstantsCell(3), return_sequences=True, go_backwards=True)
    backwards(x, constants=[k])
    backwards.set_weights([w, u, c])
    _close(backwards(x, constants=[k], mask=MASK[:, :4]), expected_masked)


def test_user_cell_initial_state_and_training_flag():
    x = _x(2, 3, 2)
    cell = StartingCell(2)
    layer = RNN(cell)
    layer(x)
    (w,) = layer.get_weights()

    def step(x_t, states):
        h = x_t @ w + 0.5 * states[0]
        return h, [h]

    _close(layer(x), reference_rnn(step, x, [np.ones((2, 2))])[0][:, -1])
    cell.seen_training.clear()
    layer(x, training=True)
    assert cell.seen_training == [True] * 3


def test_constants_refused_by_a_cell_that_takes_none():
    x, k = _x(2, 3, 2), _x(2, 2)
    with pytest.raises(ValueError, match="RNN 'no_constants'.*constants.*StartingCell"):
        RNN(StartingCell(2), name="no_constants")(x, constants=[k])
    with pytest.raises(ValueError, match="LSTM 'lstm_no_constants'.*constants"):
        LSTM(2, name="lstm_no_constants")(x, constants=[k])


@pytest.mark.parametrize("cell", [object(), "lstm", 3])
def test_rnn_refuses_something_that_is_not_a_cell(cell):
    with pytest.raises(ValueError, match="RNN .*cell"):
        RNN(cell)


def test_stacked_cells_refuse_bad_lists():
    with pytest.raises(ValueError, match="StackedRNNCells.*non-empty"):
        StackedRNNCells([])
    with pytest.raises(ValueError, match="StackedRNNCells.*state_size"):
        StackedRNNCells([LSTMCell(2), object()])


# -- built-in cells alone and inside RNN ------------------------------------------------------
CELLS = [(SimpleRNNCell, SimpleRNN, {}), (LSTMCell, LSTM, {}), (GRUCell, GRU, {}),
         (GRUCell, GRU, {"reset_after": False}), (LSTMCell, LSTM, {"activation": "softsign"})]
CELL_IDS = ["simple", "lstm", "gru", "gru-reset-before", "lstm-softsign"]


@pytest.mark.parametrize("cell_cls, layer_cls, extra", CELLS, ids=CELL_IDS)
def test_rnn_of_a_cell_equals_the_layer(cell_cls, layer_cls, extra):
    x = _x(3, 5, 2)
    rnn = RNN(cell_cls(3, **extra), return_sequences=True, return_state=True,
              go_backwards=True)
    rnn(x)
    weights = _randomize(rnn)
    layer = layer_cls(3, return_sequences=True, return_state=True, go_backwards=True, **extra)
    layer(x)
    layer.set_weights(weights)
    kind = layer_cls.__name__
    outputs, states = layer_reference(kind, x, weights, mask=MASK, go_backwards=True, **extra)
    for a, b, expected in zip(rnn(x, mask=MASK), layer(x, mask=MASK), [outputs, *states]):
        _close(a, expected)
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("cell_cls, layer_cls, extra", CELLS, ids=CELL_IDS)
def test_one_step_of_a_cell(cell_cls, layer_cls, extra):
    x_t = _x(3, 2)
    cell = cell_cls(4, **extra)
    count = 2 if cell_cls is LSTMCell else 1
    states = [_x(3, 4) for _ in range(count)]
    output, new_states = cell(x_t, states)
    weights = _randomize(cell)
    output, new_states = cell(x_t, states)
    _, expected = layer_reference(layer_cls.__name__, x_t[:, None], weights,
                                  initial_state=states, **extra)
    assert len(new_states) == count
    _close(output, expected[0])
    for got, want in zip(new_states, expected):
        _close(got, want)


@pytest.mark.parametrize("cell", [SimpleRNNCell(3, activation="relu"),
                                  LSTMCell(2, unit_forget_bias=False, dropout=0.5, seed=3),
                                  GRUCell(2, reset_after=False, kernel_regularizer="l2")],
                         ids=["simple", "lstm", "gru"])
def test_cell_config_round_trip(cell):
    x_t, states = _x(2, 3), [_x(2, cell.units) for _ in range(len(np.atleast_1d(
        cell.state_size)))]
    cell(x_t, states)
    config = cell.get_config()
    clone = type(cell).from_config(config)
    assert clone.get_config() == config
    revived = deserialize(serialize(cell))
    assert type(revived) is type(cell) and revived.get_config() == config
    revived(x_t, states)
    revived.set_weights(cell.get_weights())
    _close(revived(x_t, states)[0], np.asarray(cell(x_t, states)[0]))


# -- StackedRNNCells --------------------------------------------------------------------------
def _stack(kind, second_activation):
    cells = [LSTMCell(4), GRUCell(3, activation=second_activation)]
    return StackedRNNCells(cells) if kind == "stacked" else cells


@pytest.mark.parametrize("kind", ["stacked", "list"])
@pytest.mark.parametrize("second_activation", ["tanh", "softsign"], ids=["fused", "stepped"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK], ids=["no-mask", "mask"])
def test_stacked_cells_against_the_chained_reference(kind, second_activation, go_backwards,
                                                     mask):
    x = _x(3, 5, 2)
    layer = RNN(_stack(kind, second_activation), return_sequences=True, return_state=True,
                go_backwards=go_backwards)
    layer(x)
    w = _randomize(layer)
    assert [a.shape for a in w] == [(2, 16), (4, 16), (16,), (4, 9), (3, 9), (2, 9)]
    step = stacked_step([lstm_step(*w[:3]),
                         gru_step(*w[3:], activation=ACTIVATIONS[second_activation])], [2, 1])
    initial = [_x(3, 4), _x(3, 4), _x(3, 3)]
    outputs, states = reference_rnn(step, x, initial, mask=mask, go_backwards=go_backwards)
    result = layer(x, initial_state=initial, mask=mask)
    assert len(result) == 4  # output, h1, c1, h2
    for got, expected in zip(result, [outputs, *states]):
        _close(got, expected)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_fused_stack_equals_stepping_the_stack(monkeypatch, go_backwards):
    x = _x(3, 5, 2)
    layer = RNN([SimpleRNNCell(3), LSTMCell(2), GRUCell(2)], return_sequences=True,
                return_state=True, go_backwards=go_backwards)
    layer(x)
    _randomize(layer)
    initial = [_x(3, 3), _x(3, 2), _x(3, 2), _x(3, 2)]
    fused = layer(x, initial_state=initial, mask=MASK)
    monkeypatch.setattr(layer.cell, "run_sequence", lambda *args: None)
    stepped = layer(x, initial_state=initial, mask=MASK)
    for a, b in zip(fused, stepped):
        _close(a, np.asarray(b))


def test_stack_with_a_user_cell_steps_through_it():
    x = _x(3, 5, 2)
    layer = RNN([ProjectingCell(3, 2), SimpleRNNCell(2)], return_sequences=True)
    layer(x)
    w, u, v, k, r, b = _randomize(layer)
    step = stacked_step([projecting_step(w, u, v), simple_rnn_step(k, r, b)], [2, 1])
    expected, _ = reference_rnn(step, x, [np.zeros((3, 3)), np.zeros((3, 1)),
                                          np.zeros((3, 2))], mask=MASK)
    _close(layer(x, mask=MASK), expected)


def test_stacked_cells_state_sizes_and_config_round_trip():
    stack = StackedRNNCells([LSTMCell(4), GRUCell(3), SimpleRNNCell(2)])
    assert stack.state_size == [4, 4, 3, 2] and stack.output_size == 2
    revived = deserialize(serialize(stack))
    assert isinstance(revived, StackedRNNCells)
    assert [type(c) for c in revived.cells] == [LSTMCell, GRUCell, SimpleRNNCell]
    assert revived.get_config()["cells"] == stack.get_config()["cells"]
    x = _x(2, 3, 5)
    rnn = RNN(stack)
    rnn(x)
    clone = deserialize(serialize(rnn))
    clone(x)
    clone.set_weights(rnn.get_weights())
    _close(clone(x), np.asarray(rnn(x)))


# -- dtypes and the standard layer checks on RNN(cell) ----------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "softsign"], ids=["fused", "stepped"])
@pytest.mark.parametrize("rnn_dtype, cell_dtype", [("float64", "float32"),
                                                   ("float32", "float64")])
def test_cell_computes_in_its_own_dtype(activation, rnn_dtype, cell_dtype):
    # Keras 3: the cell runs in its dtype, the RNN returns its own.
    x = _x(2, 3, 4)
    layer = RNN(LSTMCell(2, activation=activation, dtype=cell_dtype), dtype=rnn_dtype,
                return_state=True)
    layer(x)
    weights = _randomize(layer)
    assert all(w.dtype == cell_dtype for w in weights)
    initial = [_x(2, 2), _x(2, 2)]
    result = layer(x, initial_state=initial)
    assert all(t.dtype == rnn_dtype for t in result)
    outputs, states = layer_reference("LSTM", x, weights, activation=activation,
                                      initial_state=initial)
    for got, expected in zip(result, [outputs[:, -1], *states]):
        _close(got, expected)


@pytest.mark.parametrize("make_cell, kwargs", [
    (lambda: LSTMCell(2, dtype="float64"), {"return_sequences": True}),
    (lambda: GRUCell(2, reset_after=False, dtype="float64"), {"go_backwards": True}),
    (lambda: SimpleRNNCell(3, activation="softsign", dtype="float64"), {}),
    (lambda: StackedRNNCells([LSTMCell(2, dtype="float64"), GRUCell(2, dtype="float64")],
                             dtype="float64"), {"return_sequences": True}),
    (lambda: ProjectingCell(2, 3, dtype="float64"), {}),
], ids=["lstm", "gru", "simple-softsign", "stack", "user-cell"])
def test_run_layer_test_on_rnn_of_cells(make_cell, kwargs):
    # The cells are float64 so the float64 gradient check (of a clone from the config, whose
    # cell keeps its own dtype) computes in float64 throughout.
    run_layer_test(RNN, {"cell": make_cell(), **kwargs}, input_shape=(2, 4, 3),
                   supports_masking=True,
                   custom_objects={"ProjectingCell": ProjectingCell})
