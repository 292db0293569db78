"""RandomShear, RandomPerspective, RandomErasing, RandomGaussianBlur and
RandomElasticTransform: Keras 3 parity with the random draws forced, hand-computed cases,
inference identity, seeding, channels_first, rank 3 and 4, configs, gradients and errors.

Keras parity with forced draws: :class:`ScriptedRandom` replaces the random functions of
both Keras (its torch backend's ``random`` module, and ``torch.normal`` for the elastic
noise) and our layer modules by one scripted stream each, drawn from the same NumPy seed.
Both layers then see identical draws, provided they ask for them in the same order and
shapes, as Keras's source does, so the outputs must agree.
"""

import numpy as np
import pytest
from augmentation_contract import assert_random_layer_contract
from keras_available import keras_or_skip, to_numpy

from gpulayers import backend, ops
from gpulayers.layers.preprocessing import (
    cut_mix,
    mix_up,
    random_elastic_transform,
    random_erasing,
    random_gaussian_blur,
    random_perspective,
    random_shear,
)
from gpulayers.layers.preprocessing.affine_transform import affine_transform
from gpulayers.layers.preprocessing.gaussian_blur import gaussian_blur, gaussian_kernel_1d
from gpulayers.layers.preprocessing.random_elastic_transform import (
    RandomElasticTransform,
    elastic_transform,
)
from gpulayers.layers.preprocessing.random_erasing import RandomErasing
from gpulayers.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from gpulayers.layers.preprocessing.random_perspective import (
    RandomPerspective,
    corner_shift_transforms,
)
from gpulayers.layers.preprocessing.random_shear import RandomShear, shear_transforms
from gpulayers.testing.gradient_check import check_gradients

OUR_MODULES = (random_shear, random_perspective, random_erasing, random_gaussian_blur,
               random_elastic_transform, mix_up, cut_mix)
IMAGE_3x3 = np.arange(9, dtype="float32").reshape(3, 3, 1)


def _x(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


def _np(value):
    return ops.convert_to_numpy(value)


class ScriptedRandom:
    """Random draws from ``numpy.random.default_rng(seed)``; ``fixed`` lists values that the
    first calls of a kind (``"uniform"``, ``"normal"``, ``"beta"``, ``"permutation"``) return
    instead, in order."""

    def __init__(self, seed, wrap, fixed=None):
        self.rng, self.wrap = np.random.default_rng(seed), wrap
        self.fixed = {key: list(values) for key, values in (fixed or {}).items()}

    def _next(self, kind, draw):
        queue = self.fixed.get(kind)
        return self.wrap(np.asarray(queue.pop(0)) if queue else draw())

    def uniform(self, shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
        shape = tuple(int(s) for s in shape)
        low, high = float(minval), float(maxval)
        return self._next("uniform", lambda: (self.rng.random(shape) * (high - low) + low)
                          .astype("float32"))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        shape = tuple(int(s) for s in shape)
        return self._next("normal", lambda: (self.rng.standard_normal(shape) * stddev + mean)
                          .astype("float32"))

    def beta(self, shape, alpha=None, beta=None, dtype=None, seed=None):
        shape = tuple(int(s) for s in shape)
        return self._next("beta", lambda: self.rng.random(shape).astype("float32"))

    def permutation(self, n):
        return self._next("permutation", lambda: self.rng.permutation(int(n)))


def script_ours(monkeypatch, seed, fixed=None):
    """Route every draw of our augmentation modules through one scripted stream."""
    script = ScriptedRandom(seed, lambda a: backend.to_device(a), fixed)
    for module in OUR_MODULES:
        for name, function in (("uniform", script.uniform), ("normal", script.normal),
                               ("permutation", lambda n, seed=None: script.permutation(n)),
                               ("sample_beta", lambda shape, a, b, seed, dtype="float32":
                                ops.convert_to_tensor(script.beta(shape), dtype=dtype))):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, function)
    return script


def script_keras(monkeypatch, seed, fixed=None):
    """The same for Keras's torch backend (layers draw through ``backend.random``)."""
    import torch
    from keras.src.backend.torch import random as keras_random

    script = ScriptedRandom(seed, lambda a: torch.as_tensor(np.array(a)), fixed)
    monkeypatch.setattr(keras_random, "uniform", script.uniform)
    monkeypatch.setattr(keras_random, "normal", script.normal)
    monkeypatch.setattr(keras_random, "beta", script.beta)
    monkeypatch.setattr(keras_random, "shuffle",
                        lambda x, axis=0, seed=None: x[script.permutation(len(x))])
    # RandomElasticTransform's noise comes straight from torch.normal
    monkeypatch.setattr(torch, "normal",
                        lambda mean, std, size, **kwargs: script.normal(size) * std + mean)
    return script


def keras_and_ours(monkeypatch, keras_layer, our_layer, data, seed=3, fixed=None):
    """Both layers' training outputs on ``data`` with identical scripted draws."""
    with monkeypatch.context() as patch:
        script_keras(patch, seed, fixed)
        theirs = keras_layer(data, training=True)
    script_ours(monkeypatch, seed, fixed)
    return theirs, our_layer(data, training=True)


def assert_layer_matches_keras(monkeypatch, ours_cls, kwargs, x, single, rtol, atol):
    """``ours_cls(**kwargs)`` and Keras's layer of the same name give the same training
    outputs under identical scripted draws, on the batch ``x`` and on its image ``single``."""
    keras = keras_or_skip()
    keras_cls = getattr(keras.layers, ours_cls.__name__)
    for data in (x, x[single]):
        theirs, ours = keras_and_ours(monkeypatch, keras_cls(**kwargs), ours_cls(**kwargs), data)
        np.testing.assert_allclose(_np(ours), to_numpy(theirs), rtol=rtol, atol=atol)


def _layout(x, data_format):
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if data_format == (
        "channels_first") else x


# -- RandomShear -----------------------------------------------------------------------------
def test_shear_3x3_by_hand():
    fill = -1.0
    plus = _np(affine_transform(ops.convert_to_tensor(IMAGE_3x3), shear_transforms([1.0], [0.0]),
                                "nearest", "constant", fill))[..., 0]
    np.testing.assert_array_equal(plus, [[0, 1, 2], [4, 5, fill], [8, fill, fill]])
    down = _np(affine_transform(ops.convert_to_tensor(IMAGE_3x3),
                                shear_transforms([0.0], [-1.0]), "nearest", "constant", fill))
    np.testing.assert_array_equal(down[..., 0], [[0, fill, fill], [3, 1, fill], [6, 4, 2]])
    # the layer: |s_x| = 1 with a random sign, so one of the two hand results
    layer = RandomShear(x_factor=(1.0, 1.0), interpolation="nearest", fill_mode="constant",
                        fill_value=fill, seed=4)
    minus = [[0, 1, 2], [fill, 3, 4], [fill, fill, 6]]
    seen = set()
    for _ in range(6):
        out = _np(layer(IMAGE_3x3, training=True))[..., 0]
        seen.add("plus" if np.array_equal(out, plus) else "minus")
        assert np.array_equal(out, plus) or np.array_equal(out, minus)
    assert seen == {"plus", "minus"}


@pytest.mark.parametrize("kwargs", [
    dict(x_factor=0.3, y_factor=(0.1, 0.4)),
    dict(x_factor=(0.2, 0.5), fill_mode="constant", fill_value=7.0, interpolation="nearest"),
    dict(y_factor=0.6, fill_mode="wrap", data_format="channels_first"),
    dict(x_factor=0.4, y_factor=0.4, fill_mode="nearest"),
])
def test_shear_matches_keras(monkeypatch, kwargs):
    x = _layout(_x(3, 7, 6, 2), kwargs.get("data_format"))
    assert_layer_matches_keras(monkeypatch, RandomShear, kwargs, x, 1, rtol=1e-4, atol=1e-3)


# -- RandomPerspective ---------------------------------------------------------------------
def test_perspective_transforms_by_hand_and_keras():
    # every corner moved to 2x its position: a pure 2x zoom, input = output / 2
    doubled = _np(corner_shift_transforms(np.ones((1, 4, 2), "float32"), 5, 7))
    np.testing.assert_allclose(doubled[0], [0.5, 0, 0, 0, 0.5, 0, 0, 0], atol=1e-6)
    still = _np(corner_shift_transforms(np.zeros((2, 4, 2), "float32"), 5, 7))
    np.testing.assert_allclose(still, np.tile([1, 0, 0, 0, 1, 0, 0, 0], (2, 1)), atol=1e-6)
    keras_or_skip()
    import torch
    from keras.src.backend.torch.image import compute_homography_matrix

    shifts = np.random.default_rng(1).uniform(-0.5, 0.5, (4, 4, 2)).astype("float32")
    start = np.array([[[0, 0], [8, 0], [0, 6], [8, 6]]], "float32").repeat(4, 0)
    theirs = compute_homography_matrix(torch.tensor(start), torch.tensor(start * (1 + shifts)))
    np.testing.assert_allclose(_np(corner_shift_transforms(shifts, 7, 9)), to_numpy(theirs),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kwargs", [
    dict(factor=(1.0, 1.0), scale=0.6),
    dict(factor=0.7, scale=1.0, interpolation="nearest", fill_value=5.0),
    dict(factor=(0.5, 1.0), scale=0.4, data_format="channels_first"),
])
def test_perspective_matches_keras(monkeypatch, kwargs):
    x = _layout(_x(4, 8, 9, 3), kwargs.get("data_format"))
    assert_layer_matches_keras(monkeypatch, RandomPerspective, kwargs, x, 0, rtol=1e-4, atol=2e-3)


def test_perspective_probability_and_scale_extremes():
    x = _x(3, 6, 5, 2)
    np.testing.assert_array_equal(_np(RandomPerspective(factor=0.0)(x)), x)
    np.testing.assert_allclose(_np(RandomPerspective(factor=(1, 1), scale=0.0)(x)), x,
                               atol=1e-3)
    assert not np.allclose(_np(RandomPerspective(factor=(1, 1), seed=2)(x)), x)


# -- RandomErasing --------------------------------------------------------------------------
def test_erasing_boxes_by_hand():
    x = _x(5, 4, 4, 3) + 1.0
    out = _np(RandomErasing(factor=(1, 1), scale=(1, 1), fill_value=300.0)(x))
    np.testing.assert_array_equal(out, np.full_like(x, 255.0))    # all erased, clipped
    # sides sqrt(0.25) * 4 = 2 pixels: every image gets exactly one 2x2 box of zeros
    out = _np(RandomErasing(factor=(1, 1), scale=(0.25, 0.25), fill_value=0.0, seed=1)(x))
    for image in out:
        rows, cols = np.nonzero(image[..., 0] == 0)
        assert len(rows) == 4 and np.ptp(rows) == 1 and np.ptp(cols) == 1
        assert np.array_equal(image == 0, np.repeat((image[..., :1] == 0), 3, axis=-1))
    per_channel = _np(RandomErasing(factor=(1, 1), scale=(1, 1), fill_value=(1, 2, 3),
                                    data_format="channels_first")(x.transpose(0, 3, 1, 2)))
    np.testing.assert_array_equal(per_channel[:, :, 0, 0], np.tile([1, 2, 3], (5, 1)))
    noise = _np(RandomErasing(factor=(1, 1), scale=(1, 1), value_range=(0, 1), seed=1)(x))
    assert noise.min() >= 0 and noise.max() <= 1 and len(np.unique(noise)) > 3


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(factor=(1.0, 1.0), scale=(0.1, 0.5), fill_value=9.0),
    dict(factor=0.8, scale=0.4, fill_value=None, value_range=(0, 100)),
    dict(factor=(1.0, 1.0), fill_value=[10, 20, 30]),
    dict(factor=(1.0, 1.0), scale=(0.2, 0.6), fill_value=4.0, data_format="channels_first"),
])
def test_erasing_matches_keras(monkeypatch, kwargs):
    x = _layout(_x(4, 7, 8, 3), kwargs.get("data_format"))
    assert_layer_matches_keras(monkeypatch, RandomErasing, kwargs, x, 2, rtol=1e-5, atol=1e-3)


# -- Gaussian blur --------------------------------------------------------------------------
def test_gaussian_kernel_3x3_by_hand():
    edge = np.exp(-0.5)
    expected_1d = np.array([edge, 1.0, edge]) / (1 + 2 * edge)
    np.testing.assert_allclose(_np(gaussian_kernel_1d(3, 1.0)), expected_1d, rtol=1e-6)
    impulse = np.zeros((3, 3, 1), "float32")
    impulse[1, 1] = 1.0                     # blurring an impulse shows the 2-D kernel
    out = _np(gaussian_blur(impulse, (3, 3), (1.0, 1.0)))[..., 0]
    np.testing.assert_allclose(out, np.outer(expected_1d, expected_1d), rtol=1e-6)
    # zero padding: a constant image darkens at its border, by the missing kernel mass
    ones = _np(gaussian_blur(np.ones((1, 3, 3, 1), "float32"), (3, 3), (1.0, 1.0)))[0, ..., 0]
    np.testing.assert_allclose(ones[0, 0], (1 - expected_1d[0]) ** 2, rtol=1e-6)
    np.testing.assert_allclose(ones[1, 1], 1.0, rtol=1e-6)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kernel_size, sigma", [((3, 3), (1.0, 1.0)), ((5, 5), (0.4, 2.0)),
                                                ((7, 7), (1.5, 0.7))])
def test_gaussian_blur_matches_keras(data_format, kernel_size, sigma):
    keras = keras_or_skip()
    x = _layout(_x(2, 9, 10, 3), data_format)
    theirs = keras.ops.image.gaussian_blur(x, kernel_size, sigma, data_format=data_format)
    ours = gaussian_blur(x, kernel_size, sigma, data_format)
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("kwargs", [
    dict(factor=(1.0, 1.0), sigma=(0.3, 1.0)),
    dict(factor=0.6, kernel_size=5, sigma=1.0, value_range=(0, 200)),
    dict(factor=(1.0, 1.0), kernel_size=7, sigma=(0.5, 0.9), data_format="channels_first"),
])
def test_gaussian_blur_layer_matches_keras(monkeypatch, kwargs):
    x = _layout(_x(3, 9, 8, 3), kwargs.get("data_format"))
    assert_layer_matches_keras(monkeypatch, RandomGaussianBlur, kwargs, x, 0, rtol=1e-5, atol=1e-3)


# -- RandomElasticTransform -----------------------------------------------------------------
@pytest.mark.parametrize("fill_mode", ["reflect", "mirror", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_elastic_transform_matches_keras(fill_mode, data_format):
    keras_or_skip()
    import torch
    from keras.src.backend.torch.image import elastic_transform as keras_elastic

    x = _layout(_x(2, 9, 11, 3), data_format)
    alpha, sigma = 2.5, 0.9
    torch.manual_seed(5)                    # Keras draws its noise from torch's global RNG
    theirs = keras_elastic(torch.tensor(x), alpha=alpha, sigma=sigma, fill_mode=fill_mode,
                           fill_value=3.0, data_format=data_format)
    torch.manual_seed(5)
    noise = [torch.normal(0.0, 1.0, size=(2, 9, 11)).numpy() for _ in range(2)]
    ours = elastic_transform(ops.convert_to_tensor(x), *noise, alpha, sigma, "bilinear",
                             fill_mode, 3.0, data_format)
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), rtol=1e-5, atol=1e-3)


def test_elastic_transform_by_hand():
    x = _x(2, 5, 6, 1)
    zeros = np.zeros((2, 5, 6), "float32")
    np.testing.assert_allclose(_np(elastic_transform(ops.convert_to_tensor(x), zeros, zeros,
                                                     3.0, 0.5)), x, atol=1e-4)
    # sigma 0.1: 1 tap, field = 0.1 * noise; noise_x = 10 everywhere shifts x by alpha = 1
    shift = _np(elastic_transform(ops.convert_to_tensor(x), zeros + 10.0, zeros, 1.0, 0.1,
                                  "nearest", "nearest"))
    np.testing.assert_allclose(shift[:, :, :-1], x[:, :, 1:], atol=1e-5)
    np.testing.assert_allclose(shift[:, :, -1], x[:, :, -1], atol=1e-5)


@pytest.mark.parametrize("kwargs", [
    dict(factor=(1.0, 1.0), scale=(0.5, 1.0)),
    dict(factor=0.7, scale=0.8, fill_mode="constant", fill_value=20.0, interpolation="nearest"),
    dict(factor=(1.0, 1.0), scale=0.6, fill_mode="mirror", data_format="channels_first"),
])
def test_elastic_layer_matches_keras(monkeypatch, kwargs):
    x = _layout(_x(3, 12, 10, 2), kwargs.get("data_format"))
    assert_layer_matches_keras(monkeypatch, RandomElasticTransform, kwargs, x, 1, rtol=1e-4,
                               atol=2e-3)


# -- common behaviour -----------------------------------------------------------------------
LAYERS = [
    lambda: RandomShear(0.3, (0.1, 0.2), fill_mode="constant", seed=5),
    lambda: RandomPerspective(factor=(1, 1), scale=0.5, seed=5),
    lambda: RandomErasing(factor=(1, 1), seed=5),
    lambda: RandomGaussianBlur(factor=(1, 1), kernel_size=5, sigma=(0.2, 1.0), seed=5),
    lambda: RandomElasticTransform(factor=(1, 1), scale=(0.5, 1.0), seed=5),
]


@pytest.mark.parametrize("make", LAYERS)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_inference_identity_seeding_shapes_and_config(make, data_format):
    backend.set_image_data_format(data_format)
    x = _layout(_x(4, 10, 9, 3), data_format)
    a1 = assert_random_layer_contract(make, x)
    assert not np.array_equal(a1, x)
    single = make()(x[0])                       # training defaults to True, as in Keras
    assert single.shape == x[0].shape and not np.array_equal(_np(single), x[0])
    assert make().data_format == data_format


def test_keras_configs_load():
    keras = keras_or_skip()
    for theirs, ours in [
            (keras.layers.RandomShear(0.2, (0.1, 0.3), fill_mode="wrap", seed=2), RandomShear),
            (keras.layers.RandomPerspective(0.5, scale=0.3, fill_value=1.0), RandomPerspective),
            (keras.layers.RandomErasing(0.5, scale=(0.1, 0.2), fill_value=3.0),
             RandomErasing),
            (keras.layers.RandomGaussianBlur(0.5, kernel_size=5, sigma=(0.2, 0.8)),
             RandomGaussianBlur),
            (keras.layers.RandomElasticTransform(0.5, scale=0.4, fill_mode="mirror"),
             RandomElasticTransform)]:
        config = theirs.get_config()
        layer = ours.from_config(config)
        mine = layer.get_config()
        assert set(config) - {"dtype"} == set(mine) - {"dtype"}, ours.__name__
        for key, value in config.items():
            if key not in ("dtype", "name"):
                expected = tuple(value) if isinstance(value, list) else value
                got = tuple(mine[key]) if isinstance(mine[key], list) else mine[key]
                assert got == expected, (ours.__name__, key)


def test_gradients_through_warps_and_blur():
    x = _x(1, 5, 4, 2, seed=3) / 255.0
    for make in (lambda: RandomShear(0.4, 0.3, seed=1, dtype="float64"),
                 lambda: RandomPerspective((1, 1), 0.6, seed=1, dtype="float64"),
                 lambda: RandomGaussianBlur((1, 1), 3, (0.5, 1.0), value_range=(-9, 9),
                                            seed=1, dtype="float64"),
                 lambda: RandomElasticTransform((1, 1), 1.0, value_range=(-9, 9), seed=1,
                                                dtype="float64")):
        check_gradients(lambda images, make=make: make()(images, training=True), [x],
                        rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("make, name", [
    (lambda: RandomShear(x_factor=-0.2), "RandomShear"),
    (lambda: RandomShear(y_factor=(0.1, 1.5)), "RandomShear"),
    (lambda: RandomShear(fill_mode="mirror"), "RandomShear"),
    (lambda: RandomShear(seed="1"), "RandomShear"),
    (lambda: RandomPerspective(scale=1.5), "RandomPerspective"),
    (lambda: RandomPerspective(factor=(0.1, 0.2, 0.3)), "RandomPerspective"),
    (lambda: RandomPerspective(interpolation="bicubic"), "RandomPerspective"),
    (lambda: RandomErasing(factor=2.0), "RandomErasing"),
    (lambda: RandomErasing(fill_value=(1, 2)), "RandomErasing"),
    (lambda: RandomErasing(value_range=5), "RandomErasing"),
    (lambda: RandomGaussianBlur(kernel_size=4), "RandomGaussianBlur"),
    (lambda: RandomGaussianBlur(sigma=2.0), "RandomGaussianBlur"),
    (lambda: RandomGaussianBlur(data_format="nhwc"), "RandomGaussianBlur"),
    (lambda: RandomElasticTransform(fill_mode="edge"), "RandomElasticTransform"),
    (lambda: RandomElasticTransform(scale=(1.5, 2.0)), "RandomElasticTransform"),
])
def test_bad_arguments(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize("make", LAYERS)
def test_bad_rank(make):
    layer = make()
    with pytest.raises(ValueError, match=type(layer).__name__):
        layer(np.zeros((2, 3), "float32"))
