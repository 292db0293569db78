"""nn ops: dropout, moments, batch_normalization, normalize, bias_add and fused bias_activation."""

import numpy as np
import pytest

import gpulayers
from gpulayers import backend, ops
from gpulayers.backend.random import SeedGenerator
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
FUSED = ["linear", "relu", "sigmoid", "tanh", "relu6", "elu", "selu", "softplus",
         "hard_sigmoid"]


# ---- dropout -----------------------------------------------------------------------------

def test_dropout_zeroes_and_rescales():
    y = np.asarray(ops.dropout(np.ones((200, 50)), 0.3, seed=3))
    assert set(np.unique(y)) <= {0.0, 1.0 / 0.7}
    assert abs((y == 0).mean() - 0.3) < 0.02


def test_dropout_rate_zero_is_identity_and_bad_rates_raise():
    x = gpulayers.Variable(X)
    assert ops.dropout(x, 0.0) is x
    for rate in (1.0, -0.1, "half", True):
        with pytest.raises(ValueError, match=r"dropout: `rate` must be a float in \[0, 1\)"):
            ops.dropout(X, rate)


def test_dropout_seeds():
    first = np.asarray(ops.dropout(np.ones((8, 8)), 0.5, seed=11))
    np.testing.assert_array_equal(first, np.asarray(ops.dropout(np.ones((8, 8)), 0.5, seed=11)))
    stream = SeedGenerator(5)
    a, b = (np.asarray(ops.dropout(np.ones((8, 8)), 0.5, seed=stream)) for _ in range(2))
    assert not np.array_equal(a, b)
    replay = SeedGenerator(5)
    np.testing.assert_array_equal(a, np.asarray(ops.dropout(np.ones((8, 8)), 0.5, seed=replay)))


def test_dropout_noise_shape_broadcasts_and_is_validated():
    y = np.asarray(ops.dropout(np.ones((4, 3, 6)), 0.5, noise_shape=(None, 1, 6), seed=2))
    assert np.all(y == y[:, :1, :])  # one mask shared along axis 1
    with pytest.raises(ValueError, match="noise_shape"):
        ops.dropout(np.ones((4, 3)), 0.5, noise_shape=(4, 2))
    with pytest.raises(ValueError, match="noise_shape"):
        ops.dropout(np.ones((4, 3)), 0.5, noise_shape=(4,))


def test_dropout_gradient():
    check_gradients(lambda x: ops.dropout(x, 0.4, seed=9), [X])


# ---- moments and batch normalization -----------------------------------------------------

def test_moments_values():
    mean, variance = ops.moments(np.array([[1.0, 2.0], [3.0, 6.0]]), axes=[0])
    np.testing.assert_allclose(np.asarray(mean), [2.0, 4.0])
    np.testing.assert_allclose(np.asarray(variance), [1.0, 4.0])
    mean, variance = ops.moments(np.array([[1.0, 2.0], [3.0, 6.0]]), axes=(0, 1), keepdims=True)
    assert mean.shape == (1, 1)
    # mean 3, deviations -2, -1, 0, 3
    np.testing.assert_allclose(np.asarray(variance), [[(4 + 1 + 0 + 9) / 4]])


def test_moments_float16_keeps_dtype():
    mean, variance = ops.moments(np.array([1000.0, 1001.0, 1002.0], np.float16), axes=0)
    assert mean.dtype == "float16" and variance.dtype == "float16"
    np.testing.assert_allclose(float(np.asarray(variance)), 2.0 / 3.0, rtol=1e-3)


@pytest.mark.parametrize("axes,keepdims", [([0], False), ((0, 1), True), (-1, False)])
def test_moments_gradients_through_both_outputs(axes, keepdims):
    check_gradients(lambda x: ops.moments(x, axes, keepdims=keepdims), [X])


def test_batch_normalization_values_and_gradients():
    mean, variance = RNG.standard_normal(4), RNG.random(4) + 0.5
    offset, scale = RNG.standard_normal(4), RNG.standard_normal(4)
    got = ops.batch_normalization(X, mean, variance, -1, offset, scale, epsilon=1e-3)
    expected = (X - mean) / np.sqrt(variance + 1e-3) * scale + offset
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12)
    check_gradients(lambda *a: ops.batch_normalization(a[0], a[1], a[2], -1, a[3], a[4]),
                    [X, mean, variance, offset, scale])
    check_gradients(lambda x, m, v: ops.batch_normalization(x, m, v, axis=0),
                    [X, RNG.standard_normal(3), RNG.random(3) + 0.5])


def test_batch_normalization_with_its_own_moments():
    def normalize_batch(x):
        mean, variance = ops.moments(x, axes=[0])
        return ops.batch_normalization(x, mean, variance, axis=-1)

    check_gradients(normalize_batch, [X])


def test_batch_normalization_shape_error_names_the_argument():
    with pytest.raises(ValueError, match=r"`variance` must have shape \(4,\).*\(3,\)"):
        ops.batch_normalization(X, np.zeros(4), np.ones(3), -1)


# ---- normalize -----------------------------------------------------------------------------

def test_normalize_values():
    np.testing.assert_allclose(np.asarray(ops.normalize(np.array([[3.0, 4.0]]))), [[0.6, 0.8]])
    np.testing.assert_allclose(np.asarray(ops.normalize(np.array([[3.0, -1.0]]), order=1)),
                               [[0.75, -0.25]])
    np.testing.assert_allclose(np.asarray(ops.l2_normalize(np.array([[0.0], [5.0]]), axis=0)),
                               [[0.0], [1.0]])
    np.testing.assert_array_equal(np.asarray(ops.normalize(np.zeros((2, 3)))), np.zeros((2, 3)))


@pytest.mark.parametrize("order,axis", [(2, -1), (2, 0), (1, -1), (3, 1), (2, None)])
def test_normalize_gradients(order, axis):
    check_gradients(lambda x: ops.normalize(x, axis=axis, order=order), [X])


def test_normalize_gradient_where_the_norm_is_clamped():
    check_gradients(lambda x: ops.normalize(x, epsilon=1.0), [np.array([[0.1, -0.2], [3.0, 4.0]])])


def test_normalize_rejects_bad_order():
    with pytest.raises(ValueError, match="normalize: `order` must be an int >= 1"):
        ops.normalize(X, order=0)


# ---- bias_add and bias_activation ------------------------------------------------------------

def test_bias_add_data_formats():
    x4 = RNG.standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(np.asarray(ops.bias_add(x4, np.arange(5.0))), x4 + np.arange(5.0))
    channels_first = np.asarray(ops.bias_add(x4, np.arange(3.0), data_format="channels_first"))
    np.testing.assert_allclose(channels_first, x4 + np.arange(3.0)[:, None, None])
    check_gradients(lambda x, b: ops.bias_add(x, b, "channels_first"), [x4, np.arange(3.0)])
    with pytest.raises(ValueError, match=r"bias_activation: `bias`.*\(5,\).*bias.shape=\(3,\)"):
        ops.bias_add(x4, np.arange(3.0))


def _unfused(x, bias, activation, axis=-1):
    shape = [1] * np.ndim(x)
    shape[axis] = -1
    return ops.get_activation(activation)(ops.add(x, ops.reshape(bias, tuple(shape))))


def _value_and_grads(function, x, bias):
    x, bias = gpulayers.Variable(x), gpulayers.Variable(bias)
    with gpulayers.GradientTape() as tape:
        y = function(x, bias)
        loss = ops.sum(y * y)
    grads = tape.gradient(loss, [x, bias])
    return [np.asarray(y)] + [np.asarray(g) for g in grads]


@pytest.mark.parametrize("activation", FUSED)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_equals_unfused(activation, dtype):
    x = (RNG.standard_normal((5, 7)) * 3).astype(dtype)
    bias = RNG.standard_normal(7).astype(dtype)
    assert ops.can_fuse_bias_activation(activation, dtype)
    fused = _value_and_grads(lambda a, b: ops.bias_activation(a, b, activation), x, bias)
    unfused = _value_and_grads(lambda a, b: _unfused(a, b, activation), x, bias)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    for got, expected in zip(fused, unfused):
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("activation", FUSED + ["gelu", "mish", None, ops.relu])
def test_bias_activation_gradients(activation):
    bias = RNG.standard_normal(4)
    check_gradients(lambda x, b: ops.bias_activation(x, b, activation), [X + 0.01, bias])


def test_bias_activation_channel_axis_and_callables():
    x4 = RNG.standard_normal((2, 3, 4, 5))
    bias = RNG.standard_normal(3)
    assert ops.can_fuse_bias_activation(ops.tanh, "float64")
    got = np.asarray(ops.bias_activation(x4, bias, ops.tanh, axis=1))
    np.testing.assert_allclose(got, np.tanh(x4 + bias[:, None, None]), rtol=1e-12)
    check_gradients(lambda x, b: ops.bias_activation(x, b, "sigmoid", axis=1), [x4, bias])


def test_bias_activation_float16_falls_back_to_unfused():
    assert not ops.can_fuse_bias_activation("relu", "float16")
    x = np.array([[-1.0, 2.0]], np.float16)
    y = ops.bias_activation(x, np.array([0.5, 0.5], np.float16), "relu")
    assert y.dtype == "float16"
    np.testing.assert_array_equal(np.asarray(y), [[0.0, 2.5]])


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("activation", FUSED)
@pytest.mark.parametrize("dtype,axis", [("float32", -1), ("float64", -1), ("float32", 1)])
def test_cupy_fused_bias_activation_matches_numpy(activation, dtype, axis):
    x = (RNG.standard_normal((4, 6, 5, 3)) * 3).astype(dtype)
    bias = RNG.standard_normal(x.shape[axis]).astype(dtype)
    results = {}
    for which in ("numpy", "cupy"):
        with backend.use_backend(which):
            results[which] = _value_and_grads(
                lambda a, b: ops.bias_activation(a, b, activation, axis=axis), x, bias)
    tolerance = 2e-5 if dtype == "float32" else 1e-12
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


@pytest.mark.gpu
@requires_gpu
def test_cupy_nn_ops_match_numpy():
    x = RNG.standard_normal((6, 5)).astype("float32")
    results = {}
    for which in ("numpy", "cupy"):
        with backend.use_backend(which):
            mean, variance = ops.moments(x, axes=[0])
            normalized = ops.batch_normalization(x, mean, variance, axis=-1)
            results[which] = [np.asarray(t) for t in
                              (mean, variance, normalized, ops.normalize(x, order=3))]
            mask = np.asarray(ops.dropout(np.ones((100, 10), "float32"), 0.25, seed=1))
            assert set(np.unique(mask)) <= {0.0, np.float32(1 / 0.75)}
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-6)
