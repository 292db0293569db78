"""Normalization (the preprocessing layer): adapt() statistics by hand, streaming adapt equal
to whole-array adapt, given mean/variance, invert, weights and config, and Keras 3 parity."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing import Normalization


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(3.0, 2.0, size=shape).astype("float32")


def test_adapt_tiny_array_by_hand():
    data = np.array([[0.0, 7.0, 4.0],
                     [2.0, 9.0, 6.0],
                     [0.0, 7.0, 4.0],
                     [2.0, 9.0, 6.0]], dtype="float32")
    layer = Normalization()
    layer.adapt(data)
    mean, variance, count = layer.get_weights()
    np.testing.assert_allclose(mean, [1.0, 8.0, 5.0])           # column means
    np.testing.assert_allclose(variance, [1.0, 1.0, 1.0])       # population variance
    assert count.shape == () and count.dtype == np.int32
    np.testing.assert_allclose(np.asarray(layer(np.array([[0.0, 7.0, 4.0]]))), [[-1, -1, -1]])


def test_adapt_axis_none_by_hand_and_invert():
    layer = Normalization(axis=None)
    layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], dtype="float32"))   # mean 3, var 2
    out = np.asarray(layer(np.array([1.0, 2.0, 3.0], dtype="float32")))
    np.testing.assert_allclose(out, [-2 / np.sqrt(2), -1 / np.sqrt(2), 0.0], rtol=1e-6)
    inverse = Normalization(axis=None, invert=True)
    inverse.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], dtype="float32"))
    np.testing.assert_allclose(np.asarray(inverse(out)), [1.0, 2.0, 3.0], rtol=1e-6)


def test_adapt_from_nested_list():
    layer = Normalization()
    layer.adapt([[0.0, 10.0], [2.0, 30.0]])
    np.testing.assert_allclose(layer.get_weights()[0], [1.0, 20.0])
    np.testing.assert_allclose(layer.get_weights()[1], [1.0, 100.0])


@pytest.mark.parametrize("axis", [-1, None, (1, 2), 1])
def test_streaming_adapt_equals_whole_array(axis):
    data = _x(23, 4, 3)
    whole = Normalization(axis=axis)
    whole.adapt(data)
    batches = [data[:5], data[5:6], data[6:20], data[20:]]       # uneven batch sizes
    for streamed_data, kwargs in [(batches, {}), (iter(batches), {}),
                                  ((b for b in batches), {}), (data, {"batch_size": 4}),
                                  ([(b, np.zeros(len(b))) for b in batches], {})]:
        streamed = Normalization(axis=axis)
        streamed.adapt(streamed_data, **kwargs)
        for ours, expected in zip(streamed.get_weights(), whole.get_weights()):
            np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


def test_adapt_statistics_match_numpy_and_steps():
    data = _x(30, 5)
    layer = Normalization()
    layer.adapt(data, batch_size=7, steps=2)                    # the first 14 rows only
    np.testing.assert_allclose(layer.get_weights()[0], data[:14].mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[1], data[:14].var(0), rtol=1e-5)


def test_weights_layout_and_identity_before_adapt():
    layer = Normalization(axis=(1, 2))
    x = _x(2, 4, 3)
    np.testing.assert_allclose(np.asarray(layer(x)), x)         # mean 0, variance 1
    assert [w.name.split("/")[-1] for w in layer.weights] == ["mean", "variance", "count"]
    assert [w.shape for w in layer.get_weights()] == [(4, 3), (4, 3), ()]
    assert layer.trainable_weights == []


def test_given_mean_and_variance():
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    out = np.asarray(layer(np.array([[3.0, 2.5]], dtype="float32")))
    # sqrt(0) is floored at epsilon() = 1e-7, exactly as Keras.
    np.testing.assert_allclose(out, [[1.0, 0.5 / 1e-7]], rtol=1e-5)
    assert layer.weights == []
    scalar = Normalization(mean=3.0, variance=2.0)
    np.testing.assert_allclose(np.asarray(scalar(np.array([[1.0], [3.0]]))),
                               [[-2 / np.sqrt(2)], [0.0]], rtol=1e-6)


def test_set_weights_then_call():
    layer = Normalization()
    layer(np.zeros((1, 2), "float32"))
    layer.set_weights([np.array([1.0, 2.0]), np.array([4.0, 9.0]), np.array(0)])
    np.testing.assert_allclose(np.asarray(layer(np.array([[3.0, 5.0]]))), [[1.0, 1.0]])


def test_config_round_trip_and_output_shape():
    for layer in (Normalization(axis=(1, 2), invert=True),
                  Normalization(mean=[1.0, 2.0], variance=[3.0, 4.0]), Normalization(None)):
        clone = deserialize(serialize(layer))
        assert clone.get_config() == layer.get_config()
    assert Normalization().compute_output_shape((None, 3)) == (None, 3)


@pytest.mark.parametrize("make, action, message", [
    (lambda: None, lambda: Normalization(mean=1.0), "both `mean` and `variance`"),
    (lambda: None, lambda: Normalization(mean=[1.0, 2.0], variance=[1.0]), "same shape"),
    (lambda: None, lambda: Normalization(axis=None, mean=[1.0], variance=[1.0]), "rank"),
    (lambda: Normalization(axis=3), lambda layer: layer(np.ones((2, 3))), "axis"),
    (lambda: Normalization(), lambda layer: layer.adapt([]), "no data"),
    (lambda: Normalization(mean=0.0, variance=1.0), lambda layer: layer.adapt(np.ones((2, 2))),
     "adapt"),
    (lambda: Normalization(), lambda layer: (layer.adapt(np.ones((2, 3))),
                                             layer.adapt(np.ones((2, 4)))), "incompatible"),
])
def test_bad_input_raises_value_error_naming_the_layer(make, action, message):
    with pytest.raises(ValueError, match=message) as info:
        layer = make()
        action() if layer is None else action(layer)
    assert "Normalization" in str(info.value)


def test_adapt_rejects_non_iterables():
    with pytest.raises(TypeError, match="Normalization"):
        Normalization().adapt(3.0)


# -- Keras 3 parity ----------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, shape", [
    ({}, (20, 3)), ({"axis": None}, (6, 5)), ({"axis": (1, 2)}, (7, 4, 3)),
    ({"axis": 1}, (8, 3, 2)), ({"invert": True}, (10, 4)), ({"axis": (-1, 1)}, (5, 2, 3)),
])
def test_adapt_matches_keras(kwargs, shape):
    keras = keras_or_skip()
    data = _x(*shape)
    theirs = keras.layers.Normalization(**kwargs)
    theirs.adapt(data)
    ours = Normalization(**kwargs)
    ours.adapt(data)
    their_weights = [to_numpy(w.value) for w in theirs.weights]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in their_weights]
    for mine, expected in zip(ours.get_weights(), their_weights):
        np.testing.assert_allclose(mine, expected, rtol=1e-5, atol=1e-6)
    x = _x(*shape, seed=1)
    np.testing.assert_allclose(np.asarray(ours(x)), to_numpy(theirs(x)), rtol=1e-5,
                               atol=1e-5)


def test_streaming_adapt_matches_keras_whole_array():
    # (Keras 3.15's own iterable adapt needs TensorFlow installed, so compare with its
    # whole-array statistics.)
    keras = keras_or_skip()
    data = _x(17, 4)
    theirs = keras.layers.Normalization()
    theirs.adapt(data)
    ours = Normalization()
    ours.adapt([data[:6], data[6:11], data[11:]])
    for mine, expected in zip(ours.get_weights(), theirs.weights):
        np.testing.assert_allclose(mine, to_numpy(expected.value), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{"mean": 2.0, "variance": 3.0},
                                    {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]},
                                    {"axis": (1, 2), "mean": [1.0, -1.0, 0.5],
                                     "variance": [2.0, 0.5, 1.0], "invert": True}])
def test_given_statistics_match_keras(kwargs):
    keras = keras_or_skip()
    x = _x(4, 2, 3)
    np.testing.assert_allclose(np.asarray(Normalization(**kwargs)(x)),
                               to_numpy(keras.layers.Normalization(**kwargs)(x)), rtol=1e-6)
    config = keras.layers.Normalization(**kwargs).get_config()
    assert Normalization.from_config(config).get_config()["mean"] == config["mean"]
