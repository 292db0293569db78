"""initial_state at call time, stateful RNNs (states carried between calls, reset_states),
and the errors for states of the wrong number, shape or batch size."""

import numpy as np
import pytest
from recurrent_fixtures import CLASSES, STATE_COUNT, RandomLayers
from recurrent_reference import gru_step, layer_reference, lstm_step, reference_rnn, stacked_step

from gpulayers.layers import GRU, LSTM, RNN, GRUCell, Input, LSTMCell, SimpleRNN

KINDS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
         ("LSTM", {"activation": "softsign"})]
IDS = ["SimpleRNN", "LSTM", "GRU", "GRU-reset-before", "LSTM-step"]
_random = RandomLayers(13)
rng = _random.rng
_x, _layer = _random.x, _random.layer


def _close(got, expected):
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-6)


# -- initial_state ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_initial_state_at_call_time(kind, extra, go_backwards):
    x = _x(2, 4, 3)
    layer, weights = _layer(kind, 3, x, return_sequences=True, return_state=True,
                            go_backwards=go_backwards, **extra)
    initial = [_x(2, 3) for _ in range(STATE_COUNT[kind])]
    outputs, states = layer_reference(kind, x, weights, initial_state=initial,
                                      go_backwards=go_backwards, **extra)
    result = layer(x, initial_state=initial)
    _close(result[0], outputs)
    for got, expected in zip(result[1:], states):
        _close(got, expected)
    zero_start, _ = layer_reference(kind, x, weights, go_backwards=go_backwards, **extra)
    assert np.abs(outputs - zero_start).max() > 1e-3  # the initial states mattered


def test_keras2_list_input_carries_the_initial_states():
    x = _x(2, 4, 3)
    layer, weights = _layer("LSTM", 2, x, return_sequences=True)
    h0, c0 = _x(2, 2), _x(2, 2)
    outputs, _ = layer_reference("LSTM", x, weights, initial_state=[h0, c0])
    _close(layer([x, h0, c0]), outputs)
    single = GRU(2)
    single(x)
    _close(single(x, initial_state=h0),  # one state may come bare, not in a list
           layer_reference("GRU", x, single.get_weights(), initial_state=[h0])[0][:, -1])


def test_initial_state_from_symbolic_inputs():
    inputs, h0 = Input(shape=(4, 3)), Input(shape=(2,))
    y = GRU(2, return_sequences=True)(inputs, initial_state=[h0])
    assert y.shape == (None, 4, 2)


@pytest.mark.parametrize("kind", CLASSES)
def test_wrong_number_of_initial_states(kind):
    x = _x(2, 4, 3)
    layer = CLASSES[kind](2, name="rnn_under_test")
    count = STATE_COUNT[kind]
    with pytest.raises(ValueError, match=f"{kind} 'rnn_under_test'.*expected {count} "
                                         f"initial state.*Received {count + 1}"):
        layer(x, initial_state=[_x(2, 2)] * (count + 1))
    if count == 2:
        with pytest.raises(ValueError, match="rnn_under_test.*Received 1"):
            layer(x, initial_state=[_x(2, 2)])


@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (2,)])
def test_wrong_initial_state_shape(shape):
    with pytest.raises(ValueError, match=r"LSTM 'bad_state'.*initial_state\[1\].*\(2, 2\)"):
        LSTM(2, name="bad_state")(_x(2, 4, 3), initial_state=[_x(2, 2), _x(*shape)])


# -- stateful ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_stateful_carries_states_between_calls(kind, extra, go_backwards):
    x1, x2, x3 = _x(2, 3, 3), _x(2, 4, 3), _x(2, 2, 3)
    layer, weights = _layer(kind, 3, x1, stateful=True, return_sequences=True,
                            go_backwards=go_backwards, **extra)
    states = None
    for x in (x1, x2, x3):
        outputs, states = layer_reference(kind, x, weights, initial_state=states,
                                          go_backwards=go_backwards, **extra)
        _close(layer(x), outputs)
        assert len(layer.states) == STATE_COUNT[kind]
        for kept, expected in zip(layer.states, states):
            _close(kept, expected)


def test_stateful_stack_of_cells_keeps_every_state():
    x1, x2 = _x(2, 3, 3), _x(2, 2, 3)
    layer = RNN([LSTMCell(3), GRUCell(2)], stateful=True, return_sequences=True)
    layer(x1)
    layer.set_weights([0.6 * _x(*w.shape) for w in layer.get_weights()])
    w = layer.get_weights()
    start = [_x(2, 3), _x(2, 3), _x(2, 2)]
    layer.reset_states(start)
    step = stacked_step([lstm_step(*w[:3]), gru_step(*w[3:])], [2, 1])
    first, states = reference_rnn(step, x1, start)
    _close(layer(x1), first)
    second, states = reference_rnn(step, x2, states)
    _close(layer(x2), second)
    assert len(layer.states) == 3
    for kept, expected in zip(layer.states, states):
        _close(kept, expected)


def test_stateful_forward_equals_one_long_sequence():
    x = _x(2, 6, 3)
    layer, weights = _layer("LSTM", 2, x, stateful=True, return_sequences=True)
    pieces = np.concatenate([np.asarray(layer(x[:, :2])), np.asarray(layer(x[:, 2:]))], axis=1)
    _close(pieces, layer_reference("LSTM", x, weights)[0])


@pytest.mark.parametrize("reset", ["reset_states", "reset_state"])
def test_reset_states_zeros_them(reset):
    x = _x(2, 3, 3)
    layer, weights = _layer("GRU", 2, x, stateful=True)
    fresh = layer_reference("GRU", x, weights)[0][:, -1]
    _close(layer(x), fresh)
    assert np.abs(np.asarray(layer(x)) - fresh).max() > 1e-3  # carried: not fresh
    getattr(layer, reset)()
    for state in layer.states:
        np.testing.assert_array_equal(np.asarray(state), np.zeros((2, 2)))
    _close(layer(x), fresh)


def test_reset_states_sets_given_values():
    x = _x(2, 3, 3)
    layer, weights = _layer("LSTM", 2, x, stateful=True, return_state=True)
    h0, c0 = _x(2, 2), _x(2, 2)
    layer.reset_states(states=[h0, c0])
    _close(layer.states[0], h0)
    _close(layer.states[1], c0)
    result = layer(x)
    outputs, (h, c) = layer_reference("LSTM", x, weights, initial_state=[h0, c0])
    _close(result[0], outputs[:, -1])
    _close(result[2], c)
    single = SimpleRNN(2, stateful=True)
    single(x)
    single.reset_states(h0)  # one state may come bare
    _close(single.states[0], h0)


def test_initial_state_overrides_the_kept_states_and_is_kept_after():
    x = _x(2, 3, 3)
    layer, weights = _layer("SimpleRNN", 2, x, stateful=True)
    layer(x)
    h0 = _x(2, 2)
    outputs, (h,) = layer_reference("SimpleRNN", x, weights, initial_state=[h0])
    _close(layer(x, initial_state=[h0]), outputs[:, -1])
    _close(layer.states[0], h)


def test_stateful_with_a_mask_keeps_the_state_of_masked_rows():
    x = _x(2, 3, 3)
    mask = np.array([[1, 1, 0], [0, 0, 0]], bool)
    layer, weights = _layer("GRU", 2, x, stateful=True)
    start = _x(2, 2)
    layer.reset_states([start])
    _, (h,) = layer_reference("GRU", x, weights, mask=mask, initial_state=[start])
    layer(x, mask=mask)
    _close(layer.states[0], h)
    np.testing.assert_array_equal(np.asarray(layer.states[0])[1], start[1])


def test_states_are_not_weights_and_get_no_gradient_across_batches():
    from gpulayers import GradientTape, ops

    x = _x(2, 3, 3)
    layer, weights = _layer("LSTM", 2, x, stateful=True)
    assert len(layer.get_weights()) == 3 and len(layer.weights) == 3
    layer(x)
    kept = [np.asarray(s).copy() for s in layer.states]
    with GradientTape() as tape:
        loss = ops.sum(ops.square(layer(x)))
    grads = tape.gradient(loss, layer.trainable_weights)
    # The same as starting from the kept values as constants: no path into the last batch.
    plain = LSTM(2)
    plain(x)
    plain.set_weights(weights)
    with GradientTape() as tape:
        loss = ops.sum(ops.square(plain(x, initial_state=kept)))
    expected = tape.gradient(loss, plain.trainable_weights)
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)


def test_stateful_built_with_a_batch_size():
    layer = LSTM(2, stateful=True, batch_input_shape=(2, 3, 3))
    assert layer(Input(batch_shape=(2, 3, 3))).shape == (2, 2)
    assert [np.asarray(s).shape for s in layer.states] == [(2, 2), (2, 2)]
    assert layer(_x(2, 3, 3)).shape == (2, 2)


# -- stateful errors --------------------------------------------------------------------------
def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match="LSTM 'no_batch'.*fixed batch size"):
        LSTM(2, stateful=True, name="no_batch")(Input(shape=(3, 3)))
    with pytest.raises(ValueError, match="GRU 'no_batch_build'.*fixed batch size"):
        GRU(2, stateful=True, name="no_batch_build").build((None, 3, 3))


def test_stateful_refuses_another_batch_size():
    layer = GRU(2, stateful=True, name="batch_two")
    layer(_x(2, 3, 3))
    with pytest.raises(ValueError, match="GRU 'batch_two'.*batches of 2 rows.*3 rows"):
        layer(_x(3, 3, 3))


def test_reset_states_on_a_layer_that_is_not_stateful():
    layer = SimpleRNN(2, name="plain")
    layer(_x(2, 3, 3))
    for reset in (layer.reset_states, layer.reset_state):
        with pytest.raises(ValueError, match="SimpleRNN 'plain'.*stateful"):
            reset()


@pytest.mark.parametrize("states, match", [
    ([np.zeros((2, 2))], "expected 2 state"),
    ([np.zeros((2, 2))] * 3, "expected 2 state"),
    ([np.zeros((2, 2)), np.zeros((3, 2))], r"state 1 must have shape \(2, 2\)"),
    ([np.zeros((2, 3)), np.zeros((2, 2))], r"state 0 must have shape \(2, 2\)"),
])
def test_reset_states_with_wrong_states(states, match):
    layer = LSTM(2, stateful=True, name="kept")
    layer(_x(2, 3, 3))
    with pytest.raises(ValueError, match=f"LSTM 'kept'.*{match}"):
        layer.reset_states(states=states)
