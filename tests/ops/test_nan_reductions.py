"""NaN-ignoring reductions: values vs NumPy's nan* functions and Keras 3, dtypes, gradients
(which must reach every number and never a NaN) and errors."""

import warnings

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from ops_helpers import assert_values, normal_sampler

import gpulayers.ops.nan_reductions as nan_ops
from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.testing import requires_gpu

RNG = np.random.default_rng(9)
rand = normal_sampler(RNG)
REDUCTIONS = ["nanmax", "nanmean", "nanmedian", "nanmin", "nanprod", "nanstd", "nansum",
              "nanvar"]


def with_nans():
    x = rand(3, 4, 5)
    x[0, 1, 2] = np.nan
    x[1, :, 3] = np.nan  # an all-NaN slice along axis 1
    x[2, 2, :] = np.nan
    return x


def numpy_reference(name, *args, **kwargs):
    with warnings.catch_warnings():  # all-NaN slices warn in NumPy
        warnings.simplefilter("ignore", RuntimeWarning)
        return getattr(np, name)(*args, **kwargs)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(name, axis, keepdims):
    x = with_nans()
    got = np.asarray(getattr(nan_ops, name)(x, axis=axis, keepdims=keepdims))
    expected = numpy_reference(name, x, axis=axis, keepdims=keepdims)
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_gradients_skip_nans(name):
    """Central differences in float64 on the non-NaN entries; exactly 0 on the NaNs."""
    x = rand(3, 4)
    x[0, 1] = x[2, 3] = np.nan
    v = Variable(x)
    with GradientTape() as tape:
        out = getattr(nan_ops, name)(v, axis=1)
        weights = np.linspace(0.5, 1.5, out.size).reshape(out.shape)
        loss = ops.sum(out * weights)
    grad = np.asarray(tape.gradient(loss, v))
    assert np.all(grad[np.isnan(x)] == 0) and np.all(np.isfinite(grad))
    eps = 1e-6
    for index in zip(*np.nonzero(~np.isnan(x))):
        shifted = [x.copy(), x.copy()]
        shifted[0][index] += eps
        shifted[1][index] -= eps
        up, down = (float(np.sum(numpy_reference(name, s, axis=1) * weights)) for s in shifted)
        np.testing.assert_allclose(grad[index], (up - down) / (2 * eps), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "int32", "bool", "int8", "float16"])
def test_dtypes_and_values_match_keras(dtype):
    keras = keras_or_skip()
    x = RNG.integers(0, 3, (3, 4)).astype(dtype)
    if dtype.startswith("float"):
        x[0, 1] = x[2, 0] = np.nan
    for name in REDUCTIONS + ["nanargmax", "nanargmin", "nancumsum", "nancumprod"]:
        got = getattr(nan_ops, name)(x, axis=1)
        expected = getattr(keras.ops, name)(x, axis=1)
        np.testing.assert_allclose(np.asarray(got, "float64"), to_numpy(expected).astype(
            "float64"), rtol=1e-3, equal_nan=True, err_msg=name)
        assert got.dtype == keras.backend.standardize_dtype(expected.dtype), name
    for name, args in (("nanquantile", (0.3,)), ("nanpercentile", ([10.0, 90.0],))):
        got = getattr(nan_ops, name)(x, *args, axis=0)
        expected = getattr(keras.ops, name)(x, *args, axis=0)
        np.testing.assert_allclose(np.asarray(got, "float64"), to_numpy(expected).astype(
            "float64"), rtol=1e-3, equal_nan=True, err_msg=name)
        assert got.dtype == keras.backend.standardize_dtype(expected.dtype), name


@pytest.mark.parametrize("name", ["nanargmax", "nanargmin"])
def test_arg_reductions(name):
    x = with_nans()
    for axis in (1, 2):
        got = np.asarray(getattr(nan_ops, name)(x, axis=axis))
        filler = -np.inf if name == "nanargmax" else np.inf
        expected = getattr(np, name[3:])(np.where(np.isnan(x), filler, x), axis=axis)
        expected = np.where(np.isnan(x).all(axis=axis), -1, expected)  # Keras: -1 if all NaN
        assert_values(got, expected)
    assert getattr(nan_ops, name)(x).dtype == "int32"
    assert int(getattr(nan_ops, name)([np.nan, np.nan])) == -1


@pytest.mark.parametrize("name", ["nancumsum", "nancumprod"])
@pytest.mark.parametrize("axis", [None, 0, 2])
def test_cumulative(name, axis):
    x = with_nans()
    assert_values(getattr(nan_ops, name)(x, axis=axis), getattr(np, name)(x, axis=axis))
    assert getattr(nan_ops, name)(np.ones(3, "int8")).dtype == "int8"
    assert getattr(nan_ops, name)(np.ones(3, bool)).dtype == "int32"
    assert getattr(nan_ops, name)(np.ones(3, "int32"), dtype="float32").dtype == "float32"


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
def test_nanquantile_and_nanpercentile(method, axis):
    x = with_nans()
    got = nan_ops.nanquantile(x, [0.2, 0.9], axis=axis, method=method, keepdims=True)
    expected = numpy_reference("nanquantile", x, [0.2, 0.9], axis=axis, method=method,
                               keepdims=True)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6, equal_nan=True)
    got = nan_ops.nanpercentile(x, 35.0, axis=axis, method=method)
    expected = numpy_reference("nanpercentile", x, 35.0, axis=axis, method=method)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6, equal_nan=True)


def test_errors_name_the_op():
    with pytest.raises(ValueError, match=r"nanquantile: quantiles must be in \[0, 1\]"):
        nan_ops.nanquantile(np.ones(3), 2.0)
    with pytest.raises(ValueError, match="nanmean: axis 3 is out of bounds"):
        nan_ops.nanmean(np.ones((2, 2)), axis=3)
    with pytest.raises(TypeError, match="nansum: expected a numeric tensor"):
        nan_ops.nansum("abc")


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    x = with_nans().astype("float32")
    results = {}
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            v = Variable(x)
            with GradientTape() as tape:
                outs = [getattr(nan_ops, n)(v, axis=1) for n in REDUCTIONS]
                outs += [nan_ops.nanquantile(v, [0.3, 0.6], axis=2), nan_ops.nancumsum(v, 0)]
                loss = sum(ops.sum(ops.nan_to_num(o)) for o in outs)
            grads = tape.gradient(loss, [v])
            outs += [nan_ops.nanargmax(v, axis=1), nan_ops.nanargmin(v, axis=2)]
            results[name] = [np.asarray(t) for t in outs + grads]
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5, equal_nan=True)
