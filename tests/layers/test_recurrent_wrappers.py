"""Bidirectional against a plain NumPy loop (a forward and a go_backwards RNN merged by hand):
every merge_mode, return_sequences/return_state, initial_state, masks, custom backward
layers and bad arguments. Configs, stateful layers, symbolic calls and Keras parity are in
test_recurrent_wrappers_api.py."""

import itertools

import numpy as np
import pytest
from bidirectional_reference import reference_bidirectional
from recurrent_fixtures import as_list, assert_all_close

from gpulayers import ops
from gpulayers.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Dense,
    Embedding,
    Input,
    SimpleRNN,
)

CLASSES = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
MERGE_MODES = ["concat", "sum", "mul", "ave", None]
rng = np.random.default_rng(5)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


def _randomize(layer, x, **call_kwargs):
    """Build ``layer`` on ``x`` and give it random weights (biases too, so all terms count)."""
    layer(x, **call_kwargs)
    layer.set_weights([0.6 * _x(*w.shape) for w in layer.get_weights()])
    return layer.forward_layer.get_weights(), layer.backward_layer.get_weights()


# -- merge modes, return_sequences, return_state ----------------------------------------------
@pytest.mark.parametrize("kind, merge_mode, return_sequences",
                         list(itertools.product(CLASSES, MERGE_MODES, [False, True])))
def test_every_merge_mode_matches_the_reference(kind, merge_mode, return_sequences):
    x = _x(2, 4, 3)
    layer = Bidirectional(CLASSES[kind](3, return_sequences=return_sequences),
                          merge_mode=merge_mode)
    forward, backward = _randomize(layer, x)
    expected, _ = reference_bidirectional(kind, x, forward, backward, merge_mode=merge_mode,
                                          return_sequences=return_sequences)
    result = layer(x)
    assert isinstance(result, list) == (merge_mode is None)
    assert_all_close(as_list(result), expected)
    assert [tuple(t.shape) for t in as_list(result)] == [
        tuple(s) for s in _as_list_of_shapes(layer.compute_output_shape((2, 4, 3)))]


def _as_list_of_shapes(shape):
    return shape if isinstance(shape, list) else [shape]


@pytest.mark.parametrize("kind, merge_mode", [("LSTM", "concat"), ("LSTM", None),
                                              ("GRU", "ave"), ("SimpleRNN", "mul")])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_return_state_appends_forward_then_backward_states(kind, merge_mode,
                                                            return_sequences):
    x = _x(2, 4, 3)
    layer = Bidirectional(CLASSES[kind](2, return_sequences=return_sequences,
                                        return_state=True), merge_mode=merge_mode)
    forward, backward = _randomize(layer, x)
    outputs, states = reference_bidirectional(kind, x, forward, backward,
                                              merge_mode=merge_mode,
                                              return_sequences=return_sequences)
    result = layer(x)
    assert isinstance(result, list) and len(result) == len(outputs) + len(states)
    assert_all_close(as_list(result), outputs + states)
    assert [tuple(t.shape) for t in result] == [
        tuple(s) for s in layer.compute_output_shape((2, 4, 3))]


def test_the_wrapped_layer_is_copied_not_shared():
    lstm = LSTM(3, name="encoder")
    layer = Bidirectional(lstm)
    assert (layer.forward_layer.name, layer.backward_layer.name) == ("forward_encoder",
                                                                     "backward_encoder")
    assert layer.forward_layer is not lstm and not layer.forward_layer.go_backwards
    assert layer.backward_layer.go_backwards
    layer(_x(2, 4, 3))
    assert not lstm.built  # the original keeps no weights of the wrapper's
    weights = layer.weights
    assert len(weights) == 6
    assert all(a is b for a, b in zip(weights, layer.forward_layer.weights
                                      + layer.backward_layer.weights))


# -- initial_state ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_initial_state_is_split_forward_then_backward(kind):
    x = _x(2, 4, 3)
    layer = Bidirectional(CLASSES[kind](2, return_sequences=True, return_state=True))
    forward, backward = _randomize(layer, x)
    states = [_x(2, 2) for _ in range(4 if kind == "LSTM" else 2)]
    outputs, final = reference_bidirectional(kind, x, forward, backward, merge_mode="concat",
                                             return_sequences=True, states=states)
    assert_all_close(as_list(layer(x, initial_state=states)), outputs + final)
    # Keras 2 spelling: the states after the sequences in one list.
    assert_all_close(as_list(layer([x, *states])), outputs + final)


@pytest.mark.parametrize("count", [1, 3, 5])
def test_initial_state_of_the_wrong_length_names_the_layer(count):
    layer = Bidirectional(LSTM(2), name="bi")
    with pytest.raises(ValueError, match=r"Bidirectional 'bi': `initial_state` must be a "
                                         rf"list of 4 tensors.*Received {count}"):
        layer(_x(2, 4, 3), initial_state=[_x(2, 2) for _ in range(count)])


# -- masks ------------------------------------------------------------------------------------
TOKENS = np.array([[3, 1, 4, 0, 0], [0, 2, 6, 5, 3], [7, 0, 0, 2, 0]], dtype="int32")


@pytest.mark.parametrize("merge_mode", ["concat", None])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_embedding_mask_reaches_both_directions(merge_mode, return_sequences):
    embedding = Embedding(8, 3, mask_zero=True)
    embedded = embedding(TOKENS)
    layer = Bidirectional(LSTM(2, return_sequences=return_sequences), merge_mode=merge_mode)
    forward, backward = _randomize(layer, embedded)
    mask = TOKENS != 0
    expected, _ = reference_bidirectional("LSTM", np.asarray(embedded), forward, backward,
                                          merge_mode=merge_mode,
                                          return_sequences=return_sequences, mask=mask)
    result = layer(embedding(TOKENS))
    assert_all_close(as_list(result), expected)
    for output in (result if isinstance(result, list) else [result]):
        if return_sequences:  # masked steps are zeros in both directions, mask passed on
            np.testing.assert_array_equal(np.asarray(output._keras_mask), mask)
            assert not np.asarray(output)[~mask].any()
        else:
            assert output._keras_mask is None


def test_mask_argument_and_state_masks():
    x, mask = _x(3, 5, 2), TOKENS != 0
    layer = Bidirectional(GRU(2, return_sequences=True, return_state=True), merge_mode="sum")
    forward, backward = _randomize(layer, x)
    outputs, states = reference_bidirectional("GRU", x, forward, backward, merge_mode="sum",
                                              return_sequences=True, mask=mask)
    result = layer(x, mask=ops.convert_to_tensor(mask))
    assert_all_close(as_list(result), outputs + states)
    assert layer.forward_layer.zero_output_for_mask and layer.backward_layer.zero_output_for_mask
    masks = layer.compute_mask(x, mask)
    assert masks[0] is mask and masks[1:] == [None, None]
    np.testing.assert_array_equal(np.asarray(result[0]._keras_mask), mask)


def test_without_return_sequences_the_masked_output_is_the_last_kept_step():
    # zero_output_for_mask stays False: the backward layer's last step (t=0) is masked in
    # row 1, so its output is the one of the last kept step.
    x, mask = _x(3, 5, 2), TOKENS != 0
    layer = Bidirectional(SimpleRNN(2), merge_mode=None)
    forward, backward = _randomize(layer, x)
    assert not layer.forward_layer.zero_output_for_mask
    expected, _ = reference_bidirectional("SimpleRNN", x, forward, backward, merge_mode=None,
                                          return_sequences=False, mask=mask)
    assert_all_close(as_list(layer(x, mask=ops.convert_to_tensor(mask))), expected)
    assert np.abs(expected[1]).min() > 0  # no zero output where the last step is masked


# -- custom backward layer ------------------------------------------------------------------------
def test_custom_backward_layer_runs_backwards_and_round_trips():
    x = _x(2, 4, 3)
    backward_gru = GRU(2, go_backwards=True, return_sequences=True, name="back")
    layer = Bidirectional(LSTM(3, return_sequences=True), backward_layer=backward_gru)
    assert layer.backward_layer is backward_gru
    forward, backward = _randomize(layer, x)
    expected, _ = reference_bidirectional("LSTM", x, forward, backward, merge_mode="concat",
                                          return_sequences=True, backward_kind="GRU")
    assert_all_close(as_list(layer(x)), expected)
    assert layer.compute_output_shape((None, 4, 3)) == (None, 4, 5)
    config = layer.get_config()
    assert config["backward_layer"]["class_name"] == "GRU"
    rebuilt = Bidirectional.from_config(config)
    rebuilt(x)
    rebuilt.set_weights(layer.get_weights())
    assert_all_close(as_list(rebuilt(x)), expected)
    assert "backward_layer" not in Bidirectional(LSTM(3)).get_config()


@pytest.mark.parametrize("backward, message", [
    (LSTM(3), "opposite `go_backwards`"),
    (LSTM(3, go_backwards=True, return_sequences=True), "same `return_sequences`"),
    (LSTM(3, go_backwards=True, return_state=True), "same `return_state`"),
    (LSTM(3, go_backwards=True, stateful=True), "same `stateful`"),
])
def test_a_mismatched_backward_layer_is_refused(backward, message):
    with pytest.raises(ValueError, match=f"Bidirectional 'bad_pair': .*{message}"):
        Bidirectional(LSTM(3), backward_layer=backward, name="bad_pair")


@pytest.mark.parametrize("kwargs, message", [
    ({"layer": "lstm"}, "`layer` must be a Layer instance.*Received: layer='lstm'"),
    ({"layer": LSTM(2), "backward_layer": 3}, "`backward_layer` must be a Layer instance"),
    ({"layer": LSTM(2), "merge_mode": "max"}, "invalid `merge_mode`.*merge_mode='max'"),
    ({"layer": Dense(2)}, "`layer` must be a recurrent layer"),
])
def test_bad_arguments_name_the_layer(kwargs, message):
    with pytest.raises(ValueError, match=f"Bidirectional 'wrapper': {message}"):
        Bidirectional(**kwargs, name="wrapper")


def test_an_input_of_rank_two_names_the_layer():
    layer = Bidirectional(LSTM(2), name="bi2")
    with pytest.raises(ValueError, match=r"Bidirectional 'bi2': expected an input of rank 3"):
        layer(_x(2, 3))
    with pytest.raises(ValueError, match=r"Bidirectional 'bi2': expected an input of rank 3"):
        layer(Input(shape=(3,)))
