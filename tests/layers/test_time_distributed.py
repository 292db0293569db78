"""TimeDistributed against NumPy loops over the timesteps: Dense, Conv2D (a plain-loop
convolution), multi-output inner layers, training, masks in and out, bad inputs, configs
(run_layer_test with float64 gradients), symbolic calls and Keras 3 parity."""

import numpy as np
import pytest
from conv_reference import reference_conv
from keras_available import keras_or_skip

from gpulayers import ops
from gpulayers.layers import (
    LSTM,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Input,
    KerasTensor,
    Lambda,
    Layer,
    Masking,
    TimeDistributed,
    deserialize,
    serialize,
)
from gpulayers.testing import run_layer_test

rng = np.random.default_rng(3)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


def _keras_numpy(tensor):
    return tensor.detach().cpu().numpy() if hasattr(tensor, "detach") else np.asarray(tensor)


def _randomize(layer, x):
    layer(x)
    layer.set_weights([0.5 * _x(*w.shape) for w in layer.get_weights()])
    return [np.asarray(w, np.float64) for w in layer.get_weights()]


# -- numbers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 4, 3), (3, 2, 5, 3)])
def test_dense_matches_a_loop_over_timesteps(shape):
    x = _x(*shape)
    layer = TimeDistributed(Dense(4, activation="tanh"))
    kernel, bias = _randomize(layer, x)
    expected = np.stack([np.tanh(x[:, t] @ kernel + bias) for t in range(shape[1])], axis=1)
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-6)
    assert layer.weights == layer.layer.weights and len(layer.weights) == 2


def test_conv2d_matches_a_plain_convolution_per_timestep():
    x = _x(2, 3, 5, 6, 2)  # (N, T, H, W, C)
    layer = TimeDistributed(Conv2D(3, (3, 2), padding="same", strides=(1, 2)))
    kernel, bias = _randomize(layer, x)
    expected = np.stack([reference_conv(x[:, t], kernel, (1, 2), "same", (1, 1)) + bias
                         for t in range(3)], axis=1)
    result = layer(x)
    assert result.shape == (2, 3, 5, 3, 3) == layer.compute_output_shape((2, 3, 5, 6, 2))
    np.testing.assert_allclose(np.asarray(result), expected, rtol=1e-5, atol=1e-5)


def test_an_inner_layer_with_several_outputs():
    x = _x(2, 3, 4, 2)  # every timestep is a (4, 2) sequence for the LSTM
    lstm = LSTM(2, return_state=True)
    layer = TimeDistributed(lstm)
    _randomize(layer, x)
    result = layer(x)
    assert [tuple(t.shape) for t in result] == [(2, 3, 2)] * 3
    assert layer.compute_output_shape((None, 3, 4, 2)) == [(None, 3, 2)] * 3
    for t in range(3):
        for got, expected in zip(result, lstm(x[:, t])):
            np.testing.assert_allclose(np.asarray(got)[:, t], np.asarray(expected), rtol=1e-5,
                                       atol=1e-6)


def test_training_reaches_the_inner_layer():
    x = np.ones((4, 5, 6), "float32")
    layer = TimeDistributed(Dropout(0.5, seed=1))
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    dropped = np.asarray(layer(x, training=True))
    assert set(np.unique(dropped)) == {0.0, 2.0}


# -- masks ------------------------------------------------------------------------------------
TOKENS = np.array([[3, 1, 0, 0], [0, 2, 6, 5]], dtype="int32")


class MaskRecorder(Layer):
    """Identity that remembers the mask its call received."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        self.received = mask
        return inputs


def test_the_input_mask_passes_through_a_layer_without_its_own():
    embedded = Embedding(7, 3, mask_zero=True)(TOKENS)
    result = TimeDistributed(Dense(2))(embedded)
    np.testing.assert_array_equal(np.asarray(result._keras_mask), TOKENS != 0)
    assert TimeDistributed(Dense(2))(_x(2, 4, 3))._keras_mask is None


def test_a_mask_of_the_inner_inputs_is_passed_reshaped():
    recorder = MaskRecorder()
    x, mask = _x(2, 4, 3), TOKENS != 0
    TimeDistributed(recorder)(x, mask=ops.convert_to_tensor(mask))
    np.testing.assert_array_equal(np.asarray(recorder.received), mask.reshape(8))
    # A (N, T) mask of (N, T, L, F) inputs marks whole slices: the inner layer, whose
    # steps are the L axis, gets none; the output keeps the slices' mask.
    result = TimeDistributed(recorder)(_x(2, 4, 5, 3), mask=ops.convert_to_tensor(mask))
    assert recorder.received is None
    np.testing.assert_array_equal(np.asarray(result._keras_mask), mask)


@pytest.mark.parametrize("inner, data, expected_mask", [
    (Masking(0.0), np.where(TOKENS[..., None, None] > 2, _x(2, 4, 5, 3), 0.0),
     np.broadcast_to((TOKENS > 2)[..., None], (2, 4, 5))),
    (Embedding(7, 2, mask_zero=True), np.stack([TOKENS, TOKENS[::-1]], axis=-1),
     np.stack([TOKENS, TOKENS[::-1]], axis=-1) != 0),
])
def test_an_inner_layer_that_makes_a_mask_gives_it_per_timestep(inner, data, expected_mask):
    result = TimeDistributed(inner)(data.astype(np.asarray(data).dtype))
    np.testing.assert_array_equal(np.asarray(result._keras_mask), expected_mask)


def test_a_mask_of_the_wrong_shape_names_the_layer():
    layer = TimeDistributed(Dense(2), name="td_mask")
    with pytest.raises(ValueError, match=r"TimeDistributed 'td_mask': the mask must have "
                                         r"shape \(batch, timesteps"):
        layer(_x(2, 4, 3), mask=ops.convert_to_tensor(np.ones((2, 3), bool)))


# -- errors, shapes, symbolic calls -------------------------------------------------------------
def test_an_input_below_rank_three_names_the_layer():
    layer = TimeDistributed(Dense(2), name="td_rank")
    message = r"TimeDistributed 'td_rank': expected one input of rank 3 or more"
    with pytest.raises(ValueError, match=message):
        layer(_x(4, 3))
    with pytest.raises(ValueError, match=message):
        layer(Input(shape=(3,)))
    with pytest.raises(ValueError, match=message):
        layer.compute_output_shape((None, 3))


def test_layer_must_be_a_layer_instance():
    with pytest.raises(ValueError, match=r"TimeDistributed 'td_bad': `layer` must be a Layer "
                                         r"instance.*Received: layer=<function"):
        TimeDistributed(ops.relu, name="td_bad")


@pytest.mark.parametrize("inner, input_shape, expected", [
    (Dense(4), (5, 3), (None, 5, 4)),
    (Dense(4), (None, 3), (None, None, 4)),
    (Conv2D(2, 3), (4, 6, 6, 1), (None, 4, 4, 4, 2)),
    (Lambda(lambda t: ops.sum(t, axis=-1)), (5, 3, 2), (None, 5, 3)),
])
def test_symbolic_call_on_input(inner, input_shape, expected):
    layer = TimeDistributed(inner)
    result = layer(Input(shape=input_shape))
    assert isinstance(result, KerasTensor) and result.shape == expected
    assert layer.built and inner.built
    eager_shape = tuple(2 if d is None else d for d in input_shape)
    assert tuple(layer(_x(2, *eager_shape)).shape) == tuple(
        2 if d is None else d for d in (2, *expected[1:]))


def test_a_wrapped_layer_built_with_weights_argument_gets_them():
    kernel, bias = _x(3, 2), _x(2)
    layer = TimeDistributed(Dense(2, weights=[kernel, bias]))
    layer(Input(shape=(4, 3)))
    x = _x(2, 4, 3)
    np.testing.assert_allclose(np.asarray(layer(x)), x @ kernel + bias, rtol=1e-5, atol=1e-6)


# -- configs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("inner, input_shape, output_shape", [
    (lambda: Dense(3, activation="sigmoid"), (2, 3, 4), (2, 3, 3)),
    (lambda: Conv2D(2, 2), (2, 2, 3, 3, 1), (2, 2, 2, 2, 2)),
])
def test_run_layer_test(inner, input_shape, output_shape):
    run_layer_test(TimeDistributed, {"layer": inner()}, input_shape=input_shape,
                   expected_output_shape=output_shape, expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0, supports_masking=True)


def test_config_round_trip_and_edited_dtype():
    x = _x(2, 3, 4)
    layer = TimeDistributed(Dense(2, name="proj"), name="td")
    _randomize(layer, x)
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["name"] == "td"
    assert config["layer"]["config"]["name"] == "proj"
    for rebuilt in (TimeDistributed.from_config(config), deserialize(serialize(layer))):
        assert type(rebuilt) is TimeDistributed and rebuilt.get_config() == config
        rebuilt(x)
        rebuilt.set_weights(layer.get_weights())
        np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(layer(x)), rtol=1e-6)
    wide = TimeDistributed.from_config({**config, "dtype": "float64"})
    assert wide.dtype == wide.layer.dtype == "float64" and wide(x).dtype == "float64"
    assert TimeDistributed(Dense(2, dtype="float64")).dtype == "float64"


def test_from_config_passes_custom_objects():
    class Doubler(Layer):
        def call(self, inputs):
            return inputs * 2.0

    config = TimeDistributed(Doubler()).get_config()
    config["layer"]["class_name"] = "UnregisteredDoubler"
    with pytest.raises(ValueError, match="unknown layer class 'UnregisteredDoubler'"):
        TimeDistributed.from_config(config)
    layer = TimeDistributed.from_config(config,
                                        custom_objects={"UnregisteredDoubler": Doubler})
    x = _x(2, 3, 2)
    np.testing.assert_allclose(np.asarray(layer(x)), 2 * x)


# -- Keras 3 parity ---------------------------------------------------------------------------
@pytest.mark.parametrize("x_shape", [(2, 3, 4), (2, 3, 2, 4)])
def test_keras_parity_dense(x_shape):
    keras = keras_or_skip()
    x = _x(*x_shape)
    theirs = keras.layers.TimeDistributed(keras.layers.Dense(3, activation="relu"))
    expected = _keras_numpy(theirs(x))
    ours = TimeDistributed(Dense(3, activation="relu"))
    ours(x)
    their_weights = [np.asarray(w) for w in theirs.get_weights()]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in their_weights]
    ours.set_weights(their_weights)
    np.testing.assert_allclose(np.asarray(ours(x)), expected, rtol=1e-5, atol=1e-5)
    assert ours.compute_output_shape((None, *x_shape[1:])) == tuple(
        theirs.compute_output_shape((None, *x_shape[1:])))


def test_a_keras_config_loads_and_gives_keras_outputs():
    keras = keras_or_skip()
    x = _x(2, 3, 4)
    theirs = keras.layers.TimeDistributed(keras.layers.Dense(2, activation="tanh"))
    expected = _keras_numpy(theirs(x))
    ours = TimeDistributed.from_config(theirs.get_config())
    assert sorted(ours.get_config()) == sorted(theirs.get_config())
    ours(x)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    np.testing.assert_allclose(np.asarray(ours(x)), expected, rtol=1e-5, atol=1e-5)
