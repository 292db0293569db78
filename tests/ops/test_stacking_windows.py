"""Stacking/splitting (append, *stack, *split, array_split), window functions and the
introspection ops (ndim, size, dtype, get_item, is_tensor, array, empty*, geomspace,
logspace): values vs NumPy and Keras 3, dtypes, gradients and errors."""

import functools

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from ops_helpers import assert_matches_keras as shared_assert_matches_keras
from ops_helpers import assert_values, normal_sampler

from gpulayers import Variable, backend
from gpulayers.ops.introspection import (
    array,
    dtype,
    empty,
    empty_like,
    geomspace,
    get_item,
    is_tensor,
    logspace,
    ndim,
    size,
)
from gpulayers.ops.stacking import (
    append,
    array_split,
    dsplit,
    dstack,
    hsplit,
    hstack,
    vsplit,
    vstack,
)
from gpulayers.ops.windows import bartlett, blackman, hamming, hanning, kaiser
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(7)
rand = normal_sampler(RNG)


assert_matches_keras = functools.partial(shared_assert_matches_keras, rtol=1e-6)


STACKS = {"hstack": (hstack, np.hstack), "vstack": (vstack, np.vstack),
          "dstack": (dstack, np.dstack)}


@pytest.mark.parametrize("name", sorted(STACKS))
@pytest.mark.parametrize("shapes", [[(3,), (2,)], [(2, 3), (2, 3)], [(2, 3, 1), (2, 3, 2)], [()]])
def test_stacks_match_numpy_and_gradients(name, shapes):
    ours, reference = STACKS[name]
    arrays = [rand(*s) for s in shapes]
    try:
        expected = reference(arrays)
    except ValueError:
        with pytest.raises(ValueError, match="concatenate"):
            ours(arrays)
        return
    assert_values(ours(arrays), expected)
    check_gradients(lambda *ts: ours(list(ts)), arrays)


def test_stacks_promote_dtypes_like_keras():
    ints, floats = np.arange(6, dtype="int32").reshape(2, 3), rand(2, 3).astype("float32")
    for name, (ours, _) in STACKS.items():
        out = ours([ints, floats])
        assert out.dtype == "float32"
        assert_matches_keras(name, out, [ints, floats])
        assert_matches_keras(name, ours([ints, ints]), [ints, ints])


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_append(axis):
    a, b = rand(2, 3), rand(2, 3)
    assert_values(append(a, b, axis=axis), np.append(a, b, axis=axis))
    check_gradients(lambda s, t: append(s, t, axis=axis), [a, b])
    f32 = a.astype("float32")
    assert_matches_keras("append", append(f32, np.ones((2, 3), "int32"), axis=axis), f32,
                         np.ones((2, 3), "int32"), axis=axis)
    with pytest.raises(ValueError, match="append: with an axis both inputs need the same rank"):
        append(a, rand(3), axis=0)


@pytest.mark.parametrize("sections", [1, 3, 4, 7])
def test_array_split(sections):
    x = rand(7, 2)
    got, expected = array_split(x, sections), np.array_split(x, sections)
    assert len(got) == len(expected)
    for piece, reference in zip(got, expected):
        assert_values(piece, reference)
    check_gradients(lambda t: array_split(t, sections)[0] * 2.0 + 1.0, [x])
    check_gradients(lambda t: tuple(array_split(t, sections)), [x])
    assert_matches_keras("array_split", array_split(x.astype("float32"), sections),
                         x.astype("float32"), sections)


@pytest.mark.parametrize("name, shape, sections", [
    ("hsplit", (6,), 3), ("hsplit", (2, 4), 2), ("hsplit", (2, 4), [1, 3]),
    ("vsplit", (4, 3), 2), ("dsplit", (2, 2, 6), [2, 5]),
])
def test_directional_splits(name, shape, sections):
    ours = {"hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit}[name]
    x = rand(*shape)
    got, expected = ours(x, sections), getattr(np, name)(x, sections)
    assert [p.shape for p in got] == [p.shape for p in expected]
    for piece, reference in zip(got, expected):
        assert_values(piece, reference)
    check_gradients(lambda t: tuple(ours(t, sections)), [x])
    assert_matches_keras(name, ours(x.astype("float32"), sections), x.astype("float32"),
                         sections)


def test_stacking_errors():
    with pytest.raises(ValueError, match=r"vsplit: needs a tensor of rank >= 2"):
        vsplit(np.zeros(4), 2)
    with pytest.raises(ValueError, match=r"dsplit: needs a tensor of rank >= 3"):
        dsplit(np.zeros((2, 2)), 2)
    with pytest.raises(ValueError, match=r"hsplit: 3 sections do not divide axis 1 of size 4"):
        hsplit(np.zeros((2, 4)), 3)
    with pytest.raises(ValueError, match="array_split: the number of sections must be positive"):
        array_split(np.zeros(4), 0)
    with pytest.raises(TypeError, match="array_split: `indices_or_sections` must be an integer"):
        array_split(np.zeros(4), [1, 2])
    with pytest.raises(TypeError, match="hstack: expected a list or tuple of tensors"):
        hstack(np.zeros(3))
    with pytest.raises(ValueError, match="vstack: expected at least one tensor"):
        vstack([])


WINDOWS = {"bartlett": bartlett, "blackman": blackman, "hamming": hamming, "hanning": hanning}


@pytest.mark.parametrize("name", sorted(WINDOWS))
@pytest.mark.parametrize("length", [0, 1, 5, 8])
def test_windows(name, length):
    out = WINDOWS[name](length)
    assert out.dtype == "float32"
    np.testing.assert_allclose(np.asarray(out), getattr(np, name)(length), atol=1e-6)
    assert_matches_keras(name, out, length)


def test_kaiser_and_window_errors():
    assert_values(kaiser(5, 0.0), np.ones(5))  # beta = 0 is the rectangular window
    np.testing.assert_allclose(np.asarray(kaiser(6, 3.5)), np.kaiser(6, 3.5), rtol=1e-6)
    assert_matches_keras("kaiser", kaiser(6, 3.5), 6, 3.5)
    with pytest.raises(TypeError, match=r"hanning: `x` must be an integer"):
        hanning(2.5)
    with pytest.raises(TypeError, match=r"kaiser: `beta` must be a number"):
        kaiser(4, "wide")


def test_introspection():
    x = np.arange(6, dtype="float16").reshape(2, 3)
    assert (ndim(x), size(x), dtype(x)) == (2, 6, "float16")
    assert ndim(3.0) == 0 and size([[1, 2]]) == 2 and dtype([1, 2]) == "int32"
    assert is_tensor(array(x)) and is_tensor(Variable([1.0])) and not is_tensor(x)
    assert array([1.5, 2.0]).dtype == "float32" and array([1, 2], dtype="int8").dtype == "int8"
    assert empty((2, 3)).shape == (2, 3) and empty((2,)).dtype == "float32"
    assert empty_like(x).dtype == "float16" and empty_like(x, "int32").shape == (2, 3)
    assert_values(get_item(x, (Ellipsis, [2, 0])), x[..., [2, 0]])
    check_gradients(lambda t: get_item(t, (slice(None), [0, 0, 2])), [rand(2, 3)])
    keras = keras_or_skip()
    assert keras.ops.ndim(x) == ndim(x) and int(keras.ops.size(x)) == size(x)
    assert keras.backend.standardize_dtype(keras.ops.dtype(x)) == dtype(x)


@pytest.mark.parametrize("start, stop, kwargs", [
    (1, 1000, {"num": 4}), (-2.0, -50.0, {"num": 5, "endpoint": False}),
    ([1.0, 2.0], [10.0, 20.0], {"num": 3, "axis": 1}), (0.5, 8.0, {"num": 1}),
])
def test_geomspace(start, stop, kwargs):
    expected = np.geomspace(start, stop, **kwargs)
    out = geomspace(start, stop, **kwargs)
    assert out.dtype == "float32"
    np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-6)
    # Keras's torch backend refuses other axes and gives NaN for num=1; NumPy is the reference
    if kwargs.get("axis", 0) == 0 and kwargs["num"] > 1:
        assert_matches_keras("geomspace", out, start, stop, **kwargs)


@pytest.mark.parametrize("kwargs", [{}, {"num": 4, "base": 2.0}, {"num": 5, "endpoint": False}])
def test_logspace(kwargs):
    out = logspace(0, 2, **kwargs)
    np.testing.assert_allclose(np.asarray(out), np.logspace(0, 2, **kwargs), rtol=1e-6)
    assert_matches_keras("logspace", out, 0, 2, **kwargs)


def test_space_errors():
    with pytest.raises(ValueError, match="geomspace: a geometric sequence cannot include zero"):
        geomspace(0.0, 1.0)
    with pytest.raises(ValueError, match="geomspace: `start` and `stop` must have the same sign"):
        geomspace(-1.0, 1.0)
    with pytest.raises(ValueError, match="logspace: `num` must be non-negative"):
        logspace(0, 1, num=-1)


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    x = rand(4, 6).astype("float32")
    results = {}
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            results[name] = [np.asarray(t) for t in (
                hstack([x, x]), vstack([x, x]), dstack([x, x]), *array_split(x, 4, axis=1),
                append(x, x), hanning(7), kaiser(7, 2.0), geomspace(1.0, 9.0, 5),
                logspace(0.0, 1.0, 4))]
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_view_reinterprets_bits_as_numpy_and_keras_do():
    from gpulayers.ops.introspection import view

    x = np.arange(4, dtype="float32")
    np.testing.assert_array_equal(np.asarray(view(x, "int32")), x.view("int32"))
    halves = view(x, "int16")
    assert halves.shape == (8,) and halves.dtype == "int16"
    np.testing.assert_array_equal(np.asarray(halves), x.view("int16"))
    assert view(x).dtype == "float32"
    keras = keras_or_skip()
    np.testing.assert_array_equal(np.asarray(view(x, "int32")),
                                  to_numpy(keras.ops.view(x, "int32")))
    with pytest.raises(ValueError, match=r"view: cannot view a int8 tensor of shape \(3,\)"):
        view(np.ones(3, "int8"), "float32")
