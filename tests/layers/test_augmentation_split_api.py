"""Keras 3's split augmentation API (``get_random_transformation`` / ``transform_images``) of
RandomTranslation, RandomRotation, RandomZoom, RandomShear, RandomBrightness, RandomContrast,
RandomFlip and RandomCrop.

* ``call`` is the draw then the application: the split methods on a twin layer (same seed)
  give bit-identical outputs, batch after batch, for rank-3 and rank-4 inputs;
* a drawn transformation applied again gives the same output and does not move the stream;
  an explicit ``seed`` replaces the layer's stream for one draw;
* Keras 3.15 parity of ``transform_images`` given the *same* transformation: a dict drawn
  by Keras's layer, and one drawn by ours, each fed (as NumPy copies) to both layers'
  ``transform_images``; the dict keys are Keras's.
"""

import copy

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers.preprocessing import (
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from gpulayers.layers.preprocessing.random_shear import RandomShear

OURS = {"RandomTranslation": RandomTranslation, "RandomRotation": RandomRotation,
        "RandomZoom": RandomZoom, "RandomShear": RandomShear,
        "RandomBrightness": RandomBrightness, "RandomContrast": RandomContrast,
        "RandomFlip": RandomFlip, "RandomCrop": RandomCrop}

# (class name, constructor arguments); inputs are (4, 7, 6, 3) images, transposed for
# channels_first and scaled to [0, 1] for value_range=(0, 1)
CASES = [
    ("RandomTranslation", dict(height_factor=0.3, width_factor=(-0.2, 0.4))),
    ("RandomTranslation", dict(height_factor=0.2, width_factor=0.2, fill_mode="constant",
                               fill_value=5.0, interpolation="nearest",
                               data_format="channels_first")),
    ("RandomRotation", dict(factor=0.2)),
    ("RandomRotation", dict(factor=(-0.3, 0.1), fill_mode="nearest",
                            data_format="channels_first")),
    ("RandomZoom", dict(height_factor=(-0.4, 0.3))),
    ("RandomZoom", dict(height_factor=0.3, width_factor=(-0.2, 0.2), fill_mode="constant",
                        fill_value=2.0)),
    ("RandomShear", dict(x_factor=0.3, y_factor=(0.1, 0.4))),
    ("RandomShear", dict(x_factor=0.5, fill_mode="wrap", interpolation="nearest",
                         data_format="channels_first")),
    ("RandomBrightness", dict(factor=0.3)),
    ("RandomBrightness", dict(factor=(-0.2, 0.5), value_range=(0, 1))),
    ("RandomContrast", dict(factor=0.5)),
    ("RandomContrast", dict(factor=(0.2, 0.6), data_format="channels_first")),
    ("RandomFlip", dict(mode="horizontal")),
    ("RandomFlip", dict(mode="vertical", data_format="channels_first")),
    ("RandomFlip", dict()),
    ("RandomCrop", dict(height=4, width=3)),
    ("RandomCrop", dict(height=9, width=4)),          # taller than the input: centre + resize
    ("RandomCrop", dict(height=3, width=5, data_format="channels_first")),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


def _x(kwargs, batch=4, seed=0):
    x = np.random.default_rng(seed).uniform(0, 255, size=(batch, 7, 6, 3)).astype("float32")
    if kwargs.get("value_range") == (0, 1):
        x = x / 255.0
    if kwargs.get("data_format") == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return x


def _np(value):
    return ops.convert_to_numpy(value)


def _numpy_tree(value):
    """A transformation with every array (ours or torch) as a NumPy array, deep-copied."""
    if isinstance(value, dict):
        return {key: _numpy_tree(item) for key, item in value.items()}
    if isinstance(value, tuple) and not all(isinstance(v, int) for v in value):
        return tuple(_numpy_tree(item) for item in value)
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy().copy()
    if hasattr(value, "shape") and not isinstance(value, np.ndarray):
        return _np(value).copy()
    return copy.deepcopy(value)


def _as_ints(transformation):
    # RandomCrop's transformation is a (h_start, w_start) tuple (of torch scalars in Keras)
    return tuple(int(np.asarray(v)) for v in transformation)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_split_api_equals_call(name, kwargs):
    x = _x(kwargs)
    called, split = OURS[name](**kwargs, seed=5), OURS[name](**kwargs, seed=5)
    changed = False
    for batch in (x, x[::-1].copy(), x[0]):          # the stream stays aligned call after call
        expected = _np(called(batch, training=True))
        got = _np(split.transform_images(batch, split.get_random_transformation(batch)))
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype == np.float32
        changed = changed or expected.shape != batch.shape or not np.array_equal(expected,
                                                                                 batch)
    assert changed                                   # the draws did something


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_same_transformation_same_output(name, kwargs):
    x = _x(kwargs)
    layer = OURS[name](**kwargs, seed=7)
    transformation = layer.get_random_transformation(x)
    first = _np(layer.transform_images(x, transformation))
    np.testing.assert_array_equal(_np(layer.transform_images(x, transformation)), first)
    # applying draws nothing: the layer's next call is the second call of a fresh twin
    twin = OURS[name](**kwargs, seed=7)
    twin(x, training=True)
    np.testing.assert_array_equal(_np(layer(x, training=True)),
                                  _np(twin(x, training=True)))
    # an explicit seed replaces the stream for that draw only
    twin = OURS[name](**kwargs, seed=7)
    seeded = _numpy_tree(twin.get_random_transformation(x, seed=SeedGenerator(123)))
    again = _numpy_tree(twin.get_random_transformation(x, seed=SeedGenerator(123)))
    if name == "RandomCrop":
        assert _as_ints(seeded) == _as_ints(again)
    else:
        for key, value in seeded.items():
            np.testing.assert_array_equal(np.asarray(value), np.asarray(again[key]), key)
    np.testing.assert_array_equal(_np(twin.transform_images(x, transformation)), first)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_not_training(name, kwargs):
    x = _x(kwargs).astype("float64")
    layer = OURS[name](**kwargs, seed=1)
    transformation = layer.get_random_transformation(x, training=False)
    out = _np(layer.transform_images(x, transformation, training=False))
    np.testing.assert_array_equal(out, x)
    # as Keras: brightness and contrast return zeros, the crop its centred box, others None
    if name == "RandomBrightness":
        np.testing.assert_array_equal(_np(transformation["rgb_delta"]), np.zeros((4, 1, 1, 1)))
    elif name == "RandomContrast":
        np.testing.assert_array_equal(_np(transformation["contrast_factor"]),
                                      np.zeros((4, 1, 1, 1)))
    elif name == "RandomCrop":
        assert isinstance(transformation, tuple) and len(transformation) == 2
    else:
        assert transformation is None


@pytest.mark.parametrize("name", sorted(OURS))
def test_bad_rank_names_the_layer(name):
    kwargs = {"RandomCrop": dict(height=2, width=2), "RandomZoom": dict(height_factor=0.1),
              "RandomTranslation": dict(height_factor=0.1, width_factor=0.1),
              "RandomRotation": dict(factor=0.1), "RandomShear": dict(x_factor=0.1),
              "RandomBrightness": dict(factor=0.1), "RandomContrast": dict(factor=0.1),
              "RandomFlip": dict()}[name]
    layer = OURS[name](**kwargs, name="aug")
    with pytest.raises(ValueError, match=f"{name} 'aug'.*rank"):
        layer.get_random_transformation(np.zeros((2, 3), "float32"))


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("drawn_by", ["keras", "ours"])
def test_transform_images_matches_keras_given_the_same_transformation(name, kwargs,
                                                                      drawn_by):
    keras = keras_or_skip()
    x = _x(kwargs)
    theirs_layer = getattr(keras.layers, name)(**kwargs, seed=11)
    ours_layer = OURS[name](**kwargs, seed=11)
    drawer = theirs_layer if drawn_by == "keras" else ours_layer
    transformation = _numpy_tree(drawer.get_random_transformation(x.copy(), training=True))
    if name == "RandomCrop":
        transformation = _as_ints(transformation)
    else:
        keras_keys = set(_numpy_tree(theirs_layer.get_random_transformation(x.copy())))
        assert set(transformation) == keras_keys
    # fresh tensors for Keras: on torch it adds brightness in place and permutes the
    # matrices it is given
    for_keras = {key: keras.ops.convert_to_tensor(value) if isinstance(value, np.ndarray)
                 else value for key, value in _numpy_tree(transformation).items()
                 } if isinstance(transformation, dict) else transformation
    theirs = to_numpy(theirs_layer.transform_images(keras.ops.convert_to_tensor(x.copy()),
                                                    for_keras))
    ours = _np(ours_layer.transform_images(x, _numpy_tree(transformation)))
    assert ours.shape == theirs.shape
    scale = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=4e-6 * scale)
