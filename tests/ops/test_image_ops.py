"""The keras.ops.image namespace (gpulayers.ops.image): values and dtypes vs Keras 3 and
hand-written references, gradients, errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops import image
from gpulayers.testing import requires_gpu
from gpulayers.testing.gradient_check import check_gradients

RNG = np.random.default_rng(5)

CASES = [  # (function name, args, kwargs); data_format passed explicitly (see test below)
    ("resize", ((4, 5),), {}), ("resize", ((10, 12),), {"interpolation": "nearest"}),
    ("resize", ((4, 4),), {"crop_to_aspect_ratio": True}),
    ("resize", ((4, 4),), {"pad_to_aspect_ratio": True, "fill_value": 0.5}),
    ("pad_images", (1, 2), {"target_height": 10, "target_width": 12}),
    ("crop_images", (1, 2), {"target_height": 4, "target_width": 5}),
    ("rgb_to_grayscale", (), {}), ("rgb_to_hsv", (), {}), ("hsv_to_rgb", (), {}),
    ("gaussian_blur", ((5, 5), (0.7, 1.5)), {}),
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_matches_keras(name, args, kwargs, data_format):
    keras = keras_or_skip()
    x = RNG.random((2, 7, 9, 3) if data_format == "channels_last" else (2, 3, 7, 9))
    x = x.astype("float32")
    ours = getattr(image, name)(x, *args, data_format=data_format, **kwargs)
    theirs = getattr(keras.ops.image, name)(x, *args, data_format=data_format, **kwargs)
    np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-5, atol=1e-5)
    assert ours.dtype == str(theirs.dtype).replace("torch.", "")


def test_integer_images_keep_their_dtype_like_keras():
    keras = keras_or_skip()
    x = (RNG.random((1, 6, 5, 3)) * 255).astype("uint8")
    for name, args in (("resize", ((3, 4),)), ("rgb_to_grayscale", ())):
        ours = getattr(image, name)(x, *args, data_format="channels_last")
        theirs = getattr(keras.ops.image, name)(x, *args, data_format="channels_last")
        assert ours.dtype == str(theirs.dtype).replace("torch.", "") == "uint8"
        np.testing.assert_allclose(np.asarray(ours, "int32"), to_numpy(theirs).astype("int32"),
                                   atol=1)


def test_hand_references():
    x = RNG.random((5, 4, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(image.crop_images(x, 1, 2, bottom_cropping=1,
                                                               right_cropping=1)), x[1:4, 2:3])
    np.testing.assert_array_equal(np.asarray(image.pad_images(x, 1, 0, 2, 3)),
                                  np.pad(x, [(1, 2), (0, 3), (0, 0)]))
    np.testing.assert_allclose(np.asarray(image.rgb_to_grayscale(x))[..., 0],
                               x @ np.array([0.2989, 0.587, 0.114]), rtol=1e-5)
    hsv = np.asarray(image.rgb_to_hsv(np.array([[[1.0, 0.5, 0.0]]], "float32")))
    np.testing.assert_allclose(hsv[0, 0], [1 / 12, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(image.hsv_to_rgb(image.rgb_to_hsv(x))), x, atol=1e-5)
    np.testing.assert_allclose(np.asarray(image.resize(x, (10, 8), interpolation="nearest")),
                               x.repeat(2, 0).repeat(2, 1))


def test_gradients():
    x = RNG.random((1, 5, 6, 3))
    check_gradients(lambda a: image.resize(a, (3, 4), data_format="channels_last"), [x])
    check_gradients(lambda a: image.gaussian_blur(a, data_format="channels_last"), [x])
    check_gradients(lambda a: image.rgb_to_hsv(a, data_format="channels_last"), [x], atol=1e-5)
    check_gradients(lambda a: image.pad_images(a, 1, 1, 1, 1, data_format="channels_last"), [x])


def test_errors():
    x = np.ones((4, 4, 3), "float32")
    with pytest.raises(ValueError, match="resize"):
        image.resize(x, (2, 2), interpolation="bicubic")
    with pytest.raises(ValueError, match="resize"):
        image.resize(x, (2, 2), antialias=True)
    with pytest.raises(ValueError, match="exactly two"):
        image.pad_images(x, 1, 1, 1, 1, target_height=8)
    with pytest.raises(ValueError, match="crop_images"):
        image.crop_images(x, 3, 0, target_height=3, target_width=2)
    with pytest.raises(TypeError, match="rgb_to_hsv"):
        image.rgb_to_hsv(x.astype("int32"))
    with pytest.raises(ValueError, match="rank"):
        image.rgb_to_grayscale(np.ones((3,)))


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    x = RNG.random((2, 6, 7, 3)).astype("float32")

    def run(name):
        with backend.use_backend(name):
            v = Variable(x)
            with GradientTape() as tape:
                out = image.gaussian_blur(image.rgb_to_hsv(image.resize(v, (4, 9))))
                loss = ops.sum(out * out)
            return np.asarray(out), np.asarray(tape.gradient(loss, v))

    for got, expected in zip(run("cupy"), run("numpy")):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
