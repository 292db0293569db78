"""keras.ops.image sampling, warps, patches and filters (gpulayers.ops.image): values and
dtypes vs Keras 3, hand-computed small cases, gradients, errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import backend
from gpulayers.ops import image
from gpulayers.testing import requires_gpu
from gpulayers.testing.gradient_check import check_gradients

RNG = np.random.default_rng(8)
FILL_MODES = ["constant", "nearest", "wrap", "mirror", "reflect"]
TRANSFORMS = np.array([[1.2, 0.1, -1.5, 0.05, 0.9, 0.7, 0, 0],
                       [0.8, -0.3, 2.0, 0.2, 1.1, -1.0, 0, 0]], "float32")


def _same(ours, theirs, tol=1e-5):
    np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=tol, atol=tol)
    assert ours.dtype == str(theirs.dtype).replace("torch.", "")


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_affine_transform_matches_keras(fill_mode, interpolation, data_format):
    keras = keras_or_skip()
    x = RNG.random((2, 7, 9, 3) if data_format == "channels_last" else (2, 3, 7, 9))
    x = x.astype("float32")
    args = (interpolation, fill_mode, 0.3, data_format)
    _same(image.affine_transform(x, TRANSFORMS, *args),
          keras.ops.image.affine_transform(x, TRANSFORMS.copy(), *args))


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("order", [0, 1])
def test_map_coordinates_matches_keras(fill_mode, order):
    keras = keras_or_skip()
    inputs = RNG.random((5, 6, 4)).astype("float32")
    coordinates = RNG.uniform(-4, 10, (3, 4, 7)).astype("float32")
    _same(image.map_coordinates(inputs, coordinates, order, fill_mode, 0.5),
          keras.ops.image.map_coordinates(inputs, coordinates, order, fill_mode, 0.5))


def test_map_coordinates_hand_cases():
    x = np.arange(12.0).reshape(3, 4)
    # linear between x[0,1]=1 and x[1,1]=5, and halfway between x[2,3]=11 and x[2,0] (wrap)
    got = image.map_coordinates(x, [[0.5, 2.0], [1.0, 3.5]], order=1, fill_mode="wrap")
    np.testing.assert_allclose(np.asarray(got), [3.0, 9.5])
    # constant fill outside; nearest rounds half to even (0.5 -> 0, 1.5 -> 2)
    got = image.map_coordinates(x, [[-1.0, 0.5, 1.5], [0.0, 0.0, 0.0]], order=0,
                                fill_value=-7)
    np.testing.assert_allclose(np.asarray(got), [-7.0, 0.0, 8.0])
    # reflect: d c b a | a b c d ; mirror: c d c b | a b c d
    row = np.array([0.0, 1.0, 2.0, 3.0])
    coords = [[-1.0, -2.0, 4.0, 5.0]]
    np.testing.assert_allclose(np.asarray(image.map_coordinates(row, coords, 0, "reflect")),
                               [0.0, 1.0, 3.0, 2.0])
    np.testing.assert_allclose(np.asarray(image.map_coordinates(row, coords, 0, "mirror")),
                               [1.0, 2.0, 2.0, 1.0])


def test_affine_translation_hand_case():
    x = np.arange(12.0).reshape(3, 4, 1)
    shifted = image.affine_transform(x, [1, 0, -1, 0, 1, 0, 0, 0], "nearest",
                                     data_format="channels_last")
    expected = np.zeros((3, 4, 1))
    expected[:, 1:] = x[:, :-1]
    np.testing.assert_allclose(np.asarray(shifted), expected)


def test_perspective_transform_matches_keras():
    keras = keras_or_skip()
    x = RNG.random((2, 7, 9, 3)).astype("float32")
    start = np.array([[0, 0], [8, 0], [0, 6], [8, 6]], "float32")
    end = np.array([[1, 1], [7, -1], [0.5, 6.5], [9, 5]], "float32")
    _same(image.perspective_transform(x, start, end, data_format="channels_last"),
          keras.ops.image.perspective_transform(x, start, end, data_format="channels_last"),
          tol=1e-4)


def test_perspective_identity_points_are_identity():
    x = RNG.random((5, 6, 2)).astype("float32")
    points = np.array([[0, 0], [5, 0], [0, 4], [5, 4]], "float32")
    out = image.perspective_transform(x, points, points, data_format="channels_last")
    np.testing.assert_allclose(np.asarray(out), x, atol=1e-5)


@pytest.mark.parametrize("size,strides,padding,rate", [
    ((2, 3), (1, 2), "same", 1), (3, None, "valid", 1), ((2, 2), 1, "valid", 2)])
def test_extract_patches_matches_keras(size, strides, padding, rate):
    keras = keras_or_skip()
    x = RNG.random((2, 7, 9, 3)).astype("float32")
    _same(image.extract_patches(x, size, strides, rate, padding, "channels_last"),
          keras.ops.image.extract_patches(x, size, strides, rate, padding, "channels_last"))


def test_extract_patches_3d_matches_keras_and_hand_case():
    keras = keras_or_skip()
    v = RNG.random((2, 5, 6, 7, 2)).astype("float32")
    _same(image.extract_patches_3d(v, 2, data_format="channels_last"),
          keras.ops.image.extract_patches_3d(v, 2, data_format="channels_last"))
    x = np.arange(16.0).reshape(4, 4, 1)
    patches = np.asarray(image.extract_patches(x, 2, data_format="channels_last"))
    np.testing.assert_allclose(patches[1, 0], [8.0, 9.0, 12.0, 13.0])


def test_sobel_and_ssim_match_keras():
    keras = keras_or_skip()
    x, y = (RNG.random((2, 7, 9, 3)).astype("float32") for _ in range(2))
    _same(image.sobel_edges(x, "channels_first"),
          keras.ops.image.sobel_edges(x, "channels_first"))
    _same(image.ssim(x, y, filter_size=3, data_format="channels_last"),
          keras.ops.image.ssim(x, y, filter_size=3, data_format="channels_last"))
    _same(image.ssim(x[0], y[0], filter_size=5, filter_sigma=1.0,
                     data_format="channels_last"),
          keras.ops.image.ssim(x[0], y[0], filter_size=5, filter_sigma=1.0,
                               data_format="channels_last"))


def test_sobel_hand_case_and_ssim_identity():
    x = np.zeros((1, 4, 4, 1))
    x[0, :, 2:, 0] = 1.0  # a vertical edge between columns 1 and 2
    edges = np.asarray(image.sobel_edges(x, "channels_last"))
    # zero padding: the last column sees 0 beyond the image, hence -4
    np.testing.assert_allclose(edges[0, 1:3, :, 0, 1], [[0, 4, 4, -4]] * 2)
    np.testing.assert_allclose(edges[0, 1:3, :, 0, 0], 0.0)
    same = image.ssim(x[0], x[0], filter_size=3, data_format="channels_last")
    np.testing.assert_allclose(np.asarray(same), 1.0, rtol=1e-6)


@pytest.mark.parametrize("method", ["linear", "cubic", "lanczos3", "lanczos5"])
@pytest.mark.parametrize("antialias", [True, False])
def test_scale_and_translate_matches_keras(method, antialias):
    keras = keras_or_skip()
    x = RNG.random((2, 7, 9, 3)).astype("float32")
    scale, shift = np.array([0.6, 1.7], "float32"), np.array([0.3, -0.8], "float32")
    _same(image.scale_and_translate(x, (2, 5, 13, 3), scale, shift, (1, 2), method,
                                    antialias),
          keras.ops.image.scale_and_translate(x, (2, 5, 13, 3), scale, shift, (1, 2),
                                              method, antialias))


def test_scale_and_translate_docstring_case():
    x = np.arange(9, dtype="float32").reshape(3, 3)
    out = image.scale_and_translate(x, (5, 5), [2.0, 2.0], [-0.5, -0.5], (0, 1), "linear")
    np.testing.assert_allclose(np.asarray(out)[0], [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(np.asarray(out)[:, 0], [0.0, 1.5, 3.0, 4.5, 6.0])


def test_elastic_transform_seeded_and_shaped():
    x = RNG.random((2, 8, 8, 3)).astype("float32")
    a = image.elastic_transform(x, seed=3, data_format="channels_last")
    b = image.elastic_transform(x, seed=3, data_format="channels_last")
    assert a.shape == x.shape and a.dtype == "float32"
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    still = image.elastic_transform(x, alpha=0.0, seed=1, data_format="channels_last")
    np.testing.assert_allclose(np.asarray(still), x, atol=1e-6)


def test_gradients():
    x = RNG.random((1, 4, 5, 2))
    check_gradients(lambda t: image.affine_transform(t, TRANSFORMS[0], fill_mode="reflect",
                                                     data_format="channels_last"), [x])
    coords = RNG.uniform(0.1, 2.8, (2, 3))
    check_gradients(lambda a, c: image.map_coordinates(a, c, 1, "nearest"),
                    [RNG.random((4, 4)), coords])
    check_gradients(lambda t: image.sobel_edges(t, "channels_last"), [x])
    check_gradients(lambda t, u: image.ssim(t, u, filter_size=3,
                                            data_format="channels_last"),
                    [x, RNG.random((1, 4, 5, 2))])
    check_gradients(lambda t: image.extract_patches(t, 2, 1, data_format="channels_last"),
                    [x])
    check_gradients(lambda t: image.scale_and_translate(t, (1, 3, 7, 2), [0.7, 1.3],
                                                        [0.1, 0.2], (1, 2), "cubic"), [x])


def test_errors():
    x = np.zeros((4, 4, 1), "float32")
    with pytest.raises(ValueError, match="affine_transform: unknown `fill_mode`"):
        image.affine_transform(x, TRANSFORMS[0], fill_mode="bogus")
    with pytest.raises(ValueError, match="map_coordinates: first dim"):
        image.map_coordinates(x, np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="map_coordinates: `order`"):
        image.map_coordinates(x, np.zeros((3, 3)), 3)
    with pytest.raises(ValueError, match="perspective_transform: invalid start_points"):
        image.perspective_transform(x, np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(TypeError, match="extract_patches: invalid `size`"):
        image.extract_patches(x, "2")
    with pytest.raises(ValueError, match="sobel_edges: invalid images rank"):
        image.sobel_edges(x)
    with pytest.raises(ValueError, match="ssim: image1 and image2"):
        image.ssim(x, np.zeros((4, 5, 1)))
    with pytest.raises(ValueError, match="scale_and_translate: invalid value"):
        image.scale_and_translate(x, (4, 4, 1), [1.0], [0.0], (0,), "bogus")


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    x = RNG.random((2, 6, 7, 3)).astype("float32")
    results = []
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            out = image.affine_transform(x, TRANSFORMS, fill_mode="reflect",
                                         data_format="channels_last")
            out = image.sobel_edges(out, "channels_last")
            results.append(backend.to_numpy(out.data))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-5)
