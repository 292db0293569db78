"""Preprocessing layers: Rescaling, CenterCrop and Resizing (deterministic) against Keras 3
and hand-computed cases; RandomFlip and RandomCrop by seeding, inference behaviour and the
outputs a training call may produce."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from keras_parity import assert_keras_parity

from gpulayers import backend
from gpulayers.layers import Input, deserialize, serialize
from gpulayers.layers.preprocessing import (
    CenterCrop,
    RandomCrop,
    RandomFlip,
    Rescaling,
    Resizing,
)
from gpulayers.testing import run_layer_test


def _x(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


IMAGE_4x4 = np.arange(16, dtype="float32").reshape(4, 4, 1)


# -- standard layer checks (config round trip, compute_output_shape, symbolic call) --------
@pytest.mark.parametrize("cls, kwargs, shape, out", [
    (Rescaling, {"scale": 0.5, "offset": 1.0}, (2, 3, 4), (2, 3, 4)),
    (Rescaling, {"scale": [1.0, 2.0, 3.0]}, (2, 4, 3), (2, 4, 3)),
    (CenterCrop, {"height": 2, "width": 3}, (2, 5, 6, 3), (2, 2, 3, 3)),
    (CenterCrop, {"height": 2, "width": 3, "data_format": "channels_first"}, (2, 3, 5, 6),
     (2, 3, 2, 3)),
    (Resizing, {"height": 3, "width": 7}, (2, 5, 6, 3), (2, 3, 7, 3)),
    (Resizing, {"height": 3, "width": 2, "interpolation": "nearest",
                "crop_to_aspect_ratio": True}, (2, 5, 6, 3), (2, 3, 2, 3)),
    (RandomFlip, {"mode": "horizontal", "seed": 1}, (2, 4, 4, 3), (2, 4, 4, 3)),
])
def test_run_layer_test(cls, kwargs, shape, out):
    random = cls is RandomFlip
    if random:  # the checks rebuild the layer and compare outputs: use the inference path
        out = shape
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   call_kwargs={"training": False} if random else None,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_gradient_check=False)


@pytest.mark.parametrize("layer", [
    Rescaling([1.0, 2.0], offset=-1.0), CenterCrop(3, 2, data_format="channels_first"),
    Resizing(4, 5, interpolation="nearest", crop_to_aspect_ratio=True),
    RandomFlip("vertical", seed=3), RandomCrop(2, 2, seed=4)])
def test_config_round_trip(layer):
    clone = deserialize(serialize(layer))
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()


def test_symbolic_shapes():
    inputs = Input((8, 6, 3))
    assert tuple(Resizing(4, 3)(inputs).shape) == (None, 4, 3, 3)
    assert tuple(CenterCrop(2, 2)(inputs).shape) == (None, 2, 2, 3)
    assert CenterCrop(5, 1).compute_output_shape((8, 6, 3)) == (5, 1, 3)
    assert Resizing(2, 2, data_format="channels_first").compute_output_shape(
        (None, 3, 8, 6)) == (None, 3, 2, 2)


# -- Rescaling --------------------------------------------------------------------------------
def test_rescaling_by_hand_and_dtype():
    out = Rescaling(1 / 127.5, offset=-1.0)(np.array([0, 127, 255], dtype="uint8"))
    assert out.dtype == "float32"
    np.testing.assert_allclose(np.asarray(out), [-1.0, 127 / 127.5 - 1, 1.0], atol=1e-6)
    per_channel = Rescaling([1.0, 10.0], offset=[0.5, 0.0])(np.ones((2, 2), "float32"))
    np.testing.assert_array_equal(np.asarray(per_channel), [[1.5, 10.0], [1.5, 10.0]])


def test_rescaling_channels_first_broadcasts_over_axis_minus_3():
    backend.set_image_data_format("channels_first")
    out = np.asarray(Rescaling([1.0, 2.0])(np.ones((1, 2, 3, 3), "float32")))
    np.testing.assert_array_equal(out[0, 0], 1.0)
    np.testing.assert_array_equal(out[0, 1], 2.0)


def test_rescaling_rejects_bad_scale():
    with pytest.raises(ValueError, match="Rescaling"):
        Rescaling("big")


# -- CenterCrop and Resizing, by hand --------------------------------------------------------
def test_resize_4x4_to_2x2_bilinear_by_hand():
    # Half-pixel centers: output pixel i samples source 2i + 0.5, the mean of a 2x2 block.
    out = np.asarray(Resizing(2, 2)(IMAGE_4x4))[..., 0]
    np.testing.assert_allclose(out, [[2.5, 4.5], [10.5, 12.5]])


def test_resize_4x4_to_8x8_nearest_by_hand():
    out = np.asarray(Resizing(8, 8, interpolation="nearest")(IMAGE_4x4))[..., 0]
    expected = np.repeat(np.repeat(IMAGE_4x4[..., 0], 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(out, expected)


def test_resize_2x1_to_4x1_bilinear_by_hand():
    # Sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
    out = np.asarray(Resizing(4, 1)(np.array([[[0.0]], [[4.0]]], "float32")))
    np.testing.assert_allclose(out[:, 0, 0], [0.0, 1.0, 3.0, 4.0])


def test_resize_integer_images_keep_dtype():
    image = np.array([[[0], [255]]], dtype="uint8")            # (1, 2, 1)
    out = Resizing(1, 3)(image)
    assert out.dtype == "uint8"
    np.testing.assert_array_equal(np.asarray(out)[0, :, 0], [0, 128, 255])


def test_center_crop_by_hand():
    out = np.asarray(CenterCrop(2, 3)(IMAGE_4x4))[..., 0]
    np.testing.assert_array_equal(out, [[4, 5, 6], [8, 9, 10]])
    first = CenterCrop(2, 2, data_format="channels_first")(IMAGE_4x4.reshape(1, 4, 4))
    np.testing.assert_array_equal(np.asarray(first)[0], [[5, 6], [9, 10]])


def test_center_crop_larger_than_image_resizes_to_target():
    out = CenterCrop(6, 2)(IMAGE_4x4)                         # crop 4x1 (aspect 3:1), resize
    assert tuple(out.shape) == (6, 2, 1)
    column = np.asarray(Resizing(6, 2)(IMAGE_4x4[:, 1:2]))
    np.testing.assert_allclose(np.asarray(out), column)


@pytest.mark.parametrize("bad", [
    lambda: CenterCrop(0, 2), lambda: Resizing(2, 2, interpolation="cubic"),
    lambda: Resizing(2, 2, data_format="nchw"), lambda: RandomFlip("diagonal"),
    lambda: RandomCrop(2, -1)])
def test_bad_arguments_raise_value_error(bad):
    with pytest.raises(ValueError):
        bad()


@pytest.mark.parametrize("layer, name", [(CenterCrop(2, 2), "CenterCrop"),
                                         (Resizing(2, 2), "Resizing"),
                                         (RandomFlip(), "RandomFlip"),
                                         (RandomCrop(2, 2), "RandomCrop")])
def test_rank_2_input_raises_naming_the_layer(layer, name):
    with pytest.raises(ValueError, match=name):
        layer(np.ones((4, 4), "float32"))


# -- Keras 3 parity ----------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"scale": 1 / 255.0}, {"scale": 2.0, "offset": -3.0},
                                    {"scale": [0.5, 1.0, 2.0], "offset": [1.0, 0.0, -1.0]}])
def test_rescaling_matches_keras(kwargs):
    keras = keras_or_skip()
    assert_keras_parity(Rescaling, keras.layers.Rescaling, kwargs, _x(2, 4, 4, 3))


@pytest.mark.parametrize("kwargs, shape", [
    ({"height": 2, "width": 3}, (2, 5, 7, 3)),
    ({"height": 4, "width": 4}, (5, 4, 3)),
    ({"height": 7, "width": 3}, (2, 5, 6, 2)),                    # larger: smart resize
    ({"height": 3, "width": 2, "data_format": "channels_first"}, (2, 3, 6, 5)),
    ({"height": 9, "width": 9, "data_format": "channels_first"}, (3, 6, 5)),
])
def test_center_crop_matches_keras(kwargs, shape):
    keras = keras_or_skip()
    assert_keras_parity(CenterCrop, keras.layers.CenterCrop, kwargs, _x(*shape))


@pytest.mark.parametrize("kwargs, shape", [
    ({"height": 3, "width": 5}, (2, 7, 9, 3)),
    ({"height": 11, "width": 4}, (2, 5, 6, 2)),
    ({"height": 8, "width": 8}, (4, 4, 1)),
    ({"height": 3, "width": 3, "interpolation": "nearest"}, (2, 7, 5, 3)),
    ({"height": 13, "width": 6, "interpolation": "nearest"}, (5, 4, 2)),
    ({"height": 4, "width": 6, "crop_to_aspect_ratio": True}, (2, 9, 7, 3)),
    ({"height": 5, "width": 2, "interpolation": "nearest", "crop_to_aspect_ratio": True},
     (2, 6, 9, 1)),
    ({"height": 3, "width": 8, "data_format": "channels_first"}, (2, 3, 7, 5)),
    ({"height": 6, "width": 3, "interpolation": "nearest", "data_format": "channels_first",
      "crop_to_aspect_ratio": True}, (3, 5, 7)),
])
def test_resizing_matches_keras(kwargs, shape):
    keras = keras_or_skip()
    assert_keras_parity(Resizing, keras.layers.Resizing, kwargs, _x(*shape))


def test_resizing_integer_images_match_keras():
    keras = keras_or_skip()
    image = np.random.default_rng(1).integers(0, 256, size=(2, 5, 7, 3)).astype("uint8")
    expected = to_numpy(keras.layers.Resizing(3, 4)(image))
    out = Resizing(3, 4)(image)
    assert out.dtype == str(expected.dtype)
    # Exact but for ties at .5 that float rounding may send either way.
    difference = np.abs(np.asarray(out).astype(int) - expected.astype(int))
    assert difference.max() <= 1 and (difference == 0).mean() > 0.95


def test_keras_configs_load():
    keras = keras_or_skip()
    for theirs, ours in [(keras.layers.Resizing(3, 4, interpolation="nearest"), Resizing),
                         (keras.layers.CenterCrop(3, 4), CenterCrop),
                         (keras.layers.RandomFlip("vertical", seed=2), RandomFlip),
                         (keras.layers.RandomCrop(3, 4, seed=2), RandomCrop),
                         (keras.layers.Rescaling([1.0, 2.0], 0.5), Rescaling)]:
        config = theirs.get_config()
        layer = ours.from_config(config)
        for key in ("height", "width", "interpolation", "mode", "seed", "scale", "offset"):
            if key in config:
                assert getattr(layer, key) == config[key], key


def test_random_layers_match_keras_outside_training():
    keras = keras_or_skip()
    x = _x(2, 5, 6, 3)
    np.testing.assert_array_equal(
        np.asarray(RandomFlip(seed=1)(x, training=False)),
        to_numpy(keras.layers.RandomFlip(seed=1)(x, training=False)))
    ours = np.asarray(RandomCrop(3, 4, seed=1)(x, training=False))
    np.testing.assert_array_equal(ours, to_numpy(keras.layers.RandomCrop(3, 4, seed=1)(
        x, training=False)))
    assert ours.shape == x.shape                                # Keras: no crop at inference
    # ... although compute_output_shape gives the crop size (Keras does the same).
    assert RandomCrop(3, 4).compute_output_shape(x.shape) == (2, 3, 4, 3)


@pytest.mark.parametrize("size", [(5, 6), (7, 6), (5, 9), (8, 8)])
def test_random_crop_deterministic_branch_matches_keras(size):
    # Training with an image not larger than the crop in both dimensions: Keras takes the
    # aspect-ratio box's corner and resizes when the window falls short; no randomness.
    keras = keras_or_skip()
    x = _x(2, 5, 6, 3)
    expected = to_numpy(keras.layers.RandomCrop(*size, seed=1)(x, training=True))
    np.testing.assert_allclose(np.asarray(RandomCrop(*size, seed=1)(x, training=True)),
                               expected, rtol=1e-5, atol=1e-4)


# -- RandomFlip and RandomCrop -------------------------------------------------------------
def _batch(n=16):
    return np.stack([_x(5, 6, 2, seed=i) for i in range(n)])


@pytest.mark.parametrize("mode, allowed", [
    ("horizontal", [lambda im: im, lambda im: im[:, ::-1]]),
    ("vertical", [lambda im: im, lambda im: im[::-1]]),
    ("horizontal_and_vertical", [lambda im: im, lambda im: im[::-1, ::-1]]),
])
def test_random_flip_outputs_are_allowed_flips(mode, allowed):
    x = _batch()
    out = np.asarray(RandomFlip(mode, seed=5)(x, training=True))
    chosen = [[np.array_equal(o, flip(im)) for flip in allowed] for o, im in zip(out, x)]
    assert all(sum(c) == 1 for c in chosen)
    assert {c.index(True) for c in chosen} == {0, 1}             # both outcomes occur


def test_random_flip_channels_first_and_unbatched():
    image = _x(2, 5, 6)                                          # (C, H, W)
    flip = RandomFlip("horizontal", seed=2, data_format="channels_first")
    outs = [np.asarray(flip(image, training=True)) for _ in range(8)]
    assert all(np.array_equal(o, image) or np.array_equal(o, image[:, :, ::-1])
               for o in outs)
    assert any(np.array_equal(o, image[:, :, ::-1]) for o in outs)


def test_random_flip_seeded_and_inference():
    x = _batch()
    first = [np.asarray(RandomFlip(seed=7)(x, training=True)) for _ in range(2)]
    np.testing.assert_array_equal(first[0], first[1])            # same seed, same flips
    layer = RandomFlip(seed=7)
    a, b = np.asarray(layer(x, training=True)), np.asarray(layer(x, training=True))
    np.testing.assert_array_equal(a, first[0])
    assert not np.array_equal(a, b)                              # a stream: new coins
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_random_crop_windows_are_crops_and_seeded():
    x = _batch(4)
    layer = RandomCrop(3, 4, seed=11)
    starts = set()
    for _ in range(20):
        out = np.asarray(layer(x, training=True))
        assert out.shape == (4, 3, 4, 2)
        found = [(i, j) for i in range(3) for j in range(3)
                 if np.array_equal(out, x[:, i:i + 3, j:j + 4])]
        assert len(found) == 1
        starts.add(found[0])
    assert len(starts) > 1
    again = RandomCrop(3, 4, seed=11)
    np.testing.assert_array_equal(np.asarray(again(x, training=True)),
                                  np.asarray(RandomCrop(3, 4, seed=11)(x, training=True)))


def test_random_crop_inference_is_identity_and_seed_in_config():
    x = _x(5, 6, 2)
    np.testing.assert_array_equal(np.asarray(RandomCrop(2, 2)(x, training=False)), x)
    assert isinstance(RandomCrop(2, 2).get_config()["seed"], int)   # drawn, as Keras
    first = np.asarray(RandomCrop(2, 3, seed=1, data_format="channels_first")(
        x.transpose(2, 0, 1), training=True))
    assert first.shape == (2, 2, 3)
