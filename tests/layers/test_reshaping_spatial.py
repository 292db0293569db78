"""Cropping1D/2D/3D, ZeroPadding1D/2D/3D, UpSampling1D/2D/3D: standard checks, hand-written
and plain-loop references, Keras parity, errors."""

import math

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers.layers import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    Input,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from gpulayers.testing import run_layer_test

rng = np.random.default_rng(0)
IMAGE = np.arange(1, 10, dtype="float32").reshape(1, 3, 3, 1)  # [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


# -- ZeroPadding: the proofs, written out by hand --------------------------------------
@pytest.mark.parametrize("padding, expected", [
    (((1, 0), (1, 0)), [[0, 0, 0, 0],
                        [0, 1, 2, 3],
                        [0, 4, 5, 6],
                        [0, 7, 8, 9]]),
    (((2, 0), (2, 0)), [[0, 0, 0, 0, 0],
                        [0, 0, 0, 0, 0],
                        [0, 0, 1, 2, 3],
                        [0, 0, 4, 5, 6],
                        [0, 0, 7, 8, 9]]),
    (((1, 1), (1, 1)), [[0, 0, 0, 0, 0],
                        [0, 1, 2, 3, 0],
                        [0, 4, 5, 6, 0],
                        [0, 7, 8, 9, 0],
                        [0, 0, 0, 0, 0]]),
    ((0, 1), [[0, 1, 2, 3, 0],
              [0, 4, 5, 6, 0],
              [0, 7, 8, 9, 0]]),
])
def test_zero_padding2d_by_hand(padding, expected):
    expected = np.array(expected, "float32")[None, :, :, None]
    out = run_layer_test(ZeroPadding2D, {"padding": padding}, input_data=IMAGE,
                         expected_output_shape=expected.shape, expected_output=expected)
    channels_first = ZeroPadding2D(padding, data_format="channels_first")(IMAGE[..., 0][:, None])
    np.testing.assert_array_equal(np.asarray(channels_first)[:, 0], expected[..., 0])
    assert out.shape == expected.shape


@pytest.mark.parametrize("cls, kwargs, input_shape, expected", [
    (ZeroPadding1D, {}, (2, 3, 2), (2, 5, 2)),
    (ZeroPadding1D, {"padding": (2, 0), "data_format": "channels_first"}, (2, 3, 2), (2, 3, 4)),
    (ZeroPadding2D, {"padding": (1, 2)}, (1, 2, 3, 2), (1, 4, 7, 2)),
    (ZeroPadding3D, {}, (1, 2, 2, 2, 1), (1, 4, 4, 4, 1)),
    (ZeroPadding3D, {"padding": ((0, 1), 2, (1, 0)), "data_format": "channels_first"},
     (1, 2, 2, 1, 3), (1, 2, 3, 5, 4)),
])
def test_zero_padding_layer(cls, kwargs, input_shape, expected):
    x = _x(*input_shape)
    out = run_layer_test(cls, kwargs, input_data=x, expected_output_shape=expected,
                         expected_num_trainable_weights=0)
    layer = cls(**kwargs)
    widths = [(0, 0)] * len(input_shape)
    first = 2 if layer.data_format == "channels_first" else 1
    for i, pair in enumerate(layer._pairs):
        widths[first + i] = pair
    np.testing.assert_array_equal(np.asarray(out), np.pad(x, widths))


# -- Cropping ----------------------------------------------------------------------------------
def test_cropping2d_by_hand():
    out = Cropping2D(((1, 0), (0, 1)))(IMAGE)
    np.testing.assert_array_equal(np.asarray(out)[0, :, :, 0], [[4, 5], [7, 8]])
    out = Cropping2D(1)(IMAGE)
    np.testing.assert_array_equal(np.asarray(out)[0, :, :, 0], [[5]])


@pytest.mark.parametrize("cls, kwargs, input_shape, expected, key", [
    (Cropping1D, {}, (2, 5, 2), (2, 3, 2), np.s_[:, 1:4]),
    (Cropping1D, {"cropping": (2, 0)}, (2, 5, 2), (2, 3, 2), np.s_[:, 2:]),
    (Cropping1D, {"cropping": 1}, (1, 3, 1), (1, 1, 1), np.s_[:, 1:2]),
    (Cropping2D, {"cropping": ((1, 2), (0, 1))}, (1, 5, 4, 2), (1, 2, 3, 2),
     np.s_[:, 1:3, 0:3]),
    (Cropping2D, {"cropping": (1, 2), "data_format": "channels_first"}, (1, 2, 4, 5),
     (1, 2, 2, 1), np.s_[:, :, 1:3, 2:3]),
    (Cropping3D, {}, (1, 3, 4, 5, 2), (1, 1, 2, 3, 2), np.s_[:, 1:2, 1:3, 1:4]),
    (Cropping3D, {"cropping": ((0, 1), 1, (2, 0)), "data_format": "channels_first"},
     (1, 2, 3, 4, 5), (1, 2, 2, 2, 3), np.s_[:, :, 0:2, 1:3, 2:5]),
])
def test_cropping_layer(cls, kwargs, input_shape, expected, key):
    x = _x(*input_shape)
    run_layer_test(cls, kwargs, input_data=x, expected_output_shape=expected,
                   expected_output=x[key], expected_num_trainable_weights=0)


def test_cropping_shapes_with_unknown_sizes():
    assert Cropping2D(((1, 1), (2, 0))).compute_output_shape((None, None, 9, 3)) == (
        None, None, 7, 3)
    assert Cropping1D((1, 1))(Input((None, 4))).shape == (None, None, 4)
    assert Cropping1D(2).get_config()["cropping"] == (2, 2)
    assert "data_format" not in Cropping1D().get_config()
    assert Cropping2D(3).get_config()["cropping"] == ((3, 3), (3, 3))


def test_cropping_too_much_is_refused():
    with pytest.raises(ValueError, match=r"Cropping2D 'crop'.*axis 2 has size 3"):
        Cropping2D(((0, 0), (2, 1)), name="crop")(_x(1, 4, 3, 1))
    with pytest.raises(ValueError, match=r"Cropping1D.*axis 1 has size 4"):
        Cropping1D((2, 2))(Input((4, 3)))


# -- UpSampling --------------------------------------------------------------------------------
def bilinear_reference(image, fy, fx):
    """Half-pixel-center bilinear resize of (h, w) by a plain double loop."""
    h, w = image.shape
    out = np.zeros((h * fy, w * fx))
    for i in range(h * fy):
        for j in range(w * fx):
            sy = min(max((i + 0.5) / fy - 0.5, 0.0), h - 1)
            sx = min(max((j + 0.5) / fx - 0.5, 0.0), w - 1)
            y0, x0 = math.floor(sy), math.floor(sx)
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            ty, tx = sy - y0, sx - x0
            out[i, j] = ((1 - ty) * (1 - tx) * image[y0, x0] + (1 - ty) * tx * image[y0, x1]
                         + ty * (1 - tx) * image[y1, x0] + ty * tx * image[y1, x1])
    return out


def test_up_sampling2d_bilinear_by_hand():
    row = np.array([[0.0, 4.0]], "float32")[None, :, :, None]  # one row [0, 4]
    out = UpSampling2D((1, 2), interpolation="bilinear")(row)
    # samples at x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
    np.testing.assert_allclose(np.asarray(out)[0, 0, :, 0], [0.0, 1.0, 3.0, 4.0])


@pytest.mark.parametrize("size", [(2, 2), (3, 2), (1, 4)])
def test_up_sampling2d_bilinear_matches_the_loop(size):
    x = _x(2, 3, 4, 2)
    out = run_layer_test(UpSampling2D, {"size": size, "interpolation": "bilinear"},
                         input_data=x, expected_output_shape=(2, 3 * size[0], 4 * size[1], 2))
    for b in range(2):
        for c in range(2):
            np.testing.assert_allclose(np.asarray(out)[b, :, :, c],
                                       bilinear_reference(x[b, :, :, c], *size), rtol=1e-5,
                                       atol=1e-6)
    first = UpSampling2D(size, data_format="channels_first", interpolation="BILINEAR")(
        x.transpose(0, 3, 1, 2))
    np.testing.assert_allclose(np.asarray(first).transpose(0, 2, 3, 1), np.asarray(out),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("cls, kwargs, input_shape, repeats", [
    (UpSampling1D, {}, (2, 3, 2), {1: 2}),
    (UpSampling1D, {"size": 3}, (1, 2, 1), {1: 3}),
    (UpSampling2D, {}, (1, 2, 3, 2), {1: 2, 2: 2}),
    (UpSampling2D, {"size": (3, 1), "data_format": "channels_first"}, (1, 2, 2, 3), {2: 3}),
    (UpSampling3D, {}, (1, 2, 1, 2, 1), {1: 2, 2: 2, 3: 2}),
    (UpSampling3D, {"size": (1, 2, 3), "data_format": "channels_first"}, (1, 2, 2, 2, 1),
     {3: 2, 4: 3}),
])
def test_up_sampling_nearest(cls, kwargs, input_shape, repeats):
    x = _x(*input_shape)
    expected = x
    for axis, count in repeats.items():
        expected = np.repeat(expected, count, axis=axis)
    run_layer_test(cls, kwargs, input_data=x, expected_output_shape=expected.shape,
                   expected_output=expected, expected_num_trainable_weights=0)


def test_up_sampling_configs_and_shapes():
    assert UpSampling1D(3).get_config()["size"] == 3
    assert UpSampling2D(2).get_config()["size"] == (2, 2)
    assert UpSampling3D(2).compute_output_shape((None, 2, None, 3, 4)) == (None, 4, None, 6, 4)
    assert UpSampling2D((2, 3))(Input((None, 5, 2))).shape == (None, None, 15, 2)
    assert "interpolation" not in UpSampling3D().get_config()


@pytest.mark.parametrize("cls, kwargs, match", [
    (UpSampling1D, {"size": 0}, "size"),
    (UpSampling1D, {"size": 1.5}, "size"),
    (UpSampling2D, {"size": (2, 0)}, "size"),
    (UpSampling2D, {"interpolation": "bicubic"}, "interpolation.*bicubic"),
    (UpSampling3D, {"size": (2, 2)}, "size"),
    (UpSampling2D, {"data_format": "NHWC"}, "data_format"),
    (ZeroPadding1D, {"padding": -1}, "padding"),
    (ZeroPadding2D, {"padding": (1, 2, 3)}, "padding"),
    (ZeroPadding2D, {"padding": ((1, -1), 2)}, "padding"),
    (ZeroPadding3D, {"padding": "same"}, "padding"),
    (Cropping1D, {"cropping": (1, 2, 3)}, "cropping"),
    (Cropping2D, {"cropping": ((1, 1),)}, "cropping"),
    (Cropping3D, {"cropping": 1.0}, "cropping"),
])
def test_argument_errors(cls, kwargs, match):
    with pytest.raises(ValueError, match=f"{cls.__name__} '.*{match}"):
        cls(**kwargs)


def test_wrong_input_rank_is_refused():
    for layer in (ZeroPadding2D(), Cropping2D(), UpSampling2D()):
        with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
            layer(_x(1, 3, 3))


# -- Keras parity ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs, shape", [
    ("ZeroPadding1D", {"padding": (1, 2)}, (2, 3, 2)),
    ("ZeroPadding2D", {"padding": ((1, 0), (2, 1))}, (1, 3, 3, 2)),
    ("ZeroPadding2D", {"padding": (1, 2), "data_format": "channels_first"}, (1, 2, 3, 3)),
    ("ZeroPadding3D", {"padding": ((0, 1), 1, (2, 0))}, (1, 2, 2, 2, 1)),
    ("Cropping1D", {"cropping": (1, 2)}, (2, 5, 2)),
    ("Cropping2D", {"cropping": ((1, 0), (0, 2))}, (1, 4, 4, 2)),
    ("Cropping2D", {"cropping": 1, "data_format": "channels_first"}, (1, 2, 4, 4)),
    ("Cropping3D", {"cropping": ((1, 0), 1, (0, 2))}, (1, 3, 4, 5, 2)),
    ("UpSampling1D", {"size": 3}, (2, 3, 2)),
    ("UpSampling2D", {"size": (2, 3)}, (1, 3, 2, 2)),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("UpSampling2D", {"size": 4, "interpolation": "bilinear", "data_format": "channels_first"},
     (1, 2, 3, 3)),
    ("UpSampling3D", {"size": (1, 2, 3)}, (1, 2, 2, 2, 1)),
])
def test_keras_parity(name, kwargs, shape):
    keras = keras_or_skip()
    ours = globals()[name]
    theirs = getattr(keras.layers, name)
    assert_keras_parity(ours, theirs, kwargs, _x(*shape))
    assert ours(**kwargs).get_config() | {"name": None} == {
        **theirs(**kwargs).get_config(), "name": None, "dtype": "float32"}
