"""Activation ops: values against scalar formulas, gradients, stability, lookup, CuPy agreement."""

import math

import numpy as np
import pytest

import gpulayers
from gpulayers import backend, ops
from gpulayers.ops import activations
from gpulayers.testing import check_gradients, requires_gpu

# Points away from every kink (0, +-3, 6) so finite differences are valid.
POINTS = np.array([[-4.5, -2.7, -0.9, -0.2], [0.35, 1.3, 2.6, 7.5]])


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def _softplus(v):
    return math.log1p(math.exp(v))


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

SCALAR_REFERENCES = {
    "relu": lambda v: max(v, 0.0),
    "relu6": lambda v: min(max(v, 0.0), 6.0),
    "leaky_relu": lambda v: v if v >= 0 else 0.2 * v,
    "elu": lambda v: v if v > 0 else math.exp(v) - 1.0,
    "selu": lambda v: SELU_SCALE * (v if v > 0 else SELU_ALPHA * (math.exp(v) - 1.0)),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda v: min(max(v + 3.0, 0.0), 6.0) / 6.0,
    "hard_silu": lambda v: v * min(max(v + 3.0, 0.0), 6.0) / 6.0,
    "hard_swish": lambda v: v * min(max(v + 3.0, 0.0), 6.0) / 6.0,
    "silu": lambda v: v * _sigmoid(v),
    "swish": lambda v: v * _sigmoid(v),
    "softplus": _softplus,
    "softsign": lambda v: v / (1.0 + abs(v)),
    "tanh": math.tanh,
    "exponential": math.exp,
    "linear": lambda v: v,
    "mish": lambda v: v * math.tanh(_softplus(v)),
    "log_sigmoid": lambda v: math.log(_sigmoid(v)),
    "gelu": lambda v: 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))),  # Keras activations.gelu
}


def _reference(name, values):
    return np.vectorize(SCALAR_REFERENCES[name])(values)


@pytest.mark.parametrize("name", sorted(SCALAR_REFERENCES))
def test_values_match_scalar_formulas(name):
    got = activations.get_activation(name)(POINTS)
    np.testing.assert_allclose(np.asarray(got), _reference(name, POINTS), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", sorted(SCALAR_REFERENCES))
def test_gradients(name):
    check_gradients(activations.get_activation(name), [POINTS])


def test_gelu_tanh_approximation_is_the_ops_default():
    c = math.sqrt(2.0 / math.pi)
    expected = np.vectorize(lambda v: 0.5 * v * (1 + math.tanh(c * (v + 0.044715 * v ** 3))))
    np.testing.assert_allclose(np.asarray(ops.gelu(POINTS)), expected(POINTS), rtol=1e-12)
    check_gradients(lambda x: ops.gelu(x, approximate=True), [POINTS])
    with pytest.raises(TypeError, match="approximate"):
        ops.gelu(POINTS, approximate="yes")


def test_relu_keras_documented_examples():
    x = [-10.0, -5.0, 0.0, 5.0, 10.0]
    np.testing.assert_allclose(np.asarray(ops.relu(x)), [0, 0, 0, 5, 10])
    np.testing.assert_allclose(np.asarray(ops.relu(x, negative_slope=0.5)), [-5, -2.5, 0, 5, 10])
    np.testing.assert_allclose(np.asarray(ops.relu(x, max_value=5.0)), [0, 0, 0, 5, 5])
    np.testing.assert_allclose(np.asarray(ops.relu(x, threshold=5.0)), [0, 0, 0, 0, 10])


@pytest.mark.parametrize("options", [
    {"negative_slope": 0.3, "max_value": 2.0, "threshold": -1.0},
    {"negative_slope": 0.1, "threshold": 0.5},
    {"max_value": 4.0},
    {"negative_slope": 0.25},
])
def test_relu_options_values_and_gradients(options):
    slope = options.get("negative_slope", 0.0)
    ceiling = options.get("max_value")
    cutoff = options.get("threshold", 0.0)

    def scalar(v):
        out = v if v > cutoff else 0.0
        if ceiling is not None:
            out = min(max(out, 0.0), ceiling)
        return out - slope * max(cutoff - v, 0.0)

    x = POINTS / 2.0 + 0.05  # keeps every point off the thresholds used above
    np.testing.assert_allclose(np.asarray(ops.relu(x, **options)), np.vectorize(scalar)(x),
                               rtol=1e-12)
    check_gradients(lambda t: ops.relu(t, **options), [x])


def test_relu_rejects_non_numeric_options():
    with pytest.raises(TypeError, match="relu: `max_value`"):
        ops.relu(POINTS, max_value="six")


@pytest.mark.parametrize("axis", [-1, 0, (0, 1)])
def test_softmax_and_log_softmax(axis):
    x = POINTS
    axes = axis if isinstance(axis, tuple) else (axis,)
    shifted = np.exp(x - x.max(axis=axes, keepdims=True))
    expected = shifted / shifted.sum(axis=axes, keepdims=True)
    np.testing.assert_allclose(np.asarray(ops.softmax(x, axis=axis)), expected, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(ops.log_softmax(x, axis=axis)), np.log(expected),
                               rtol=1e-12, atol=1e-12)
    check_gradients(lambda t: ops.softmax(t, axis=axis), [x])
    check_gradients(lambda t: ops.log_softmax(t, axis=axis), [x])


def test_softmax_bad_axis_names_the_op():
    with pytest.raises(ValueError, match="softmax: `axis`"):
        ops.softmax(POINTS, axis=2)


EXTREME = np.array([-1000.0, -80.0, 0.5, 80.0, 1000.0], dtype=np.float32)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "log_sigmoid", "silu", "mish", "elu",
                                  "selu", "softsign", "gelu", "hard_silu", "softmax",
                                  "log_softmax"])
def test_extreme_inputs_give_finite_values_and_gradients(name):
    x = gpulayers.Variable(EXTREME)
    with gpulayers.GradientTape() as tape:
        y = activations.get_activation(name)(x)
    grad = tape.gradient(y, x)
    assert np.all(np.isfinite(np.asarray(y))) and np.all(np.isfinite(np.asarray(grad)))
    assert y.dtype == "float32" and grad.dtype == "float32"


def test_stable_tails_are_accurate():
    np.testing.assert_allclose(np.asarray(ops.sigmoid(np.array([-40.0]))), [math.exp(-40)],
                               rtol=1e-12)
    np.testing.assert_allclose(np.asarray(ops.log_sigmoid(np.array([-1000.0, 1000.0]))),
                               [-1000.0, 0.0])
    np.testing.assert_allclose(np.asarray(ops.softplus(np.array([1000.0, -1000.0]))),
                               [1000.0, 0.0])


def test_integer_inputs_become_floatx():
    y = ops.relu([-1, 2, 3])
    assert y.dtype == backend.floatx()
    np.testing.assert_array_equal(np.asarray(y), [0.0, 2.0, 3.0])


def test_linear_returns_the_same_tensor():
    x = gpulayers.Variable(POINTS)
    assert ops.linear(x) is x


def test_get_activation_lookup():
    assert activations.get_activation(None) is ops.linear
    assert activations.get_activation("swish") is ops.silu
    assert activations.get_activation(ops.relu) is ops.relu
    assert activations.get_activation("gelu").__name__ == "gelu"
    with pytest.raises(ValueError, match="Unknown activation 'nope'.*relu.*softmax"):
        activations.get_activation("nope")
    with pytest.raises(TypeError, match="get_activation"):
        activations.get_activation(3)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("name", sorted(SCALAR_REFERENCES) + ["softmax", "log_softmax"])
def test_cupy_matches_numpy(name):
    x = np.random.default_rng(0).standard_normal((4, 33)).astype(np.float32) * 3
    results = {}
    for which in ("numpy", "cupy"):
        with backend.use_backend(which):
            variable = gpulayers.Variable(x)
            with gpulayers.GradientTape() as tape:
                y = activations.get_activation(name)(variable)
            results[which] = (np.asarray(y), np.asarray(tape.gradient(y, variable)))
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-6)
