"""Searching ops (nonzero, unique, unravel_index, searchsorted, argpartition, top_k, in_top_k,
select, multi_hot, cdist): values vs NumPy and Keras 3, dtypes, gradients and errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from ops_helpers import assert_values, normal_sampler

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.searching import (
    argpartition,
    cdist,
    in_top_k,
    multi_hot,
    nonzero,
    searchsorted,
    select,
    top_k,
    unique,
    unravel_index,
)
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(3)
rand = normal_sampler(RNG)


def keras_values(name, *args, **kwargs):
    keras = keras_or_skip()
    result = getattr(keras.ops, name)(*args, **kwargs)
    if isinstance(result, (list, tuple)):
        return [to_numpy(r) for r in result], keras
    return to_numpy(result), keras


def test_nonzero():
    x = np.array([[0.0, 3.0, 0.0], [4.0, 0.0, 5.0]], "float32")
    got = nonzero(x)
    for axis_indices, expected in zip(got, np.nonzero(x)):
        assert_values(axis_indices, expected)
        assert axis_indices.dtype == "int32"
    theirs, _ = keras_values("nonzero", x)  # Keras's torch backend stacks them into one tensor
    assert_values(np.stack([np.asarray(t) for t in got]), np.asarray(theirs))
    assert [np.asarray(t).tolist() for t in nonzero(np.array(2.0))] == [[0]]


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_unique(axis):
    x = np.array([[3, 1, 3], [1, 2, 1], [3, 1, 3]], "int32")
    got = unique(x, return_index=True, return_inverse=True, return_counts=True, axis=axis)
    expected = np.unique(x, return_index=True, return_inverse=True, return_counts=True,
                         axis=axis)
    for ours, reference in zip(got, expected):
        assert_values(ours, reference)
    assert [t.dtype for t in got] == ["int32"] * 4
    theirs, keras = keras_values("unique", x, return_inverse=True, return_counts=True,
                                 axis=axis)
    for ours, reference in zip(unique(x, return_inverse=True, return_counts=True, axis=axis),
                               theirs):
        assert_values(ours, reference)


def test_unique_size_and_fill():
    x = np.array([4.0, 1.0, 4.0, 2.0], "float32")
    assert_values(unique(x), [1.0, 2.0, 4.0])
    values, counts = unique(x, return_counts=True, size=5, fill_value=-1.0)
    assert_values(values, [1.0, 2.0, 4.0, -1.0, -1.0])
    assert_values(counts, [1, 1, 2, 0, 0])
    assert_values(unique(x, size=2), [1.0, 2.0])
    theirs, _ = keras_values("unique", x, size=5, fill_value=-1.0)
    assert_values(unique(x, size=5, fill_value=-1.0), theirs)


def test_unravel_index():
    indices = np.array([4, 1, 5, 0], "int32")
    got = unravel_index(indices, (2, 3))
    for ours, expected in zip(got, np.unravel_index(indices, (2, 3))):
        assert_values(ours, expected)
        assert ours.dtype == "int32"
    theirs, _ = keras_values("unravel_index", indices, (2, 3))
    for ours, reference in zip(got, theirs):
        assert_values(ours, reference)
    with pytest.raises(ValueError, match=r"unravel_index: indices must be in \[0, 6\)"):
        unravel_index([6], (2, 3))
    with pytest.raises(TypeError, match="unravel_index: `indices` must have an integer dtype"):
        unravel_index([1.0], (2, 3))


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(side):
    sequence = np.array([1.0, 2.0, 2.0, 3.5], "float32")
    values = np.array([[0.0, 2.0], [2.5, 9.0]], "float32")
    out = searchsorted(sequence, values, side)
    assert_values(out, np.searchsorted(sequence, values, side))
    assert out.dtype == "int32"
    theirs, keras = keras_values("searchsorted", sequence, values, side=side)
    assert_values(out, theirs)
    with pytest.raises(ValueError, match="searchsorted: only 1-d sorted sequences"):
        searchsorted(np.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match="searchsorted: `side` must be 'left' or 'right'"):
        searchsorted(sequence, 1.0, "middle")


@pytest.mark.parametrize("kth, axis", [(0, -1), (2, 1), (-1, 0), (3, -1)])
def test_argpartition(kth, axis):
    x = rand(4, 5)
    order = np.asarray(argpartition(x, kth, axis))
    assert argpartition(x, kth, axis).dtype == "int32"
    parted = np.take_along_axis(x, order, axis)
    position = kth % x.shape[axis]
    pivot = np.take(parted, [position], axis)
    assert_values(pivot, np.take(np.sort(x, axis), [position], axis))
    assert np.all(np.take(parted, range(position), axis) <= pivot)
    assert np.all(np.take(parted, range(position + 1, x.shape[axis]), axis) >= pivot)
    np.testing.assert_array_equal(np.sort(order, axis), np.sort(np.argsort(x, axis), axis))
    with pytest.raises(ValueError, match=r"argpartition: `kth` must be in \[-5, 5\)"):
        argpartition(x, 5)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_top_k(k):
    x = rand(3, 5)
    values, indices = top_k(x, k)
    expected_indices = np.argsort(-x, axis=-1, kind="stable")[:, :k]
    assert_values(indices, expected_indices)
    assert_values(values, np.take_along_axis(x, expected_indices, -1))
    assert indices.dtype == "int32"
    check_gradients(lambda t: top_k(t, k)[0], [x])
    f32 = x.astype("float32")
    theirs, keras = keras_values("top_k", f32, k)
    assert_values(top_k(f32, k)[0], theirs[0])
    assert top_k(f32, k)[0].dtype == keras.backend.standardize_dtype(theirs[0].dtype)
    assert_values(top_k(f32, k)[1], theirs[1])  # Keras's torch backend gives int64 indices


def test_top_k_ties_and_errors():
    values, indices = top_k([1.0, 3.0, 3.0, 0.0], 2)
    assert_values(indices, [1, 2])  # ties: the lower index first
    v = Variable([1.0, 3.0, 2.0])
    with GradientTape() as tape:
        y = ops.sum(top_k(v, 2)[0] * np.array([10.0, 1.0], "float32"))
    assert_values(tape.gradient(y, v), [0.0, 10.0, 1.0])
    with pytest.raises(ValueError, match=r"top_k: `k` must be in \[0, 3\]"):
        top_k([1.0, 2.0, 3.0], 4)


def test_in_top_k():
    predictions = np.array([[0.1, 0.5, 0.9], [0.3, 0.3, 0.2], [0.8, 0.1, 0.1]], "float32")
    targets = np.array([1, 1, 2], "int32")
    for k in (1, 2, 3):
        out = in_top_k(targets, predictions, k)
        theirs, _ = keras_values("in_top_k", targets, predictions, k)
        assert_values(out, theirs)
        assert out.dtype == "bool"
    assert_values(in_top_k([1, 1, 2], predictions, 1), [False, True, False])  # a tie is in
    assert_values(in_top_k([5, 0, -1], predictions, 3), [False, True, False])
    with pytest.raises(ValueError, match=r"in_top_k: expected targets of shape \(n,\)"):
        in_top_k([0], predictions, 1)


def test_select():
    x = rand(3, 4)
    conditions, choices = [x < -0.5, x > 0.5], [x * 2, -x]
    assert_values(select(conditions, choices, 7.0), np.select(conditions, choices, 7.0))
    check_gradients(lambda t, d: select([x < -0.5, x > 0.5], [t * 2.0, -t], d),
                    [x, rand(4)])
    f32 = x.astype("float32")
    cond = [f32 < 0, f32 > 1]
    theirs, keras = keras_values("select", cond, [f32, f32 + 1], 0.0)
    out = select(cond, [f32, f32 + 1], 0.0)
    assert_values(out, theirs)
    assert out.dtype == "float32"
    ints = np.arange(4, dtype="int32")
    assert select([ints > 1], [ints]).dtype == "int32"
    with pytest.raises(ValueError, match="select: `condlist` and `choicelist` need the same"):
        select([x > 0], [x, x])
    with pytest.raises(TypeError, match="select: conditions must be bool tensors"):
        select([x], [x])


@pytest.mark.parametrize("labels", [[0, 4], [[0, 2], [1, 1]], [[3, 3, 0]], [[-1, 5, 2]]])
def test_multi_hot(labels):
    labels = np.array(labels, "int32")
    out = multi_hot(labels, 5)
    expected = np.zeros((5,) if labels.ndim == 1 else (labels.shape[0], 5), "float32")
    for position, label in np.ndenumerate(labels):
        if 0 <= label < 5:
            expected[(position[0], label) if labels.ndim > 1 else label] = 1.0
    assert_values(out, expected)
    assert out.dtype == "float32" and multi_hot(labels, 5, dtype="int32").dtype == "int32"
    if labels.min() >= 0 and labels.max() < 5:  # Keras's torch backend rejects the others
        theirs, _ = keras_values("multi_hot", labels, 5)
        assert_values(out, theirs)
    assert_values(multi_hot(labels, num_tokens=5), expected)


def test_multi_hot_errors():
    with pytest.raises(ValueError, match="multi_hot: `num_classes` is required"):
        multi_hot([0, 1])
    with pytest.raises(TypeError, match="multi_hot: `inputs` must have an integer dtype"):
        multi_hot([0.5], 3)
    with pytest.raises(ValueError, match="one_hot: sparse=True is not supported"):
        multi_hot([0, 1], 3, sparse=True)


@pytest.mark.parametrize("shapes", [[(3, 2), (4, 2)], [(2, 3, 4), (2, 5, 4)], [(1, 3, 2), (4, 2)]])
def test_cdist(shapes):
    x, y = (rand(*s) for s in shapes)
    expected = np.sqrt(((x[..., :, None, :] - y[..., None, :, :]) ** 2).sum(-1))
    assert_values(cdist(x, y), expected)
    check_gradients(cdist, [x, y])
    x32, y32 = x.astype("float32"), y.astype("int32")
    theirs, keras = keras_values("cdist", x32, y32)
    out = cdist(x32, y32)
    np.testing.assert_allclose(np.asarray(out), theirs, rtol=1e-5)
    assert out.dtype == keras.backend.standardize_dtype(theirs.dtype) == "float32"
    assert cdist(np.ones((2, 2), "int32"), np.ones((2, 2), "int32")).dtype == "float32"
    with pytest.raises(ValueError, match="cdist: inputs need rank >= 2"):
        cdist(np.ones(3), np.ones((2, 3)))


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    x = rand(4, 6).astype("float32")
    labels = RNG.integers(0, 6, (4, 3)).astype("int32")
    results = {}
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            v = Variable(x)
            with GradientTape() as tape:
                outs = [top_k(v, 3)[0], select([v > 0], [v * 2.0], 1.0), cdist(v, v[:2] + 0.5)]
                loss = sum(ops.sum(o * o) for o in outs)
            grads = tape.gradient(loss, [v])
            outs += [top_k(v, 3)[1], *nonzero(v > 0), *unique(labels, return_counts=True),
                     *unravel_index(labels, (2, 3)), searchsorted(ops.sort(v[0]), v[1]),
                     in_top_k(labels[:, 0], v, 2), multi_hot(labels, 6)]
            results[name] = [np.asarray(t) for t in outs + grads]
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
