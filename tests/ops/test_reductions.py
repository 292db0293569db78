"""Reductions and cumulative ops: values against formulas, gradients, axis/keepdims, dtypes."""

import numpy as np
import pytest

from gpulayers import GradientTape, Tensor, Variable, ops
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(1)
AXES = [None, 0, -1, (0, 2), (1,), (-1, 0, 1)]


def values(tensor):
    assert isinstance(tensor, Tensor)
    return np.asarray(tensor)


def gradient(fn, array):
    x = Variable(np.asarray(array, dtype="float64"))
    with GradientTape() as tape:
        out = ops.sum(fn(x))
    return np.asarray(tape.gradient(out, x))


def _mean(a, axis, keepdims):
    return np.sum(a, axis=axis, keepdims=keepdims) / (a.size / np.sum(a, axis=axis,
                                                                      keepdims=keepdims).size)


REFERENCES = {  # independent formulas built from sums and elementwise NumPy
    "sum": lambda a, axis, k: np.add.reduce(a, axis=axis, keepdims=k),
    "mean": _mean,
    "max": lambda a, axis, k: np.maximum.reduce(a, axis=axis, keepdims=k),
    "min": lambda a, axis, k: np.minimum.reduce(a, axis=axis, keepdims=k),
    "prod": lambda a, axis, k: np.exp(np.add.reduce(np.log(a), axis=axis, keepdims=k)),
    "var": lambda a, axis, k: _mean((a - _mean(a, axis, True)) ** 2, axis, k),
    "std": lambda a, axis, k: np.sqrt(_mean((a - _mean(a, axis, True)) ** 2, axis, k)),
    "logsumexp": lambda a, axis, k: np.log(np.add.reduce(np.exp(a), axis=axis, keepdims=k)),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_values_and_gradients(name, axis, keepdims):
    a = RNG.uniform(0.5, 2.0, (2, 3, 4))  # positive: prod's log reference; distinct: max/min
    op = getattr(ops, name)
    result = op(a, axis=axis, keepdims=keepdims)
    expected = REFERENCES[name](a, axis, keepdims)
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(values(result), expected, rtol=1e-10)
    check_gradients(lambda t: op(t, axis=axis, keepdims=keepdims), [a])


def test_max_and_min_split_the_gradient_among_ties():
    np.testing.assert_allclose(gradient(ops.max, [1.0, 3.0, 3.0]), [0.0, 0.5, 0.5])
    np.testing.assert_allclose(gradient(lambda x: ops.min(x, axis=1), [[2.0, 2.0], [1.0, 4.0]]),
                               [[0.5, 0.5], [1.0, 0.0]])


def test_max_with_initial_and_empty_inputs():
    np.testing.assert_allclose(values(ops.max([1.0, 2.0], initial=5.0)), 5.0)
    np.testing.assert_allclose(values(ops.max(np.zeros((0,)), initial=-1.0)), -1.0)
    np.testing.assert_allclose(gradient(lambda x: ops.max(x, initial=5.0), [1.0, 2.0]), [0, 0])
    with pytest.raises(ValueError, match="max: cannot reduce an empty axis"):
        ops.max(np.zeros((0, 3)), axis=0)
    assert ops.min(np.zeros((0, 3)), axis=1).shape == (0,)


def test_prod_gradient_with_zeros():
    a = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    np.testing.assert_allclose(gradient(lambda x: ops.prod(x, axis=1), a),
                               [[6.0, 0.0, 0.0], [0.0, 0.0, 0.0], [8.0, 4.0, 2.0]])
    check_gradients(lambda t: ops.prod(t, axis=0), [a])


def test_mean_of_empty_is_nan_and_integer_means_are_float():
    assert np.isnan(values(ops.mean(np.zeros((0,)))))
    assert ops.mean(np.array([1, 2], dtype="int32")).dtype == "float32"
    np.testing.assert_allclose(values(ops.mean(np.array([1, 2], dtype="int32"))), 1.5)


def test_std_gradient_of_a_constant_slice_is_zero():
    np.testing.assert_array_equal(gradient(lambda x: ops.std(x, axis=1), np.ones((2, 3))), 0)


def test_logsumexp_is_stable():
    np.testing.assert_allclose(values(ops.logsumexp([1000.0, 1000.0])), 1000.0 + np.log(2.0))
    np.testing.assert_allclose(values(ops.logsumexp([-1000.0, -1000.0])), -1000.0 + np.log(2.0))
    assert values(ops.logsumexp([-np.inf, -np.inf])) == -np.inf
    grad = gradient(ops.logsumexp, [1000.0, 1000.0])
    np.testing.assert_allclose(grad, [0.5, 0.5])


@pytest.mark.parametrize("dtype,expected", [("bool", "int32"), ("int8", "int32"),
                                            ("int32", "int32"), ("int64", "int64"),
                                            ("float16", "float16")])
def test_sum_dtypes(dtype, expected):
    assert ops.sum(np.ones(3, dtype=dtype)).dtype == expected
    assert ops.prod(np.ones(3, dtype=dtype)).dtype == expected


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_argmax_argmin(name, axis, keepdims):
    a = RNG.permutation(12).reshape(3, 4).astype("float32")
    result = getattr(ops, name)(a, axis=axis, keepdims=keepdims)
    assert result.dtype == "int32"
    pick = np.max if name == "argmax" else np.min
    if axis is None:
        expected = int(np.flatnonzero(a.reshape(-1) == pick(a))[0])
        assert result.shape == ((1, 1) if keepdims else ())
    else:
        target = pick(a, axis=axis, keepdims=True)
        expected = np.moveaxis(np.argwhere(np.moveaxis(a == target, axis, -1))[:, -1].reshape(
            np.moveaxis(target, axis, -1).shape), -1, axis)
        expected = expected if keepdims else np.squeeze(expected, axis)
    np.testing.assert_array_equal(values(result).reshape(np.shape(expected)), expected)


def test_boolean_reductions_and_count_nonzero():
    a = np.array([[0, 1, 2], [0, 0, 3]])
    np.testing.assert_array_equal(values(ops.all(a > 0, axis=1)), [False, False])
    np.testing.assert_array_equal(values(ops.any(a, axis=0)), [False, True, True])
    np.testing.assert_array_equal(values(ops.any(a, axis=0, keepdims=True)), [[False, True, True]])
    assert bool(values(ops.all([1.0, 2.0]))) and not bool(values(ops.any([0, 0])))
    assert ops.count_nonzero(a).dtype == "int32"
    np.testing.assert_array_equal(values(ops.count_nonzero(a, axis=1)), [2, 1])
    assert int(values(ops.count_nonzero(a))) == 3


@pytest.mark.parametrize("call,message", [
    (lambda x: ops.sum(x, axis=3), "sum: axis 3 is out of bounds for a tensor of rank 2"),
    (lambda x: ops.mean(x, axis=(0, -2)), "mean: repeated axis"),
    (lambda x: ops.max(x, axis=-3), "max: axis -3 is out of bounds"),
    (lambda x: ops.argmax(x, axis=2), "argmax: axis 2 is out of bounds"),
])
def test_bad_axes_raise_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.ones((2, 3)))


# --- cumulative ------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_values_and_gradients(axis):
    a = RNG.normal(size=(3, 4))
    flat = a.reshape(-1) if axis is None else np.moveaxis(a, axis, -1)
    running = np.stack([flat[..., : i + 1].sum(-1) for i in range(flat.shape[-1])], -1)
    expected = running if axis is None else np.moveaxis(running, -1, axis)
    np.testing.assert_allclose(values(ops.cumsum(a, axis=axis)), expected, rtol=1e-12)
    check_gradients(lambda t: ops.cumsum(t, axis=axis), [a])


@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("with_zeros", [False, True])
def test_cumprod_values_and_gradients(axis, with_zeros):
    a = RNG.uniform(0.5, 1.5, (3, 4))
    if with_zeros:
        a[1, 1] = a[2, 3] = a[0, 0] = 0.0
    flat = a.reshape(-1) if axis is None else np.moveaxis(a, axis, -1)
    running = np.stack([flat[..., : i + 1].prod(-1) for i in range(flat.shape[-1])], -1)
    expected = running if axis is None else np.moveaxis(running, -1, axis)
    np.testing.assert_allclose(values(ops.cumprod(a, axis=axis)), expected, rtol=1e-12)
    check_gradients(lambda t: ops.cumprod(t, axis=axis), [a])


def test_cumulative_dtypes():
    assert ops.cumsum(np.ones(3, dtype="bool")).dtype == "int32"
    assert ops.cumsum(np.ones(3, dtype="int32"), dtype="float32").dtype == "float32"
    np.testing.assert_array_equal(values(ops.cumprod([1, 2, 3])), [1, 2, 6])
