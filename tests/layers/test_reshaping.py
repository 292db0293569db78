"""Flatten, Reshape, Permute, RepeatVector: standard checks, plain references, Keras parity,
errors. (Cropping, ZeroPadding, UpSampling: test_reshaping_spatial.py.)"""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import backend
from gpulayers.layers import Flatten, Input, Permute, RepeatVector, Reshape
from gpulayers.testing import run_layer_test

rng = np.random.default_rng(0)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


# -- Flatten -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, expected", [
    ({}, (2, 3, 4), (2, 12)),
    ({}, (3,), (3, 1)),
    ({}, (2, 5), (2, 5)),
    ({"data_format": "channels_first"}, (2, 3, 2, 2), (2, 12)),
    ({"data_format": "channels_first"}, (2, 3, 4), (2, 12)),
])
def test_flatten_layer(kwargs, input_shape, expected):
    run_layer_test(Flatten, kwargs, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=0)


def test_flatten_channels_first_uses_the_channels_last_order():
    x = np.arange(2 * 3 * 2 * 2, dtype="float32").reshape(2, 3, 2, 2)  # (batch, c, h, w)
    out = np.asarray(Flatten(data_format="channels_first")(x))
    # by hand for sample 0: position (h, w, c) -> value c * 4 + h * 2 + w
    expected_first = [c * 4 + h * 2 + w for h in range(2) for w in range(2) for c in range(3)]
    np.testing.assert_array_equal(out[0], expected_first)
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(2, -1))
    np.testing.assert_array_equal(np.asarray(Flatten()(x)), x.reshape(2, -1))


def test_flatten_issue_shape_channels_first():
    layer = Flatten(data_format="channels_first")
    assert layer(Input(batch_shape=(None, 64, 32, 32))).shape == (None, 65536)
    assert layer.compute_output_shape((None, 64, 32, 32)) == (None, 65536)
    assert Flatten().compute_output_shape((None, 64, None)) == (None, None)


def test_flatten_default_data_format_follows_the_backend():
    backend.set_image_data_format("channels_first")
    assert Flatten().data_format == "channels_first"
    assert Flatten("Channels_Last").data_format == "channels_last"
    with pytest.raises(ValueError, match="Flatten 'flatten.*data_format"):
        Flatten(data_format="nchw")


# -- Reshape -----------------------------------------------------------------------------------
@pytest.mark.parametrize("target, input_shape, expected", [
    ((3, 4), (2, 12), (2, 3, 4)),
    ((-1,), (2, 3, 4), (2, 12)),
    ((2, -1, 2), (2, 3, 4), (2, 2, 3, 2)),
    ([6, 2], (1, 3, 4), (1, 6, 2)),
])
def test_reshape_layer(target, input_shape, expected):
    out = run_layer_test(Reshape, {"target_shape": target}, input_shape=input_shape,
                         expected_output_shape=expected)
    x = np.asarray(out)
    assert x.shape == expected


def test_reshape_values_and_shapes():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(np.asarray(Reshape((4, 3))(x)), x.reshape(2, 4, 3))
    assert Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == (None, 6, 2)
    assert Reshape((-1, 2)).compute_output_shape((None, None, 4)) == (None, None, 2)
    assert Reshape((-1, 2))(Input((3, 4))).shape == (None, 6, 2)
    assert Reshape([5, 2]).get_config()["target_shape"] == (5, 2)


@pytest.mark.parametrize("bad", [(-1, -1), (0, 3), (2, -2), 5, (2.0,), (True,)])
def test_reshape_rejects_bad_target_shape(bad):
    with pytest.raises(ValueError, match="Reshape 'reshape.*target_shape"):
        Reshape(bad)


def test_reshape_size_mismatch_names_the_sizes():
    with pytest.raises(ValueError, match=r"Reshape 'r'.*\(3, 4\) \(12 entries\).*\(5, 2\) \(10"):
        Reshape((5, 2), name="r")(_x(2, 3, 4))
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(5, -1\) \(a multiple of 5"):
        Reshape((5, -1))(Input((3, 4)))


# -- Permute -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dims, input_shape, expected", [
    ((2, 1), (2, 3, 4), (2, 4, 3)),
    ((3, 1, 2), (2, 3, 4, 5), (2, 5, 3, 4)),
    ((1,), (2, 3), (2, 3)),
])
def test_permute_layer(dims, input_shape, expected):
    x = _x(*input_shape)
    run_layer_test(Permute, {"dims": dims}, input_data=x, expected_output_shape=expected,
                   expected_output=np.transpose(x, (0, *dims)))


def test_permute_errors():
    for bad in [(0, 1), (1, 3), (1, 1), 2, (True, 2)]:
        with pytest.raises(ValueError, match="Permute 'permute.*dims"):
            Permute(bad)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        Permute((2, 1))(_x(1, 2, 3, 4))
    assert Permute((2, 1)).compute_output_shape((None, None, 7)) == (None, 7, None)


# -- RepeatVector ------------------------------------------------------------------------------
def test_repeat_vector_layer():
    x = _x(2, 3)
    run_layer_test(RepeatVector, {"n": 4}, input_data=x, expected_output_shape=(2, 4, 3),
                   expected_output=np.stack([x] * 4, axis=1))
    assert RepeatVector(2).compute_output_shape((None, 5)) == (None, 2, 5)


def test_repeat_vector_errors():
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="RepeatVector 'repeat_vector.*`n`"):
            RepeatVector(bad)
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        RepeatVector(2)(_x(1, 2, 3))


# -- Keras parity ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs, shape", [
    ("Flatten", {}, (2, 3, 4)),
    ("Flatten", {"data_format": "channels_first"}, (2, 3, 2, 4)),
    ("Reshape", {"target_shape": (2, -1)}, (2, 3, 4)),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4, 5)),
    ("RepeatVector", {"n": 3}, (2, 5)),
])
def test_keras_parity(name, kwargs, shape):
    keras = keras_or_skip()
    ours = {"Flatten": Flatten, "Reshape": Reshape, "Permute": Permute,
            "RepeatVector": RepeatVector}[name]
    theirs = getattr(keras.layers, name)
    assert_keras_parity(ours, theirs, kwargs, _x(*shape))
    assert set(ours(**kwargs).get_config()) == set(theirs(**kwargs).get_config())
    assert theirs(**kwargs).compute_output_shape((None, *shape[1:])) == \
        ours(**kwargs).compute_output_shape((None, *shape[1:]))
