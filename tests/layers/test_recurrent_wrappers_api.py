"""Bidirectional's API around the numbers: stateful layers, ``weights=``, training, configs
(run_layer_test with float64 gradients, custom objects, edited dtypes), symbolic calls on
Input, and parity with Keras 3 (weights copied over, outputs and masks compared)."""

import numpy as np
import pytest
from bidirectional_reference import reference_bidirectional
from keras_available import keras_or_skip
from recurrent_fixtures import as_list, assert_all_close

from gpulayers import ops
from gpulayers.layers import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    Embedding,
    Input,
    KerasTensor,
    Layer,
    SimpleRNN,
    deserialize,
    serialize,
)
from gpulayers.testing import run_layer_test

CLASSES = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
rng = np.random.default_rng(9)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


def _randomize(layer, x):
    layer(x)
    layer.set_weights([0.6 * _x(*w.shape) for w in layer.get_weights()])
    return layer.forward_layer.get_weights(), layer.backward_layer.get_weights()


def _keras_numpy(tensor):
    return tensor.detach().cpu().numpy() if hasattr(tensor, "detach") else np.asarray(tensor)


# -- stateful ---------------------------------------------------------------------------------
def test_stateful_layers_carry_both_directions_states_and_reset():
    x1, x2 = _x(2, 4, 3), _x(2, 4, 3)
    layer = Bidirectional(LSTM(2, stateful=True, return_sequences=True), merge_mode="sum")
    forward, backward = _randomize(layer, x1)
    layer.reset_states()
    first, states = reference_bidirectional("LSTM", x1, forward, backward, merge_mode="sum",
                                            return_sequences=True)
    second, _ = reference_bidirectional("LSTM", x2, forward, backward, merge_mode="sum",
                                        return_sequences=True, states=states)
    assert layer.stateful
    assert_all_close(as_list(layer(x1)), first)
    assert_all_close([np.asarray(s) for s in layer.states], states)
    assert_all_close(as_list(layer(x2)), second)
    layer.reset_states()
    assert_all_close(as_list(layer(x1)), first)
    layer.reset_states(states)  # forward's (h, c), then backward's
    assert_all_close(as_list(layer(x2)), second)
    with pytest.raises(ValueError, match=r"Bidirectional 'bi_s': `states` must be a list of 4"):
        Bidirectional(LSTM(2, stateful=True), name="bi_s").reset_states([states[0]])


def test_reset_states_on_a_layer_that_is_not_stateful_names_the_layer():
    layer = Bidirectional(GRU(2), name="plain")
    assert layer.states is None
    with pytest.raises(ValueError, match=r"Bidirectional 'plain': reset_states\(\) is only"):
        layer.reset_states()


# -- weights= and training ------------------------------------------------------------------------
@pytest.mark.parametrize("symbolic", [False, True])
def test_weights_argument_sets_forward_then_backward_weights(symbolic):
    x = _x(2, 4, 3)
    source = Bidirectional(GRU(2, return_sequences=True))
    forward, backward = _randomize(source, x)
    layer = Bidirectional(GRU(2, return_sequences=True), weights=forward + backward)
    if symbolic:
        layer(Input(shape=(4, 3)))
    assert_all_close(as_list(layer(x)), as_list(source(x)))
    assert_all_close(layer.forward_layer.get_weights(), forward)
    assert_all_close(layer.backward_layer.get_weights(), backward)


def test_training_reaches_both_layers():
    x = _x(2, 4, 3)
    layer = Bidirectional(LSTM(2, dropout=0.5, recurrent_dropout=0.5, return_sequences=True))
    forward, backward = _randomize(layer, x)
    expected, _ = reference_bidirectional("LSTM", x, forward, backward, merge_mode="concat",
                                          return_sequences=True)
    assert_all_close(as_list(layer(x, training=False)), expected)
    trained = np.asarray(layer(x, training=True))
    # Dropout changes both halves (forward units, then backward units).
    assert not np.allclose(trained[..., :2], expected[0][..., :2])
    assert not np.allclose(trained[..., 2:], expected[0][..., 2:])


def test_frozen_wrapper_has_no_trainable_weights():
    layer = Bidirectional(LSTM(2), trainable=False)
    layer(_x(2, 3, 2))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 6


# -- configs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, kwargs, merge_mode, output_shape", [
    ("LSTM", {"return_sequences": True}, "concat", (2, 3, 4)),
    ("GRU", {}, "ave", (2, 2)),
    ("SimpleRNN", {"return_sequences": True, "activation": "relu"}, "mul", (2, 3, 2)),
])
def test_run_layer_test(kind, kwargs, merge_mode, output_shape):
    run_layer_test(Bidirectional, {"layer": CLASSES[kind](2, **kwargs),
                                   "merge_mode": merge_mode},
                   input_shape=(2, 3, 2), expected_output_shape=output_shape,
                   expected_num_trainable_weights=6, expected_num_non_trainable_weights=0,
                   supports_masking=True, gradient_tolerance=1e-4)


def test_config_names_and_round_trip():
    x = _x(2, 4, 3)
    layer = Bidirectional(LSTM(3, return_sequences=True, name="enc"), merge_mode="sum",
                          name="bi")
    _randomize(layer, x)
    config = layer.get_config()
    assert config["merge_mode"] == "sum" and config["name"] == "bi"
    assert config["layer"]["class_name"] == "LSTM"
    assert config["layer"]["config"]["name"] == "forward_enc"
    assert config["layer"]["config"]["zero_output_for_mask"] is True
    for rebuilt in (Bidirectional.from_config(config), deserialize(serialize(layer))):
        assert type(rebuilt) is Bidirectional and rebuilt.get_config() == config
        assert (rebuilt.forward_layer.name, rebuilt.backward_layer.name) == ("forward_enc",
                                                                             "backward_enc")
        rebuilt(x)
        rebuilt.set_weights(layer.get_weights())
        assert_all_close(as_list(rebuilt(x)), as_list(layer(x)))


def test_an_edited_config_dtype_rebuilds_both_layers_in_it():
    config = {**Bidirectional(GRU(2)).get_config(), "dtype": "float64"}
    layer = Bidirectional.from_config(config)
    assert {layer.dtype, layer.forward_layer.dtype, layer.backward_layer.dtype} == {"float64"}
    assert layer(_x(2, 3, 2)).dtype == "float64"
    assert Bidirectional(GRU(2, dtype="float64")).dtype == "float64"  # default: the layer's


class TinyCell(Layer):
    """A user-written cell: h = tanh(x @ w + h_prev)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = self.state_size = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")

    def call(self, inputs, states):
        h = ops.tanh(ops.matmul(inputs, self.w) + states[0])
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_from_config_passes_custom_objects_to_the_wrapped_layer():
    layer = Bidirectional(RNN(TinyCell(2), return_sequences=True))
    config = layer.get_config()
    config["layer"]["config"]["cell"]["class_name"] = "RenamedCell"  # unknown by name
    with pytest.raises(ValueError, match="unknown layer class 'RenamedCell'"):
        Bidirectional.from_config(config)
    rebuilt = Bidirectional.from_config(config, custom_objects={"RenamedCell": TinyCell})
    assert isinstance(rebuilt.backward_layer.cell, TinyCell)
    x = _x(2, 3, 2)
    layer(x)
    rebuilt(x)
    rebuilt.set_weights(layer.get_weights())
    assert_all_close(as_list(rebuilt(x)), as_list(layer(x)))


# -- symbolic calls ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, merge_mode, shapes", [
    ({}, "concat", [(None, 6)]),
    ({"return_sequences": True}, "concat", [(None, 5, 6)]),
    ({"return_sequences": True}, "sum", [(None, 5, 3)]),
    ({}, None, [(None, 3), (None, 3)]),
    ({"return_state": True}, "ave", [(None, 3)] * 5),
    ({"return_state": True, "return_sequences": True}, None, [(None, 5, 3)] * 2
     + [(None, 3)] * 4),
])
def test_symbolic_call_on_input_gives_the_output_shapes(kwargs, merge_mode, shapes):
    layer = Bidirectional(LSTM(3, **kwargs), merge_mode=merge_mode)
    result = layer(Input(shape=(5, 4)))
    outputs = result if isinstance(result, list) else [result]
    assert all(isinstance(t, KerasTensor) for t in outputs)
    assert [t.shape for t in outputs] == shapes
    assert [w.shape for w in layer.weights[:3]] == [(4, 12), (3, 12), (12,)]
    eager = as_list(layer(_x(2, 5, 4)))
    assert [t.shape for t in eager] == [(2, *s[1:]) for s in shapes]


def test_symbolic_call_with_unknown_timesteps():
    assert Bidirectional(GRU(2, return_sequences=True))(Input(shape=(None, 3))).shape == (
        None, None, 4)


# -- Keras 3 parity ---------------------------------------------------------------------------
def _keras_parity(keras, kind, layer_kwargs, merge_mode, x):
    """Build Keras's Bidirectional and ours on ``x``, copy Keras's weights into ours, compare
    the weight shapes, every output and the output shapes."""
    theirs = keras.layers.Bidirectional(getattr(keras.layers, kind)(**layer_kwargs),
                                        merge_mode=merge_mode)
    expected = theirs(x)
    expected = [_keras_numpy(t) for t in (expected if isinstance(expected, (list, tuple))
                                          else [expected])]
    ours = Bidirectional(CLASSES[kind](**layer_kwargs), merge_mode=merge_mode)
    ours(x)
    their_weights = [np.asarray(w) for w in theirs.get_weights()]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in their_weights]
    ours.set_weights(their_weights)
    assert_all_close(as_list(ours(x)), expected, rtol=1e-5, atol=1e-5)
    their_shapes = theirs.compute_output_shape(x.shape)
    their_shapes = list(their_shapes) if isinstance(their_shapes[0], tuple) else [their_shapes]
    our_shapes = ours.compute_output_shape(x.shape)
    assert (our_shapes if isinstance(our_shapes, list) else [our_shapes]) == [
        tuple(s) for s in their_shapes]


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_keras_parity(kind, merge_mode, return_sequences):
    keras = keras_or_skip()
    _keras_parity(keras, kind, {"units": 3, "return_sequences": return_sequences},
                  merge_mode, _x(2, 4, 3))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_keras_parity_with_return_state(kind):
    keras = keras_or_skip()
    _keras_parity(keras, kind, {"units": 2, "return_sequences": True, "return_state": True},
                  "concat", _x(2, 4, 3))


def test_keras_parity_with_an_embedding_mask():
    keras = keras_or_skip()
    tokens = np.array([[3, 1, 4, 0, 0], [0, 2, 6, 5, 3], [7, 0, 0, 2, 0]], dtype="int32")
    their_embedding = keras.layers.Embedding(8, 3, mask_zero=True)
    theirs = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True))
    expected = theirs(their_embedding(tokens))
    embedding = Embedding(8, 3, mask_zero=True)
    ours = Bidirectional(LSTM(2, return_sequences=True))
    ours(embedding(tokens))
    embedding.set_weights([np.asarray(w) for w in their_embedding.get_weights()])
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    result = ours(embedding(tokens))
    np.testing.assert_allclose(np.asarray(result), _keras_numpy(expected), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_array_equal(np.asarray(result._keras_mask),
                                  _keras_numpy(expected._keras_mask))


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_a_keras_config_loads_and_gives_keras_outputs(kind):
    keras = keras_or_skip()
    x = _x(2, 4, 3)
    theirs = keras.layers.Bidirectional(getattr(keras.layers, kind)(2, return_sequences=True),
                                        merge_mode="ave")
    expected = _keras_numpy(theirs(x))
    config = theirs.get_config()  # Keras writes the backward layer's config too
    ours = Bidirectional.from_config(config)
    assert ours.merge_mode == "ave" and ours.backward_layer.go_backwards
    assert sorted(ours.get_config()) == sorted(config)
    ours(x)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    np.testing.assert_allclose(np.asarray(ours(x)), expected, rtol=1e-5, atol=1e-5)
