"""Image augmentation layers (RandomContrast, RandomBrightness, RandomTranslation,
RandomRotation, RandomZoom) and their shared affine-transform core: Keras 3 parity with the
random draw forced, hand-computed cases, inference identity, seeding, configs and errors."""

import numpy as np
import pytest
from augmentation_contract import assert_random_layer_contract
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing import (
    RandomBrightness,
    RandomContrast,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from gpulayers.layers.preprocessing.affine_transform import affine_transform

IMAGE_3x3 = np.arange(9, dtype="float32").reshape(3, 3, 1)
IMAGE_4x4 = np.arange(16, dtype="float32").reshape(4, 4, 1)


def _x(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


def _np(value):
    return ops.convert_to_numpy(value)


# -- the affine-transform core ------------------------------------------------------------
@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_affine_transform_matches_keras(fill_mode, interpolation, data_format):
    keras = keras_or_skip()
    x = _x(2, 5, 6, 3)
    if data_format == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    transform = np.array([[1.2, 0.3, -1.5, -0.2, 0.9, 2.1, 0, 0],
                          [0.8, -0.4, 3.2, 0.5, 1.1, -2.7, 0, 0]], "float32")
    theirs = keras.ops.image.affine_transform(x, transform, interpolation=interpolation,
                                              fill_mode=fill_mode, fill_value=2.5,
                                              data_format=data_format)
    ours = affine_transform(ops.convert_to_tensor(x), transform, interpolation, fill_mode,
                            2.5, data_format)
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), rtol=1e-5, atol=1e-4)


def test_affine_transform_fill_modes_by_hand():
    row = np.array([[[0.0], [1.0], [2.0]]], "float32")          # a 1x3 image
    shift = [1, 0, -2, 0, 1, 0, 0, 0]                              # out(x) = in(x - 2)
    expected = {"constant": [7, 7, 0], "nearest": [0, 0, 0], "wrap": [1, 2, 0],
                "reflect": [1, 0, 0]}
    for mode, values in expected.items():
        out = affine_transform(ops.convert_to_tensor(row), shift, "nearest", mode, 7.0)
        np.testing.assert_array_equal(_np(out).ravel(), values, err_msg=mode)


def test_affine_transform_projective_and_integer_images():
    # k = 2 everywhere for c = (0, 0) ... use a pure scale through the projective divide
    image = ops.convert_to_tensor(IMAGE_4x4)
    halve = [2, 0, 0, 0, 2, 0, 0, 0]
    ours = _np(affine_transform(image, halve, "nearest", "constant", 0.0))
    np.testing.assert_array_equal(ours[:2, :2, 0], [[0, 2], [8, 10]])
    integers = ops.convert_to_tensor(IMAGE_4x4.astype("int32"))
    out = affine_transform(integers, [1, 0, 0.5, 0, 1, 0, 0, 0], "bilinear", "nearest")
    assert out.dtype == "int32"
    with pytest.raises(ValueError, match="transform"):
        affine_transform(image, [1, 0, 0], "nearest", "constant")


# -- RandomContrast / RandomBrightness ------------------------------------------------------
def test_contrast_forced_factor_by_hand_and_keras():
    x = _x(2, 4, 5, 3)
    ours = _np(RandomContrast((-0.5, 0.5), seed=1)(x, training=True))   # factor 1.5
    mean = x.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(ours, np.clip((x - mean) * 1.5 + mean, 0, 255), rtol=1e-5,
                               atol=1e-3)
    keras = keras_or_skip()
    theirs = keras.layers.RandomContrast((-0.5, 0.5), seed=1)(x, training=True)
    np.testing.assert_allclose(ours, to_numpy(theirs), rtol=1e-5, atol=1e-3)


def test_contrast_channels_first_and_range():
    x = _x(3, 4, 5, seed=2) / 255.0
    layer = RandomContrast((-1.0, 1.0), value_range=(0, 1), data_format="channels_first")
    ours = _np(layer(x, training=True))                                   # factor 2
    mean = x.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(ours, np.clip((x - mean) * 2 + mean, 0, 1), atol=1e-6)
    draws = _np(RandomContrast(0.5, seed=3)(_x(64, 2, 2, 1), training=True))
    assert draws.shape == (64, 2, 2, 1)


def test_brightness_forced_delta_by_hand_and_keras():
    x = _x(2, 4, 5, 3)
    ours = _np(RandomBrightness((0.2, 0.2), seed=1)(x, training=True))
    np.testing.assert_allclose(ours, np.clip(x + 0.2 * 255, 0, 255), rtol=1e-6, atol=1e-3)
    unit = _np(RandomBrightness((-0.5, -0.5), value_range=(1, 0))(x[0] / 255.0))
    np.testing.assert_allclose(unit, np.clip(x[0] / 255.0 - 0.5, 0, 1), atol=1e-6)
    keras = keras_or_skip()
    theirs = keras.layers.RandomBrightness((0.2, 0.2), seed=1)(x, training=True)
    np.testing.assert_allclose(ours, to_numpy(theirs), rtol=1e-6, atol=1e-3)


# -- the geometric layers -----------------------------------------------------------------
def test_rotation_by_hand():
    out = _np(RandomRotation((0.25, 0.25), interpolation="nearest")(IMAGE_3x3))
    np.testing.assert_array_equal(out[..., 0], np.rot90(IMAGE_3x3[..., 0]))
    out = _np(RandomRotation((0.25, 0.25))(IMAGE_3x3))                 # bilinear
    np.testing.assert_allclose(out[..., 0], np.rot90(IMAGE_3x3[..., 0]), atol=1e-4)
    half = _np(RandomRotation((0.5, 0.5), interpolation="nearest",
                              data_format="channels_first")(IMAGE_4x4.reshape(1, 4, 4)))
    np.testing.assert_array_equal(half[0], np.rot90(IMAGE_4x4[..., 0], 2))
    ranged = RandomRotation(0.1, value_range=(0, 1))
    assert deserialize(serialize(ranged)).get_config() == ranged.get_config()
    assert "value_range" not in RandomRotation(0.1).get_config()        # as Keras 3.15


def test_translation_by_hand():
    layer = RandomTranslation((0.25, 0.25), (0.0, 0.0), fill_mode="constant",
                              fill_value=-1.0)
    out = _np(layer(IMAGE_4x4))[..., 0]
    expected = np.vstack([np.full((1, 4), -1.0), IMAGE_4x4[:3, :, 0]])
    np.testing.assert_allclose(out, expected, atol=1e-5)
    left = RandomTranslation(0.0, (-0.25, -0.25), fill_mode="nearest")(IMAGE_4x4)
    expected = np.hstack([IMAGE_4x4[:, 1:, 0], IMAGE_4x4[:, 3:, 0]])
    np.testing.assert_allclose(_np(left)[..., 0], expected, atol=1e-5)


def test_zoom_by_hand():
    # zoom factor 1 + (-0.5): output samples the input at 0.5 x + 0.75 (a 2x zoom in)
    out = _np(RandomZoom((-0.5, -0.5), interpolation="nearest")(IMAGE_4x4))[..., 0]
    coords = np.round(0.5 * np.arange(4) + 0.75).astype(int)
    np.testing.assert_array_equal(out, IMAGE_4x4[..., 0][np.ix_(coords, coords)])


KERAS_CASES = [
    ("RandomRotation", RandomRotation, dict(factor=(0.1, 0.1))),
    ("RandomRotation", RandomRotation, dict(factor=(-0.3, -0.3), fill_mode="constant",
                                             fill_value=9.0, interpolation="nearest")),
    ("RandomRotation", RandomRotation, dict(factor=(0.2, 0.2), fill_mode="wrap",
                                             data_format="channels_first")),
    ("RandomTranslation", RandomTranslation, dict(height_factor=(0.2, 0.2),
                                                   width_factor=(-0.3, -0.3))),
    ("RandomTranslation", RandomTranslation, dict(height_factor=(-0.1, -0.1),
                                                   width_factor=(0.4, 0.4),
                                                   fill_mode="nearest",
                                                   interpolation="nearest")),
    ("RandomZoom", RandomZoom, dict(height_factor=(0.5, 0.5))),
    ("RandomZoom", RandomZoom, dict(height_factor=(-0.3, -0.3), width_factor=(0.2, 0.2),
                                     fill_mode="constant", fill_value=3.0)),
]


@pytest.mark.parametrize("keras_name, cls, kwargs", KERAS_CASES)
def test_geometric_layers_match_keras(keras_name, cls, kwargs):
    keras = keras_or_skip()
    x = _x(2, 7, 6, 3)
    if kwargs.get("data_format") == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    theirs = getattr(keras.layers, keras_name)(**kwargs, seed=1)(x, training=True)
    ours = cls(**kwargs, seed=1)(x, training=True)
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), rtol=1e-4, atol=1e-3)
    single = cls(**kwargs, seed=1)(x[0], training=True)
    np.testing.assert_allclose(_np(single), to_numpy(theirs)[0], rtol=1e-4, atol=1e-3)


# -- common behaviour -----------------------------------------------------------------------
LAYERS = [
    lambda: RandomContrast(0.5, seed=5),
    lambda: RandomBrightness(0.3, seed=5),
    lambda: RandomRotation(0.2, seed=5),
    lambda: RandomTranslation(0.3, (-0.2, 0.1), fill_mode="wrap", seed=5),
    lambda: RandomZoom((-0.4, 0.3), 0.2, fill_mode="constant", fill_value=1.0, seed=5),
]


@pytest.mark.parametrize("make", LAYERS)
def test_inference_identity_seeding_and_config(make):
    assert_random_layer_contract(make, _x(4, 6, 5, 3))


def test_keras_configs_load():
    keras = keras_or_skip()
    for theirs, ours in [
            (keras.layers.RandomContrast(0.3, seed=2), RandomContrast),
            (keras.layers.RandomBrightness(0.4, value_range=(0, 1), seed=2),
             RandomBrightness),
            (keras.layers.RandomRotation(0.2, fill_mode="nearest", seed=2), RandomRotation),
            (keras.layers.RandomTranslation(0.1, 0.2, fill_value=1.0), RandomTranslation),
            (keras.layers.RandomZoom(0.1, interpolation="nearest"), RandomZoom)]:
        config = theirs.get_config()
        layer = ours.from_config(config)
        for key in ("factor", "value_range", "fill_mode", "interpolation", "seed",
                    "fill_value", "height_factor", "width_factor"):
            if key in config:
                expected = config[key]
                expected = tuple(expected) if isinstance(expected, list) else expected
                got = getattr(layer, key)
                assert (tuple(got) if isinstance(got, list) else got) == expected, key


@pytest.mark.parametrize("make, name", [
    (lambda: RandomContrast(1.5), "RandomContrast"),
    (lambda: RandomContrast((0.1, 0.2, 0.3)), "RandomContrast"),
    (lambda: RandomContrast(0.1, value_range=5), "RandomContrast"),
    (lambda: RandomBrightness(-1.5), "RandomBrightness"),
    (lambda: RandomBrightness("0.1"), "RandomBrightness"),
    (lambda: RandomBrightness(0.1, seed=1.5), "RandomBrightness"),
    (lambda: RandomRotation(2.0), "RandomRotation"),
    (lambda: RandomRotation(0.1, fill_mode="mirror"), "RandomRotation"),
    (lambda: RandomRotation(0.1, interpolation="bicubic"), "RandomRotation"),
    (lambda: RandomTranslation(0.1, 1.2), "RandomTranslation"),
    (lambda: RandomTranslation(0.1, 0.1, data_format="nhwc"), "RandomTranslation"),
    (lambda: RandomZoom(-1.0), "RandomZoom"),
    (lambda: RandomZoom(0.1, (0.1,)), "RandomZoom"),
])
def test_bad_arguments(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize("layer", [RandomContrast(0.1), RandomBrightness(0.1),
                                   RandomRotation(0.1), RandomZoom(0.1)])
def test_bad_rank(layer):
    with pytest.raises(ValueError, match=type(layer).__name__):
        layer(np.zeros((2, 3), "float32"))
