"""Elementwise math ops: values against NumPy formulas, gradients, dtype promotion, errors,
and the Python operators on Tensors."""

import numpy as np
import pytest

from gpulayers import GradientTape, Tensor, Variable, backend, ops
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(0)


def uniform(shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, shape)


def values(tensor):
    assert isinstance(tensor, Tensor)
    return np.asarray(tensor)


def gradient(fn, *arrays):
    """Tape gradients of sum(fn(*tensors)) with respect to every input."""
    tensors = [Variable(np.asarray(a, dtype="float64")) for a in arrays]
    with GradientTape() as tape:
        out = ops.sum(fn(*tensors))
    return [None if g is None else np.asarray(g) for g in tape.gradient(out, tensors)]


# --- binary arithmetic ------------------------------------------------------------------------

BINARY = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b,
    "divide_no_nan": lambda a, b: a / b,  # b is never 0 here; zeros are tested below
    "true_divide": lambda a, b: a / b,
    "power": lambda a, b: np.exp(b * np.log(a)),
    "maximum": lambda a, b: np.where(a > b, a, b),
    "minimum": lambda a, b: np.where(a < b, a, b),
    "logaddexp": lambda a, b: np.log(np.exp(a) + np.exp(b)),
    "arctan2": lambda a, b: np.arctan(a / b),  # b > 0 here, so no quadrant correction
}
SHAPE_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 1)), ((), (2,)), ((3, 1), ())]


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_binary_values_and_gradients(name, shapes):
    a = uniform(shapes[0], 0.5, 2.0)  # positive operands keep power/divide smooth
    b = uniform(shapes[1], 0.5, 2.0)
    op = getattr(ops, name)
    result = op(a, b)
    np.testing.assert_allclose(values(result), BINARY[name](a, b), rtol=1e-12)
    assert result.shape == np.broadcast_shapes(shapes[0], shapes[1])
    check_gradients(op, [a, b])


def test_divide_no_nan_gives_zero_value_and_zero_gradients_where_the_divisor_is_zero():
    a, b = np.array([1.0, -2.0, 3.0]), np.array([2.0, 0.0, -4.0])
    np.testing.assert_array_equal(values(ops.divide_no_nan(a, b)), [0.5, 0.0, -0.75])
    grad_a, grad_b = gradient(ops.divide_no_nan, a, b)
    np.testing.assert_allclose(grad_a, [1 / 2.0, 0.0, 1 / -4.0])       # 1/b
    np.testing.assert_allclose(grad_b, [-1.0 / 4.0, 0.0, -3.0 / 16.0])  # -a/b**2
    assert ops.divide_no_nan(np.array([1, 2], "int32"), np.array([0, 4], "int32")).dtype == (
        backend.floatx())


def test_mod_values_and_gradients():
    b = uniform((2, 3), 0.5, 2.0)
    a = b * (RNG.integers(-2, 3, (2, 3)) + uniform((2, 3), 0.2, 0.8))  # away from the jumps
    np.testing.assert_allclose(values(ops.mod(a, b)), a - b * np.floor(a / b), atol=1e-12)
    np.testing.assert_array_equal(values(ops.mod([-7, 7], 3)), [2, 1])  # sign of the divisor
    check_gradients(ops.mod, [a, b[0]])


def test_floor_divide_values_and_zero_gradient():
    np.testing.assert_array_equal(values(ops.floor_divide([7, -7], 2)), [3, -4])
    a, b = uniform((3,), 1, 5), uniform((3,), 0.5, 2)
    np.testing.assert_allclose(values(ops.floor_divide(a, b)), np.floor(a / b))
    grads = gradient(ops.floor_divide, a, b)
    np.testing.assert_array_equal(grads[0], 0)
    np.testing.assert_array_equal(grads[1], 0)


@pytest.mark.parametrize("fn", [lambda x: x * x, lambda x: ops.multiply(x, x) + x / x,
                                lambda x: x ** 3 - 2 * x, lambda x: ops.maximum(x, -x) * x])
def test_reused_inputs_accumulate_gradients(fn):
    check_gradients(fn, [uniform((3, 2), 0.2, 1.0)])


def test_power_with_scalar_and_tensor_exponents():
    x = uniform((4,), 0.5, 2.0)
    check_gradients(lambda t: ops.power(t, 3), [x])
    check_gradients(lambda t: t ** 0.5, [x])
    check_gradients(lambda t: 2.0 ** t, [x])
    np.testing.assert_allclose(gradient(lambda t: 2 ** t, x)[0], np.log(2) * 2 ** x)
    # exponent gradient is 0 where the base is <= 0; the base's is 0 where the exponent is 0
    base_grad, exponent_grad = gradient(ops.power, [0.0, -2.0, 3.0], [0.0, 2.0, 2.0])
    np.testing.assert_allclose(base_grad, [0.0, -4.0, 6.0])
    np.testing.assert_allclose(exponent_grad, [0.0, 0.0, 9 * np.log(3.0)])


def test_maximum_and_minimum_split_ties():
    grads = gradient(ops.maximum, [1.0, 2.0, 3.0], [1.0, 5.0, 0.0])
    np.testing.assert_allclose(grads[0], [0.5, 0.0, 1.0])
    np.testing.assert_allclose(grads[1], [0.5, 1.0, 0.0])
    grads = gradient(ops.minimum, [1.0, 2.0], [1.0, 5.0])
    np.testing.assert_allclose(grads[0], [0.5, 1.0])
    np.testing.assert_allclose(gradient(lambda x: ops.maximum(x, x), [2.0])[0], [1.0])


def test_broadcast_gradient_is_summed_over_stretched_axes():
    bias_grad = gradient(lambda x, b: x * 2.0 + b, np.ones((4, 3)), np.zeros((3,)))[1]
    np.testing.assert_allclose(bias_grad, [4.0, 4.0, 4.0])
    grad = gradient(lambda x, b: x * b, np.full((2, 3), 2.0), np.ones((2, 1)))[1]
    np.testing.assert_allclose(grad, [[6.0], [6.0]])


def test_unbroadcast_helper():
    grad = np.ones((2, 4, 3))
    np.testing.assert_array_equal(ops.unbroadcast(backend.to_device(grad), (4, 1)).shape, (4, 1))
    np.testing.assert_allclose(backend.to_numpy(ops.unbroadcast(backend.to_device(grad),
                                                                (1, 3))), np.full((1, 3), 8.0))


# --- unary --------------------------------------------------------------------------------------

UNARY = {  # name: (formula, low, high) with the domain kept away from kinks and poles
    "negative": (lambda x: -x, -2, 2), "absolute": (lambda x: np.where(x < 0, -x, x), 0.1, 2),
    "abs": (lambda x: np.where(x < 0, -x, x), -2, -0.1), "square": (lambda x: x * x, -2, 2),
    "sqrt": (lambda x: x ** 0.5, 0.1, 4), "rsqrt": (lambda x: 1 / x ** 0.5, 0.1, 4),
    "exp": (lambda x: np.e ** x, -2, 2), "expm1": (lambda x: np.e ** x - 1, -2, 2),
    "log": (lambda x: np.log(x), 0.1, 4), "log1p": (lambda x: np.log(1 + x), -0.5, 2),
    "log2": (lambda x: np.log(x) / np.log(2), 0.1, 4),
    "log10": (lambda x: np.log(x) / np.log(10), 0.1, 4),
    "sin": (lambda x: np.sin(x), -3, 3), "cos": (lambda x: np.cos(x), -3, 3),
    "tan": (lambda x: np.sin(x) / np.cos(x), -1, 1),
    "arcsin": (lambda x: np.arctan(x / np.sqrt(1 - x * x)), -0.9, 0.9),
    "arccos": (lambda x: np.pi / 2 - np.arctan(x / np.sqrt(1 - x * x)), -0.9, 0.9),
    "arctan": (lambda x: np.arcsin(x / np.sqrt(1 + x * x)), -3, 3),
    "sinh": (lambda x: (np.exp(x) - np.exp(-x)) / 2, -2, 2),
    "cosh": (lambda x: (np.exp(x) + np.exp(-x)) / 2, -2, 2),
    "tanh": (lambda x: (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1), -2, 2),
    "arcsinh": (lambda x: np.log(x + np.sqrt(x * x + 1)), -2, 2),
    "arccosh": (lambda x: np.log(x + np.sqrt(x * x - 1)), 1.2, 3),
    "arctanh": (lambda x: 0.5 * np.log((1 + x) / (1 - x)), -0.9, 0.9),
    "reciprocal": (lambda x: 1 / x, 0.5, 2),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_and_gradients(name):
    formula, low, high = UNARY[name]
    x = uniform((2, 3), low, high)
    np.testing.assert_allclose(values(getattr(ops, name)(x)), formula(x), rtol=1e-10, atol=1e-12)
    check_gradients(getattr(ops, name), [x])


@pytest.mark.parametrize("name", ["round", "floor", "ceil", "sign"])
def test_rounding_values_and_zero_gradient(name):
    x = np.array([-1.7, -0.5, 0.0, 0.4, 1.5, 2.5])
    expected = {"round": [-2, -0, 0, 0, 2, 2], "floor": [-2, -1, 0, 0, 1, 2],
                "ceil": [-1, -0, 0, 1, 2, 3], "sign": [-1, -1, 0, 1, 1, 1]}[name]
    np.testing.assert_array_equal(values(getattr(ops, name)(x)), expected)
    np.testing.assert_array_equal(gradient(getattr(ops, name), x)[0], np.zeros(6))


def test_round_decimals():
    np.testing.assert_allclose(values(ops.round([1.234, -5.678], decimals=1)), [1.2, -5.7])


def test_clip_values_gradient_and_dtype():
    x = np.array([-2.0, 0.0, 0.5, 1.0, 3.0])
    np.testing.assert_allclose(values(ops.clip(x, 0.0, 1.0)), [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(gradient(lambda t: ops.clip(t, 0.0, 1.0), x)[0], [0, 1, 1, 1, 0])
    check_gradients(lambda t: ops.clip(t, -0.5, 0.5), [np.array([-0.9, -0.2, 0.3, 0.8])])
    clipped = ops.clip(ops.arange(5), 1, 3)
    assert clipped.dtype == "int32"
    np.testing.assert_array_equal(values(clipped), [1, 1, 2, 3, 3])
    np.testing.assert_allclose(values(ops.clip(x, None, 0.5)), [-2.0, 0.0, 0.5, 0.5, 0.5])
    bounds = ops.clip(np.zeros((2, 3)), np.array([[1.0], [2.0]]), 5.0)
    np.testing.assert_allclose(values(bounds), [[1.0] * 3, [2.0] * 3])


def test_nan_to_num_and_finiteness_tests():
    x = np.array([np.nan, np.inf, -np.inf, 1.5])
    np.testing.assert_allclose(values(ops.nan_to_num(x, nan=0.0, posinf=9.0, neginf=-9.0)),
                               [0.0, 9.0, -9.0, 1.5])
    np.testing.assert_array_equal(gradient(ops.nan_to_num, x)[0], [0, 0, 0, 1])
    np.testing.assert_array_equal(values(ops.isnan(x)), [True, False, False, False])
    np.testing.assert_array_equal(values(ops.isinf(x)), [False, True, True, False])
    np.testing.assert_array_equal(values(ops.isfinite(x)), [False, False, False, True])
    assert ops.isnan(x).dtype == "bool"


def test_log_of_zero_is_minus_infinity_without_warnings():
    np.testing.assert_array_equal(values(ops.log([0.0, 1.0])), [-np.inf, 0.0])
    assert np.isnan(values(ops.sqrt(-1.0)))
    np.testing.assert_array_equal(values(ops.divide([1.0, 0.0], 0.0))[0], np.inf)


# --- cast, identity, stop_gradient ------------------------------------------------------------

def test_cast_between_floats_is_differentiable():
    x = Variable(np.array([1.5, -2.0], dtype="float32"))
    with GradientTape() as tape:
        y = ops.sum(ops.cast(x, "float64") * 3.0)
    assert y.dtype == "float64"
    grad = tape.gradient(y, x)
    assert grad.dtype == "float32"
    np.testing.assert_allclose(values(grad), [3.0, 3.0])
    # float32 in the middle: a large step keeps rounding out of the finite differences
    check_gradients(lambda t: ops.cast(t, "float32") * 2.0, [np.array([0.5, 1.5])], eps=1e-2,
                    rtol=1e-4, atol=1e-4)


def test_cast_to_and_from_integers():
    assert ops.cast([1.7, -1.7], "int32").dtype == "int32"
    np.testing.assert_array_equal(values(ops.cast([1.7, -1.7], "int32")), [1, -1])
    x = Variable([1.7, -1.7])
    with GradientTape() as tape:
        truncated = ops.cast(ops.cast(x, "int32"), "float32")
        y = ops.sum(truncated * x)
    # the path through the int32 cast carries no gradient; only the direct use of x does
    np.testing.assert_allclose(values(tape.gradient(y, x)), [1.0, -1.0])
    assert ops.cast(x, "float32") is x  # nothing to do
    assert ops.cast(x, float).dtype == backend.floatx()


def test_cast_rejects_unknown_dtypes():
    with pytest.raises(TypeError, match="cast: unknown dtype"):
        ops.cast([1.0], "floaty32")
    with pytest.raises(TypeError, match="cast: unsupported dtype"):
        ops.cast([1.0], "complex64")


def test_identity_op_and_stop_gradient():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = ops.sum(+x * 2.0 + x * ops.stop_gradient(x))
    np.testing.assert_allclose(values(tape.gradient(y, x)), [3.0, 4.0])
    frozen, copied = ops.stop_gradient(x), ops.identity_op(x)
    x.assign([5.0, 6.0])
    np.testing.assert_allclose(values(frozen), [1.0, 2.0])
    np.testing.assert_allclose(values(copied), [1.0, 2.0])
