"""Colour-space augmentation layers (RandomGrayscale, RandomSaturation, RandomHue,
RandomColorDegeneration, RandomSharpness, RandomColorJitter) and the colour machinery in
color_ops: Keras 3 parity with the random draw forced (degenerate factor ranges, or the
same transformation handed to Keras's ``transform_images``), hand-computed cases, dtypes,
channels_first, rank 3, gradients by finite differences, and errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.layers.preprocessing.color_ops import (
    base_factor,
    channel_histograms,
    hsv_to_rgb,
    rgb_to_grayscale,
    rgb_to_hsv,
)
from gpulayers.layers.preprocessing.random_brightness import RandomBrightness
from gpulayers.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from gpulayers.layers.preprocessing.random_color_jitter import RandomColorJitter
from gpulayers.layers.preprocessing.random_contrast import RandomContrast
from gpulayers.layers.preprocessing.random_grayscale import RandomGrayscale
from gpulayers.layers.preprocessing.random_hue import RandomHue
from gpulayers.layers.preprocessing.random_saturation import RandomSaturation
from gpulayers.layers.preprocessing.random_sharpness import RandomSharpness
from gpulayers.testing import check_layer_gradients


def _x(*shape, seed=0, high=255.0):
    return np.random.default_rng(seed).uniform(0, high, size=shape).astype("float32")


def _np(value):
    return ops.convert_to_numpy(value)


def _first(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, -3))


# -- color_ops ------------------------------------------------------------------------------
def test_hsv_round_trip_by_hand():
    # orange, a blue-ish grey, and a magenta-red whose raw hue is negative (wraps to 11/12)
    rgb = np.array([[[1.0, 0.5, 0.0], [0.2, 0.2, 0.6], [1.0, 0.0, 0.5]]], "float32")
    hsv = _np(rgb_to_hsv(ops.convert_to_tensor(rgb), "channels_last"))
    expected = [[[1 / 12, 1.0, 1.0], [2 / 3, 2 / 3, 0.6], [11 / 12, 1.0, 1.0]]]
    np.testing.assert_allclose(hsv, expected, atol=1e-6)
    back = _np(hsv_to_rgb(ops.convert_to_tensor(hsv), "channels_last"))
    np.testing.assert_allclose(back, rgb, atol=1e-6)
    grey = np.full((1, 1, 3), 0.4, "float32")                        # no hue, no saturation
    np.testing.assert_allclose(_np(rgb_to_hsv(ops.convert_to_tensor(grey), "channels_last")),
                               [[[0.0, 0.0, 0.4]]], atol=1e-7)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_color_conversions_match_keras(data_format):
    keras = keras_or_skip()
    x = _x(2, 5, 4, 3, high=1.0)
    x[0, 0, 0] = [0.3, 0.3, 0.3]                                      # a grey pixel
    x = _first(x) if data_format == "channels_first" else x
    image = ops.convert_to_tensor(x)
    hsv = keras.ops.image.rgb_to_hsv(x, data_format=data_format)
    np.testing.assert_allclose(_np(rgb_to_hsv(image, data_format)), to_numpy(hsv), atol=1e-6)
    theirs = keras.ops.image.hsv_to_rgb(x, data_format=data_format)
    np.testing.assert_allclose(_np(hsv_to_rgb(image, data_format)), to_numpy(theirs),
                               atol=1e-6)
    grey = keras.ops.image.rgb_to_grayscale(x, data_format=data_format)
    np.testing.assert_allclose(_np(rgb_to_grayscale(image, data_format)), to_numpy(grey),
                               atol=1e-6)


def test_grayscale_by_hand_and_integer_truncation():
    red = np.array([[[255, 0, 0], [10, 20, 30]]], "uint8")
    grey = _np(rgb_to_grayscale(ops.convert_to_tensor(red), "channels_last"))
    assert grey.dtype == np.uint8 and grey.shape == (1, 2, 1)
    # 0.2989 * 255 = 76.22 -> 76; 2.989 + 11.74 + 3.42 = 18.149 -> 18
    np.testing.assert_array_equal(grey[..., 0], [[76, 18]])
    single = np.array([[[7.0]]], "float32")
    np.testing.assert_array_equal(_np(rgb_to_grayscale(ops.convert_to_tensor(single),
                                                       "channels_last")), single)


def test_channel_histograms_against_a_loop():
    indices = np.random.default_rng(3).integers(0, 5, size=(2, 3, 17))
    counts = _np(channel_histograms(ops.convert_to_tensor(indices.astype("int32")), 5))
    for n in range(2):
        for c in range(3):
            np.testing.assert_array_equal(counts[n, c], np.bincount(indices[n, c],
                                                                    minlength=5))


def test_base_factor_follows_keras():
    assert base_factor("L", 0.3, (-1, 1)) == (-0.3, 0.3)
    assert base_factor("L", 0.3, (0, 1)) == (0, 0.3)
    assert base_factor("L", [0.8, 0.2], (0, 1)) == (0.2, 0.8)
    for bad in (1.5, (0.1,), "0.1", True, (2.0, 3.0)):
        with pytest.raises(ValueError, match="L: `factor`"):
            base_factor("L", bad, (0, 1))


# -- Keras parity with forced draws ---------------------------------------------------------
KERAS_CASES = [
    ("RandomGrayscale", RandomGrayscale, dict(factor=1.0)),
    ("RandomGrayscale", RandomGrayscale, dict(factor=0.0)),
    ("RandomSaturation", RandomSaturation, dict(factor=(0.7, 0.7))),
    ("RandomSaturation", RandomSaturation, dict(factor=(0.2, 0.2), value_range=(0, 1))),
    ("RandomHue", RandomHue, dict(factor=(1.0, 1.0))),               # +-half a turn agree
    ("RandomHue", RandomHue, dict(factor=(1.0, 1.0), value_range=(0, 1))),
    ("RandomColorDegeneration", RandomColorDegeneration, dict(factor=(0.4, 0.4))),
    ("RandomColorDegeneration", RandomColorDegeneration, dict(factor=(-0.6, -0.6))),
    ("RandomSharpness", RandomSharpness, dict(factor=(0.2, 0.2))),
    ("RandomSharpness", RandomSharpness, dict(factor=(0.9, 0.9), value_range=(0, 1))),
    ("RandomColorJitter", RandomColorJitter, dict(brightness_factor=(0.1, 0.1),
                                                  contrast_factor=(-0.5, 0.5),
                                                  saturation_factor=(0.7, 0.7),
                                                  hue_factor=(1.0, 1.0))),
    ("RandomColorJitter", RandomColorJitter, dict(value_range=(0, 1),
                                                  saturation_factor=(0.3, 0.3))),
]


@pytest.mark.parametrize("keras_name, cls, kwargs", KERAS_CASES)
def test_forced_draws_match_keras(keras_name, cls, kwargs):
    keras = keras_or_skip()
    high = float(kwargs.get("value_range", (0, 255))[1])
    x = _x(2, 6, 5, 3, high=high)
    theirs = to_numpy(getattr(keras.layers, keras_name)(**kwargs, seed=1)(x, training=True))
    ours = _np(cls(**kwargs, seed=1)(x, training=True))
    atol = 2e-3 * high
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=atol)
    single = _np(cls(**kwargs, seed=1)(x[0], training=True))          # rank 3
    np.testing.assert_allclose(single, theirs[0], rtol=1e-5, atol=atol)
    if keras_name != "RandomColorJitter":      # Keras's jitter ignores data_format
        first = _np(cls(**kwargs, data_format="channels_first")(_first(x), training=True))
        np.testing.assert_allclose(first, _first(theirs), rtol=1e-5, atol=atol)


@pytest.mark.parametrize("delta", [0.3, -0.3, 0.05, -0.45])
def test_hue_transform_matches_keras(delta):
    keras = keras_or_skip()
    x = _x(2, 4, 5, 3)
    shifts = np.array([delta, -delta / 2], "float32")
    theirs = keras.layers.RandomHue(0.5).transform_images(
        keras.ops.convert_to_tensor(x), {"factor": keras.ops.convert_to_tensor(shifts)})
    ours = RandomHue(0.5).transform_images(ops.convert_to_tensor(x), {"factor": shifts})
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), rtol=1e-5, atol=2e-3)


def test_hue_by_hand():
    red = np.array([[[255.0, 0.0, 0.0]]], "float32")
    third = RandomHue(0.5).transform_images(ops.convert_to_tensor(red[None]),
                                            {"factor": np.array([1 / 3], "float32")})
    np.testing.assert_allclose(_np(third)[0], [[[0.0, 255.0, 0.0]]], atol=1e-3)  # green
    half = _np(RandomHue((1.0, 1.0))(red, training=True))            # cyan either way
    np.testing.assert_allclose(half, [[[0.0, 255.0, 255.0]]], atol=1e-3)
    x = _x(3, 4, 4, 3, seed=4)
    np.testing.assert_allclose(_np(RandomHue(0.0)(x, training=True)), x, atol=1e-3)


def test_saturation_by_hand():
    x = _x(2, 3, 4, 3, seed=5)
    grey = _np(RandomSaturation((0.0, 0.0))(x, training=True))       # s = 0: all = max
    np.testing.assert_allclose(grey, np.repeat(x.max(-1, keepdims=True), 3, -1), rtol=1e-6)
    same = _np(RandomSaturation((0.5, 0.5))(x, training=True))       # s * (1 - 4e-7)
    np.testing.assert_allclose(same, x, atol=1e-3)


def test_degeneration_and_grayscale_by_hand():
    x = _x(2, 3, 4, 3, seed=6)
    luma = x @ np.array([0.2989, 0.587, 0.114], "float32")
    grey = _np(RandomColorDegeneration((1.0, 1.0))(x, training=True))
    np.testing.assert_allclose(grey, np.repeat(luma[..., None], 3, -1), rtol=1e-5)
    half = _np(RandomColorDegeneration((0.5, 0.5), value_range=(0, 100))(x, training=True))
    np.testing.assert_allclose(half, np.clip((x + luma[..., None]) / 2, 0, 100), rtol=1e-5)
    converted = _np(RandomGrayscale(1.0)(x, training=True))
    np.testing.assert_allclose(converted, np.repeat(luma[..., None], 3, -1), rtol=1e-5)


def test_sharpness_by_hand():
    x = _x(1, 4, 5, 2, seed=7)
    kernel = np.full((3, 3), 1 / 13)
    kernel[1, 1] = 5 / 13
    padded = np.pad(x[0], ((1, 1), (1, 1), (0, 0)))                  # zero padding
    smooth = np.zeros_like(x[0])
    for i in range(4):
        for j in range(5):
            smooth[i, j] = np.tensordot(kernel, padded[i:i + 3, j:j + 3], axes=([0, 1],
                                                                                 [0, 1]))
    blurred = _np(RandomSharpness((0.0, 0.0), value_range=(0, 1000))(x, training=True))
    np.testing.assert_allclose(blurred[0], smooth, rtol=1e-5)
    same = _np(RandomSharpness((0.5, 0.5))(x, training=True))
    np.testing.assert_allclose(same, x, rtol=1e-6)
    sharp = _np(RandomSharpness((1.0, 1.0), value_range=(-1e4, 1e4))(x, training=True))
    np.testing.assert_allclose(sharp[0], 2 * x[0] - smooth, rtol=1e-4, atol=1e-3)


def test_jitter_is_its_steps_in_order():
    x = _x(2, 4, 4, 3, seed=8)
    jitter = RandomColorJitter(brightness_factor=(-0.1, -0.1), contrast_factor=(-0.4, 0.4),
                               saturation_factor=(0.8, 0.8), hue_factor=(0.0, 0.0))
    expected = x
    for step in (RandomBrightness((-0.1, -0.1)), RandomContrast((-0.4, 0.4)),
                 RandomSaturation((0.8, 0.8)), RandomHue(0.0)):
        expected = _np(step(expected, training=True))
    np.testing.assert_allclose(_np(jitter(x, training=True)), expected, rtol=1e-5, atol=1e-3)
    assert [type(s).__name__ for s in jitter.steps] == ["RandomBrightness", "RandomContrast",
                                                         "RandomSaturation", "RandomHue"]
    np.testing.assert_array_equal(_np(RandomColorJitter()(x, training=True)), x)


# -- dtypes ----------------------------------------------------------------------------------
def test_dtypes_follow_keras():
    keras = keras_or_skip()
    x = np.random.default_rng(9).integers(0, 256, (2, 3, 4, 3)).astype("uint8")
    for training in (True, False):
        theirs = to_numpy(keras.layers.RandomGrayscale(1.0)(x, training=training))
        ours = _np(RandomGrayscale(1.0)(x, training=training))
        assert ours.dtype == np.uint8
        np.testing.assert_array_equal(ours, theirs)
    for cls, kwargs, at_inference in [
            (RandomColorDegeneration, dict(factor=(0.3, 0.3)), "uint8"),
            (RandomHue, dict(factor=(1.0, 1.0)), "uint8"),
            (RandomSharpness, dict(factor=(0.3, 0.3)), "float32"),
            (RandomColorJitter, dict(brightness_factor=(0.1, 0.1)), "uint8")]:
        assert _np(cls(**kwargs)(x, training=True)).dtype == np.float32
        out = _np(cls(**kwargs)(x, training=False))
        assert out.dtype == np.dtype(at_inference)
        np.testing.assert_array_equal(out, x)
        theirs = to_numpy(getattr(keras.layers, cls.__name__)(**kwargs)(x, training=False))
        assert theirs.dtype == np.dtype(at_inference)
    saturated = _np(RandomSaturation((0.3, 0.3))(x, training=True))    # Keras raises here
    assert saturated.dtype == np.float32
    half = RandomColorDegeneration((0.3, 0.3), dtype="float64")(x.astype("float32"))
    assert half.dtype == "float64"


# -- gradients (float64 central differences) -----------------------------------------------
@pytest.mark.parametrize("layer", [
    RandomColorDegeneration((0.3, 0.3), dtype="float64"),
    RandomSharpness((0.8, 0.8), value_range=(-1e3, 1e3), dtype="float64"),
    RandomSaturation((0.6, 0.6), dtype="float64"),
    RandomHue((0.4, 0.4), value_range=(0, 1), dtype="float64", seed=3),
])
def test_gradients(layer):
    x = np.random.default_rng(10).uniform(0.1, 0.9, (1, 3, 3, 3))
    if isinstance(layer, RandomHue):   # the sign of the shift is random: pin it
        layer.get_random_transformation = lambda images, **_: {"factor": np.array([0.1])}
    check_layer_gradients(layer, x, {"training": True}, rtol=1e-4, atol=1e-6)


# -- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("make, name", [
    (lambda: RandomGrayscale(1.5), "RandomGrayscale"),
    (lambda: RandomGrayscale((0.1, 0.2)), "RandomGrayscale"),
    (lambda: RandomGrayscale(0.5, seed="1"), "RandomGrayscale"),
    (lambda: RandomSaturation(2.0), "RandomSaturation"),
    (lambda: RandomSaturation(0.5, value_range=(0, 1, 2)), "RandomSaturation"),
    (lambda: RandomHue(-0.5), "RandomHue"),
    (lambda: RandomHue((0.1, 0.2, 0.3)), "RandomHue"),
    (lambda: RandomColorDegeneration("strong"), "RandomColorDegeneration"),
    (lambda: RandomSharpness(1.2), "RandomSharpness"),
    (lambda: RandomSharpness(0.5, data_format="nhwc"), "RandomSharpness"),
    (lambda: RandomColorJitter(hue_factor=3.0), "RandomColorJitter"),
    (lambda: RandomColorJitter(value_range=255), "RandomColorJitter"),
])
def test_bad_arguments(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize("make", [lambda: RandomSaturation(0.5), lambda: RandomHue(0.5),
                                  lambda: RandomGrayscale(1.0),
                                  lambda: RandomColorJitter(saturation_factor=0.5)])
def test_wrong_channel_count(make):
    layer = make()
    with pytest.raises(ValueError, match=f"{type(layer).__name__} .*3 channels"):
        layer(np.zeros((1, 4, 4, 4), "float32"), training=True)


@pytest.mark.parametrize("make", [lambda: RandomSaturation(0.5), lambda: RandomSharpness(0.5)])
def test_bad_rank(make):
    layer = make()
    with pytest.raises(ValueError, match=type(layer).__name__):
        layer(np.zeros((4, 3), "float32"))
