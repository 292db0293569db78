"""gpulayers.ops.special_math: values against NumPy/SciPy/hand formulas and Keras 3, output
dtypes, gradients by central differences, errors, and CuPy-vs-NumPy agreement."""

import math

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend
from gpulayers.ops import special_math as sm
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(7)


def _erf_reference(x):
    return np.vectorize(math.erf)(x)


# name: (reference on float64 arrays, low, high of the test inputs, differentiable there)
UNARY = {
    "cbrt": (lambda x: np.sign(x) * np.abs(x) ** (1 / 3), 0.2, 3.0, True),
    "deg2rad": (lambda x: x * math.pi / 180, -360, 360, True),
    "rad2deg": (lambda x: x * 180 / math.pi, -4, 4, True),
    "exp2": (lambda x: 2.0 ** x, -3, 3, True),
    "fabs": (np.abs, 0.1, 3, True),
    "sinc": (lambda x: np.sin(math.pi * x) / (math.pi * x), 0.1, 2.5, True),
    "i0": (lambda x: np.vectorize(lambda v: sum((v / 2) ** (2 * k) / math.factorial(k) ** 2
                                                for k in range(60)))(x), -5, 5, True),
    "erf": (_erf_reference, -3, 3, True),
    "erfc": (lambda x: np.vectorize(math.erfc)(x), -3, 5, True),
    "trunc": (np.trunc, -5, 5, False),
}


def _signed(name, shape):
    _, low, high, _ = UNARY[name]
    values = RNG.uniform(low, high, shape)
    if name in ("cbrt", "fabs", "sinc"):  # sample both signs, away from the kink/0
        values *= RNG.choice([-1.0, 1.0], shape)
    return values


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_and_gradients(name):
    reference, _, _, differentiable = UNARY[name]
    x = _signed(name, (3, 4))
    got = getattr(sm, name)(x)
    assert got.dtype == "float64"
    np.testing.assert_allclose(np.asarray(got), reference(x), rtol=1e-12, atol=1e-14)
    if differentiable:
        check_gradients(getattr(sm, name), [x], rtol=1e-6)


def test_sinc_is_one_at_zero_with_zero_gradient():
    np.testing.assert_allclose(np.asarray(sm.sinc(np.array([0.0, 1.0]))), [1.0, 0.0], atol=1e-16)
    check_gradients(sm.sinc, [np.array([0.0, 0.3])])


def test_erfinv_inverts_erf_and_matches_scipy():
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 2001), 1 - np.logspace(-15, -1, 50)])
    x = np.asarray(sm.erfinv(y))
    np.testing.assert_allclose(_erf_reference(x), y, rtol=1e-15, atol=2e-16)
    special = pytest.importorskip("scipy.special")
    np.testing.assert_allclose(x, special.erfinv(y), rtol=1e-13)
    edges = np.asarray(sm.erfinv([1.0, -1.0, 1.5, 0.0]))
    assert edges[0] == np.inf and edges[1] == -np.inf and np.isnan(edges[2]) and edges[3] == 0
    check_gradients(sm.erfinv, [RNG.uniform(-0.9, 0.9, (2, 3))], rtol=1e-6)


def test_erfc_keeps_relative_accuracy_in_the_upper_tail():
    x = np.array([5.0, 10.0, 20.0, 26.0])
    expected = np.array([math.erfc(v) for v in x])  # Python's libm erfc
    np.testing.assert_allclose(np.asarray(sm.erfc(x)), expected, rtol=1e-13)
    assert np.asarray(sm.erfc([-np.inf, np.inf])).tolist() == [2.0, 0.0]


def test_i1_backend_helper_matches_scipy():
    special = pytest.importorskip("scipy.special")
    x = np.concatenate([np.linspace(-700, 700, 2001), np.logspace(-300, 0.3, 40)])
    got = backend.primitives("special").i1(x)
    np.testing.assert_allclose(got, special.i1(x), rtol=2e-13)


# --- dtype rules (Keras 3) --------------------------------------------------------------------

@pytest.mark.parametrize("name, dtype, expected", [
    ("cbrt", "int32", "float32"), ("cbrt", "int64", "float64"), ("cbrt", "bool", "float32"),
    ("deg2rad", "int64", "float64"), ("rad2deg", "float16", "float16"),
    ("i0", "int64", "float64"), ("i0", "uint8", "float32"), ("exp2", "int64", "float32"),
    ("fabs", "int8", "float32"), ("sinc", "int64", "float32"), ("erf", "int32", "float32"),
    ("erfinv", "float16", "float16"), ("trunc", "int16", "int16"), ("trunc", "bool", "bool"),
])
def test_unary_output_dtypes(name, dtype, expected):
    assert getattr(sm, name)(np.array([0, 1], dtype=dtype)).dtype == expected


@pytest.mark.parametrize("name, dtypes, expected", [
    ("fmax", ("int8", "int32"), "int32"), ("fmin", ("bool", "bool"), "bool"),
    ("fmod", ("bool", "bool"), "int32"), ("fmod", ("int16", "int16"), "int16"),
    ("hypot", ("int32", "int32"), "float32"), ("hypot", ("int64", "int64"), "float64"),
    ("heaviside", ("bool", "bool"), "bool"), ("heaviside", ("int64", "int32"), "float64"),
    ("logaddexp2", ("int32", "float16"), "float16"), ("nextafter", ("int32", "int32"),
                                                      "float32"),
    ("gcd", ("uint8", "int8"), "int16"), ("lcm", ("int64", "int32"), "int64"),
])
def test_binary_output_dtypes(name, dtypes, expected):
    a, b = (np.array([1, 1], dtype=dtype) for dtype in dtypes)
    assert getattr(sm, name)(a, b).dtype == expected


def test_weak_python_scalars_keep_the_tensor_dtype():
    x = np.array([1.5, -2.5], "float16")
    assert sm.fmax(x, 0.0).dtype == "float16"
    assert sm.fmod(np.array([7, -7], "int8"), 3).dtype == "int8"
    assert sm.ldexp(np.array([1, 2], "int32"), 3).dtype == "float32"
    assert sm.ldexp(x, 2).dtype == "float16"


# --- binary ops ---------------------------------------------------------------------------------

def test_fmax_fmin_ignore_nan_and_route_gradients():
    a = np.array([1.0, np.nan, 3.0, np.nan, 2.0])
    b = np.array([np.nan, 2.0, 1.0, np.nan, 2.0])
    np.testing.assert_array_equal(np.asarray(sm.fmax(a, b)), [1.0, 2.0, 3.0, np.nan, 2.0])
    np.testing.assert_array_equal(np.asarray(sm.fmin(a, b)), [1.0, 2.0, 1.0, np.nan, 2.0])
    first, second = Variable(a), Variable(b)
    with GradientTape() as tape:
        out = sm.fmax(first, second)
    grads = tape.gradient(out, [first, second], output_gradients=np.ones(5))
    np.testing.assert_array_equal(np.asarray(grads[0]), [1, 0, 1, 1, 0.5])
    np.testing.assert_array_equal(np.asarray(grads[1]), [0, 1, 0, 0, 0.5])
    x, y = RNG.uniform(-2, 2, (3, 4)), RNG.uniform(-2, 2, (4,))
    check_gradients(sm.fmax, [x, y])
    check_gradients(sm.fmin, [x, y])


def test_fmod_takes_the_sign_of_the_dividend():
    np.testing.assert_array_equal(np.asarray(sm.fmod([-7, 7, -7], [3, -3, -3])), [-1, 1, -1])
    b = RNG.uniform(0.5, 2.0, (2, 3))
    a = b * (RNG.integers(-2, 3, (2, 3)) + RNG.uniform(0.2, 0.8, (2, 3)))  # off the jumps
    np.testing.assert_allclose(np.asarray(sm.fmod(a, b)), a - np.trunc(a / b) * b, atol=1e-12)
    check_gradients(sm.fmod, [a, b])


def test_hypot_logaddexp2_heaviside():
    a, b = RNG.uniform(-3, 3, (2, 3)), RNG.uniform(-3, 3, (3,))
    np.testing.assert_allclose(np.asarray(sm.hypot(a, b)), np.sqrt(a * a + b * b), rtol=1e-14)
    np.testing.assert_allclose(np.asarray(sm.logaddexp2(a, b)), np.log2(2 ** a + 2 ** b),
                               rtol=1e-13)
    check_gradients(sm.hypot, [a, b])
    check_gradients(sm.logaddexp2, [a, b])
    big = np.array([1e200])  # float64: x * x would overflow
    assert np.asarray(sm.hypot(big, big))[0] == pytest.approx(math.sqrt(2) * 1e200)
    steps = sm.heaviside([-2.0, 0.0, 3.0, np.nan], 0.5)
    np.testing.assert_array_equal(np.asarray(steps), [0.0, 0.5, 1.0, np.nan])
    np.testing.assert_array_equal(np.asarray(sm.heaviside([False, True], [True, False])),
                                  [True, True])


def test_nextafter_steps_one_ulp_in_the_promoted_dtype():
    one = np.array([1.0, 1.0], "float32")
    got = sm.nextafter(one, np.array([2.0, 0.0], "float32"))
    assert got.dtype == "float32"
    np.testing.assert_array_equal(np.asarray(got), [1 + 2.0 ** -23, 1 - 2.0 ** -24])
    assert np.asarray(sm.nextafter(1.0, 2.0)) == np.float32(1 + 2.0 ** -23)


def test_ldexp_values_gradient_and_errors():
    np.testing.assert_array_equal(np.asarray(sm.ldexp([1.0, 3.0], np.array([2, -1]))),
                                  [4.0, 1.5])
    exponent = np.array([[1], [-2]], "int32")
    mantissa = Variable(RNG.standard_normal((2, 3)))
    with GradientTape() as tape:
        out = sm.ldexp(mantissa, exponent)
    grad = tape.gradient(out, mantissa, output_gradients=np.ones((2, 3)))
    np.testing.assert_array_equal(np.asarray(grad), np.broadcast_to([[2.0], [0.25]], (2, 3)))
    with pytest.raises(TypeError, match="ldexp.*integer"):
        sm.ldexp([1.0], [2.0])
    with pytest.raises(TypeError, match="ldexp.*integer"):
        sm.ldexp([1.0], np.array([True]))


def test_gcd_lcm_values_and_errors():
    a, b = RNG.integers(-50, 50, (4, 5)), RNG.integers(-50, 50, (5,))
    expected_gcd = np.array([[math.gcd(int(x), int(y)) for x, y in zip(row, b)] for row in a])
    np.testing.assert_array_equal(np.asarray(sm.gcd(a, b)), expected_gcd)
    expected_lcm = np.array([[abs(x * y) // math.gcd(x, y) if x and y else 0
                              for x, y in zip(row.tolist(), b.tolist())] for row in a])
    np.testing.assert_array_equal(np.asarray(sm.lcm(a, b)), expected_lcm)
    for op in (sm.gcd, sm.lcm):
        with pytest.raises(TypeError, match=f"{op.__name__}: expected integer inputs"):
            op([1.0, 2.0], [2, 3])
        with pytest.raises(TypeError, match=op.__name__):
            op(np.array([True]), np.array([False]))


@pytest.mark.parametrize("name", ["cbrt", "erf", "trunc", "fabs"])
def test_non_numeric_input_is_a_type_error_naming_the_op(name):
    with pytest.raises(TypeError, match=name):
        getattr(sm, name)("abc")


def test_broadcast_mismatch_is_a_value_error_naming_the_op():
    with pytest.raises(ValueError, match="hypot"):
        sm.hypot(np.ones((2, 3)), np.ones((4,)))


# --- Keras 3 ------------------------------------------------------------------------------------

def _keras_tensor(keras, array):
    """A Keras tensor of the array's own dtype (Keras's torch backend reads NumPy float64
    arrays as float32 otherwise)."""
    return keras.ops.convert_to_tensor(array, dtype=array.dtype.name)


KERAS_UNARY = ["cbrt", "deg2rad", "erf", "erfc", "exp2", "fabs", "i0", "rad2deg", "sinc",
               "trunc"]
KERAS_BINARY = ["fmax", "fmin", "fmod", "heaviside", "hypot", "logaddexp2"]


@pytest.mark.parametrize("dtype", ["float32", "int32"])
@pytest.mark.parametrize("name", KERAS_UNARY + ["erfinv"])
def test_unary_matches_keras(name, dtype):
    keras = keras_or_skip()
    x = RNG.uniform(-0.95, 0.95, (3, 4)) if name == "erfinv" else RNG.uniform(-4, 4, (3, 4))
    if dtype == "int32":
        if name == "erfinv":
            x = RNG.integers(-1, 2, (3, 4))
        x = np.round(x)
    x = x.astype(dtype)
    got, expected = getattr(sm, name)(x), getattr(keras.ops, name)(_keras_tensor(keras, x))
    assert got.dtype == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(np.asarray(got), to_numpy(expected), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "int32"])
@pytest.mark.parametrize("name", KERAS_BINARY + ["gcd", "lcm", "ldexp", "nextafter"])
def test_binary_matches_keras(name, dtype):
    keras = keras_or_skip()
    if name in ("gcd", "lcm") and dtype == "float32":
        pytest.skip("integer-only op")
    a = np.round(RNG.uniform(-9, 9, (3, 4))).astype(dtype)
    b = np.round(RNG.uniform(1, 9, (4,))).astype(dtype)
    if name == "ldexp":
        b = b.astype("int32")
    # nextafter: Keras's torch backend steps in float64 and rounds back, so its float32 result
    # is x1 itself; ours is one float32 ulp away (within rtol; the exact step is tested above).
    got = getattr(sm, name)(a, b)
    expected = getattr(keras.ops, name)(*(_keras_tensor(keras, v) for v in (a, b)))
    assert got.dtype == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(np.asarray(got), to_numpy(expected), rtol=2e-6, atol=1e-6)


# --- CuPy agrees with NumPy ---------------------------------------------------------------------

@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("name", KERAS_UNARY + ["erfinv"] + KERAS_BINARY)
def test_cupy_matches_numpy(name):
    arrays = [RNG.uniform(-0.9, 0.9, (3, 5)).astype("float32")]
    if name in KERAS_BINARY:
        arrays.append(RNG.uniform(0.5, 2.0, (5,)).astype("float32"))
    results = {}
    for backend_name in ("numpy", "cupy"):
        with backend.use_backend(backend_name):
            tensors = [Variable(a) for a in arrays]
            with GradientTape() as tape:
                out = getattr(sm, name)(*tensors)
            grads = tape.gradient(out, tensors, output_gradients=np.ones(out.shape, "float32"))
            results[backend_name] = [np.asarray(out)] + [np.asarray(g) for g in grads]
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
