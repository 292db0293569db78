"""Tone-level colour layers (Solarization, RandomPosterization, RandomInvert, AutoContrast,
Equalization) against Keras 3 and hand-computed cases, plus the behaviour every colour
layer shares: inference identity, seeding, config round trips, Keras configs, errors."""

import warnings

import numpy as np
import pytest
from augmentation_contract import assert_random_layer_contract
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing.auto_contrast import AutoContrast
from gpulayers.layers.preprocessing.equalization import Equalization
from gpulayers.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from gpulayers.layers.preprocessing.random_color_jitter import RandomColorJitter
from gpulayers.layers.preprocessing.random_grayscale import RandomGrayscale
from gpulayers.layers.preprocessing.random_hue import RandomHue
from gpulayers.layers.preprocessing.random_invert import RandomInvert
from gpulayers.layers.preprocessing.random_posterization import RandomPosterization
from gpulayers.layers.preprocessing.random_saturation import RandomSaturation
from gpulayers.layers.preprocessing.random_sharpness import RandomSharpness
from gpulayers.layers.preprocessing.solarization import Solarization
from gpulayers.testing import check_layer_gradients


def _x(*shape, seed=0, high=255.0):
    return np.random.default_rng(seed).uniform(0, high, size=shape).astype("float32")


def _np(value):
    return ops.convert_to_numpy(value)


def _first(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, -3))


def _keras_call(layer, x, **kwargs):
    """Keras 3.15's Equalization makes torch warn about ``Tensor.T`` on a 0-d tensor."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Tensor.T is deprecated", UserWarning)
        return to_numpy(layer(x, **kwargs))


# -- Solarization ---------------------------------------------------------------------------
def test_solarization_by_hand():
    x = np.array([[[0.0], [100.0], [127.0], [128.0], [250.0]]], "float32")
    inverted = _np(Solarization()(x, training=True))                 # a = t = 0
    np.testing.assert_allclose(inverted, 255.0 - x)
    layer = Solarization(value_range=(0, 1))
    shifted = layer.transform_images(ops.convert_to_tensor(x[None] / 255.0), {
        "additions": np.full((1, 1, 1, 1), 20.0, "float32"),
        "thresholds": np.full((1, 1, 1, 1), 128.0, "float32")})
    expected = np.array([20, 120, 255 - 147, 255 - 148, 0], "float32") / 255.0
    np.testing.assert_allclose(_np(shifted).ravel(), expected, atol=1e-6)


@pytest.mark.parametrize("value_range", [(0, 255), (0, 1)])
def test_solarization_transform_matches_keras(value_range):
    keras = keras_or_skip()
    x = _x(3, 4, 5, 3, high=value_range[1])
    transformation = {"additions": np.array([0.0, 30.0, 90.0], "float32").reshape(3, 1, 1, 1),
                      "thresholds": np.array([200.0, 64.0, 128.0], "float32").reshape(
                          3, 1, 1, 1)}
    theirs = keras.layers.Solarization(value_range=value_range).transform_images(
        keras.ops.convert_to_tensor(x),
        {k: keras.ops.convert_to_tensor(v) for k, v in transformation.items()})
    ours = Solarization(value_range=value_range).transform_images(ops.convert_to_tensor(x),
                                                                  transformation)
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), rtol=1e-5, atol=1e-5)
    plain = keras.layers.Solarization(value_range=value_range)(x, training=True)
    np.testing.assert_allclose(_np(Solarization(value_range=value_range)(x[0])),
                               to_numpy(plain)[0], rtol=1e-5, atol=1e-4)


def test_solarization_draws_follow_keras_ranges():
    draws = Solarization((0.2, 0.4), (0.5, 1.0), seed=2).get_random_transformation(
        np.zeros((500, 1, 1, 1), "float32"))
    additions, thresholds = _np(draws["additions"]), _np(draws["thresholds"])
    assert additions.shape == (500, 1, 1, 1)
    # Keras 3.15 draws from [lower, upper * 255]: the lower bound is not scaled.
    assert 0.2 <= additions.min() < 10 and 90 < additions.max() <= 0.4 * 255
    assert thresholds.min() < 20 and thresholds.max() > 240


# -- RandomPosterization ---------------------------------------------------------------------
def test_posterization_by_hand():
    x = np.array([[[200.0, 37.0, 255.0], [0.0, 31.9, 128.5]]], "float32")
    out = _np(RandomPosterization((3, 3))(x, training=True))          # keep 3 bits: 32 steps
    np.testing.assert_array_equal(out, [[[192, 32, 224], [0, 0, 128]]])
    unit = _np(RandomPosterization((1, 1), value_range=(0, 1))(x / 255.0, training=True))
    np.testing.assert_allclose(unit, np.where(x >= 128, 128 / 255.0, 0.0), atol=1e-6)
    eight = _np(RandomPosterization((8, 8))(x, training=True))        # truncation only
    np.testing.assert_array_equal(eight, np.floor(x))


@pytest.mark.parametrize("kwargs", [dict(factor=(3, 3)), dict(factor=(6, 6),
                                                             value_range=(0, 1))])
def test_posterization_matches_keras(kwargs):
    keras = keras_or_skip()
    high = float(kwargs.get("value_range", (0, 255))[1])
    x = _x(2, 5, 4, 3, high=high)
    theirs = to_numpy(keras.layers.RandomPosterization(**kwargs)(x, training=True))
    np.testing.assert_allclose(_np(RandomPosterization(**kwargs)(x, training=True)), theirs,
                               rtol=1e-6, atol=1e-6)
    first = RandomPosterization(**kwargs, data_format="channels_first")(_first(x))
    np.testing.assert_allclose(_np(first), _first(theirs), rtol=1e-6, atol=1e-6)


def test_posterization_draws_exclude_upper_bound():
    bits = 8 - _np(RandomPosterization((2, 5), seed=1).get_random_transformation(
        np.zeros((400, 1, 1, 1), "float32"))["shift_factor"])
    assert set(np.unique(bits)) == {2, 3, 4}                          # randint: [2, 5)


# -- RandomInvert ----------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [dict(factor=(1.0, 1.0)), dict(factor=0.0),
                                    dict(factor=(1.0, 1.0), value_range=(-1, 1))])
def test_invert_matches_keras_and_hand(kwargs):
    keras = keras_or_skip()
    x = _x(2, 3, 4, 3) / 255.0 * 2 - 1
    theirs = to_numpy(keras.layers.RandomInvert(**kwargs)(x, training=True))
    ours = _np(RandomInvert(**kwargs)(x, training=True))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    high = kwargs.get("value_range", (0, 255))[1]
    np.testing.assert_allclose(ours, high - x if kwargs["factor"] else x, atol=1e-5)


def test_invert_transform_matches_keras():
    keras = keras_or_skip()
    x = _x(3, 2, 2, 1)
    apply = np.array([True, False, True])
    theirs = keras.layers.RandomInvert().transform_images(
        keras.ops.convert_to_tensor(x), {"apply_inversion": keras.ops.convert_to_tensor(apply)})
    ours = RandomInvert().transform_images(ops.convert_to_tensor(x), {"apply_inversion": apply})
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), atol=1e-5)


# -- AutoContrast ----------------------------------------------------------------------------
def test_auto_contrast_by_hand():
    x = np.array([[[0.2, 0.5], [0.4, 0.5], [0.6, 0.5]]], "float32")  # channel 1 constant
    out = _np(AutoContrast(value_range=(0, 1))(x, training=False))
    np.testing.assert_allclose(out, [[[0.0, 0.5], [0.5, 0.5], [1.0, 0.5]]], atol=1e-6)


def test_auto_contrast_matches_keras():
    keras = keras_or_skip()
    x = _x(2, 5, 6, 3, seed=3) * 0.5 + 40
    x[1, ..., 2] = 7.0                                                # a constant channel
    theirs = to_numpy(keras.layers.AutoContrast()(x))
    ours = _np(AutoContrast()(x))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-3)
    first = _np(AutoContrast(data_format="channels_first")(_first(x)))
    np.testing.assert_allclose(first, _first(theirs), rtol=1e-5, atol=1e-3)
    unit = keras.layers.AutoContrast(value_range=(0, 1))(x[0] / 255.0)
    np.testing.assert_allclose(_np(AutoContrast(value_range=(0, 1))(x[0] / 255.0)),
                               to_numpy(unit), rtol=1e-5, atol=1e-6)


def test_auto_contrast_gradient():
    x = np.random.default_rng(4).uniform(10, 200, (1, 3, 3, 2))
    check_layer_gradients(AutoContrast(dtype="float64"), x, rtol=1e-4, atol=1e-6)


# -- Equalization ----------------------------------------------------------------------------
def test_equalization_by_hand():
    x = np.array([[[10.0], [10.0], [20.0], [30.0]]], "float32")      # 1x4, one channel
    out = _np(Equalization()(x, training=True))
    # cdf 2, 3, 4 with cdf_min 2 -> 255 * (0, 1, 2) / 2, rounded half to even
    np.testing.assert_array_equal(out.ravel(), [0, 0, 128, 255])
    flat = np.full((1, 3, 2), 77.0, "float32")                        # one bin: unchanged
    np.testing.assert_array_equal(_np(Equalization()(flat, training=True)), flat)
    np.testing.assert_array_equal(_np(Equalization()(x, training=False)), x)


@pytest.mark.parametrize("kwargs", [dict(), dict(bins=16), dict(value_range=(0, 1))])
def test_equalization_matches_keras_per_image(kwargs):
    keras = keras_or_skip()
    high = float(kwargs.get("value_range", (0, 255))[1])
    x = _x(2, 6, 5, 3, seed=5, high=high) ** 2 / high                 # skewed values
    layer = Equalization(**kwargs)
    ours = _np(layer(x, training=True))
    for n in range(2):   # Keras pools a batch's histogram, so compare image by image
        theirs = _keras_call(keras.layers.Equalization(**kwargs), x[n], training=True)
        np.testing.assert_allclose(ours[n], theirs, rtol=1e-5, atol=1e-4 * high)
    first = _np(Equalization(**kwargs, data_format="channels_first")(_first(x)))
    np.testing.assert_allclose(first, _first(ours), rtol=1e-6)
    identity = _keras_call(keras.layers.Equalization(**kwargs), x, training=False)
    np.testing.assert_array_equal(identity, _np(layer(x, training=False)))


# -- behaviour shared by every colour layer ---------------------------------------------------
RANDOM_LAYERS = [
    lambda: RandomGrayscale(0.5, seed=5),
    lambda: RandomSaturation(0.8, seed=5),
    lambda: RandomHue(0.6, seed=5),
    lambda: RandomColorDegeneration(0.7, seed=5),
    lambda: RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3,
                              saturation_factor=0.5, hue_factor=0.3, seed=5),
    lambda: RandomSharpness(0.9, seed=5),
    lambda: Solarization(0.5, (0.2, 0.9), seed=5),
    lambda: RandomPosterization((1, 8), seed=5),
    lambda: RandomInvert(seed=5),
]


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_inference_identity_seeding_and_config(make):
    assert_random_layer_contract(make, _x(8, 5, 4, 3, seed=6))


@pytest.mark.parametrize("layer", [AutoContrast(value_range=(0, 1)),
                                   Equalization(bins=64, data_format="channels_first")])
def test_deterministic_layers_config(layer):
    clone = deserialize(serialize(layer))
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


KERAS_CONFIGS = [
    ("RandomGrayscale", RandomGrayscale, dict(factor=0.3, data_format="channels_first")),
    ("RandomSaturation", RandomSaturation, dict(factor=(0.2, 0.6), value_range=(1, 0))),
    ("RandomHue", RandomHue, dict(factor=0.4, seed=3)),
    ("RandomColorDegeneration", RandomColorDegeneration, dict(factor=0.5)),
    ("RandomColorJitter", RandomColorJitter, dict(brightness_factor=0.1, hue_factor=0.2)),
    ("RandomSharpness", RandomSharpness, dict(factor=0.3, value_range=(0, 1))),
    ("Solarization", Solarization, dict(addition_factor=0.2, threshold_factor=(0.1, 0.3))),
    ("RandomPosterization", RandomPosterization, dict(factor=5)),
    ("RandomInvert", RandomInvert, dict(factor=0.7)),
    ("AutoContrast", AutoContrast, dict(value_range=(0, 1))),
    ("Equalization", Equalization, dict(bins=32)),
]


@pytest.mark.parametrize("keras_name, cls, kwargs", KERAS_CONFIGS)
def test_keras_configs_load(keras_name, cls, kwargs):
    keras = keras_or_skip()
    config = getattr(keras.layers, keras_name)(**kwargs).get_config()
    layer = cls.from_config(config)
    ours = layer.get_config()
    assert set(config) - {"dtype"} <= set(ours)
    for key, value in config.items():
        if key not in ("dtype", "name"):
            expected = tuple(value) if isinstance(value, list) else value
            assert ours[key] == expected, key


@pytest.mark.parametrize("make, name", [
    (lambda: Solarization(1.5), "Solarization"),
    (lambda: Solarization(0.1, (0.2, 1.2)), "Solarization"),
    (lambda: Solarization(value_range=3), "Solarization"),
    (lambda: RandomPosterization(9), "RandomPosterization"),
    (lambda: RandomPosterization(2.5), "RandomPosterization"),
    (lambda: RandomPosterization((0, 4)), "RandomPosterization"),
    (lambda: RandomInvert(1.5), "RandomInvert"),
    (lambda: RandomInvert(0.5, value_range=("a", 1)), "RandomInvert"),
    (lambda: AutoContrast(value_range=(0,)), "AutoContrast"),
    (lambda: Equalization(bins=0), "Equalization"),
    (lambda: Equalization(bins=2.5), "Equalization"),
])
def test_bad_arguments(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize("layer", [Solarization(), RandomPosterization(4), RandomInvert(),
                                   AutoContrast(), Equalization()])
def test_bad_rank(layer):
    with pytest.raises(ValueError, match=type(layer).__name__):
        layer(np.zeros((2, 3, 4, 5, 3), "float32"), training=True)


def test_integer_inputs_follow_keras():
    keras = keras_or_skip()
    x = np.random.default_rng(7).integers(0, 256, (2, 3, 4, 3)).astype("uint8")
    for cls, kwargs, at_inference in [(Solarization, {}, "float32"),
                                      (RandomPosterization, dict(factor=(4, 4)), "uint8"),
                                      (RandomInvert, {}, "uint8"),
                                      (AutoContrast, {}, "float32"),
                                      (Equalization, {}, "uint8")]:
        theirs = getattr(keras.layers, cls.__name__)(**kwargs)
        for training in (True, False):
            ours = _np(cls(**kwargs)(x, training=training))
            expected = _keras_call(theirs, x, training=training)
            assert ours.dtype == expected.dtype, (cls.__name__, training)
            if cls is not Equalization or not training:   # batch-pooled in Keras
                np.testing.assert_allclose(ours, expected, atol=1e-3)
        assert str(ours.dtype) == at_inference
