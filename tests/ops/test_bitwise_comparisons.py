"""gpulayers.ops.bitwise, .comparisons and .saturating_cast: values against NumPy operators
and hand-written references, Keras 3 values and dtypes, gradients, errors, CuPy vs NumPy."""

import math

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend
from gpulayers.ops import bitwise as bw
from gpulayers.ops import comparisons as cmp
from gpulayers.ops.saturating_cast import saturate_cast
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(11)

BINARY_BITWISE = {
    "bitwise_and": lambda a, b: a & b, "bitwise_or": lambda a, b: a | b,
    "bitwise_xor": lambda a, b: a ^ b,
    "bitwise_left_shift": lambda a, b: a << b, "left_shift": lambda a, b: a << b,
    "bitwise_right_shift": lambda a, b: a >> b, "right_shift": lambda a, b: a >> b,
}


def _keras_tensor(keras, array):
    return keras.ops.convert_to_tensor(array, dtype=np.asarray(array).dtype.name)


@pytest.mark.parametrize("name", sorted(BINARY_BITWISE))
def test_bitwise_binary_values_broadcast_and_dtypes(name):
    a = RNG.integers(-100, 100, (3, 4)).astype("int32")
    b = RNG.integers(0, 6, (4,)).astype("int8")
    got = getattr(bw, name)(a, b)
    assert got.dtype == "int32" and got.shape == (3, 4)
    np.testing.assert_array_equal(np.asarray(got), BINARY_BITWISE[name](a, b.astype("int32")))
    assert getattr(bw, name)(np.array([3], "uint8"), 1).dtype == "uint8"  # weak Python int


def test_bitwise_logic_on_bools_and_invert():
    p, q = np.array([True, True, False, False]), np.array([True, False, True, False])
    np.testing.assert_array_equal(np.asarray(bw.bitwise_and(p, q)), p & q)
    np.testing.assert_array_equal(np.asarray(bw.bitwise_or(p, q)), p | q)
    np.testing.assert_array_equal(np.asarray(bw.bitwise_xor(p, q)), p ^ q)
    assert bw.bitwise_and(p, q).dtype == "bool"
    for op in (bw.bitwise_not, bw.bitwise_invert):
        np.testing.assert_array_equal(np.asarray(op(p)), ~p)
        np.testing.assert_array_equal(np.asarray(op(np.array([0, 5, -3], "int16"))), [-1, -6, 2])
        assert np.asarray(op(np.array([0, 255], "uint8"))).tolist() == [255, 0]
    assert bw.bitwise_and(np.array([12], "uint8"), np.array([10], "int8")).dtype == "int16"


@pytest.mark.parametrize("name", sorted(BINARY_BITWISE) + ["bitwise_not", "bitwise_invert"])
def test_bitwise_rejects_floats(name):
    args = (np.array([1.0, 2.0]),) if name in ("bitwise_not", "bitwise_invert") else (
        np.array([1, 2]), np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=f"{name}: expected integer"):
        getattr(bw, name)(*args)


def test_shifts_reject_bools_and_unpromotable_pairs():
    with pytest.raises(TypeError, match="left_shift: expected integer inputs"):
        bw.left_shift(np.array([True]), 1)
    with pytest.raises(TypeError, match="bitwise_and: x and y promote to float64"):
        bw.bitwise_and(np.array([1], "int64"), np.array([1], "uint64"))


@pytest.mark.parametrize("name", sorted(BINARY_BITWISE) + ["bitwise_not", "bitwise_invert"])
@pytest.mark.parametrize("dtypes", [("int32", "int32"), ("uint8", "int8"), ("int16", "int32")])
def test_bitwise_matches_keras(name, dtypes):
    keras = keras_or_skip()
    a = RNG.integers(0, 100, (2, 5)).astype(dtypes[0])
    b = RNG.integers(0, 5, (2, 5)).astype(dtypes[1])
    args = (a,) if name in ("bitwise_not", "bitwise_invert") else (a, b)
    got = getattr(bw, name)(*args)
    expected = getattr(keras.ops, name)(*(_keras_tensor(keras, v) for v in args))
    assert got.dtype == str(expected.dtype).replace("torch.", "")
    np.testing.assert_array_equal(np.asarray(got), to_numpy(expected))


# --- isclose / allclose / isin ------------------------------------------------------------------

def test_isclose_allclose_against_the_formula():
    b = RNG.standard_normal((3, 4))
    a = b + RNG.choice([0.0, 5e-6, 1e-3], (3, 4)) * np.abs(b)
    expected = np.abs(a - b) <= 1e-8 + 1e-5 * np.abs(b)
    np.testing.assert_array_equal(np.asarray(cmp.isclose(a, b)), expected)
    assert cmp.isclose(a, b).dtype == "bool"
    assert bool(np.asarray(cmp.allclose(a, b))) == expected.all()
    assert cmp.allclose(a, a).shape == () and bool(np.asarray(cmp.allclose(a, a)))
    loose = cmp.isclose([1.0, 1.1, np.nan, np.inf], [1.0, 1.0, np.nan, np.inf], rtol=0.05,
                        equal_nan=True)
    assert np.asarray(loose).tolist() == [True, False, True, True]
    assert not np.asarray(cmp.isclose(np.nan, np.nan))


def test_isclose_compares_integers_exactly():
    a, b = np.array([1, 2, 3], "int32"), np.array([1, 3, 3], "int32")
    assert np.asarray(cmp.isclose(a, b, atol=5)).tolist() == [True, False, True]
    assert not bool(np.asarray(cmp.allclose(a, b, atol=5)))


def test_isin_values_promotion_and_invert():
    x = RNG.integers(0, 10, (3, 4))
    values = np.array([2, 3, 7])
    expected = np.vectorize(lambda v: v in set(values.tolist()))(x)
    np.testing.assert_array_equal(np.asarray(cmp.isin(x, values)), expected)
    np.testing.assert_array_equal(np.asarray(cmp.isin(x, values, invert=True)), ~expected)
    assert np.asarray(cmp.isin([1, 2], [1.5, 2.0])).tolist() == [False, True]
    assert cmp.isin(x, values).shape == (3, 4)


def test_closeness_and_isin_argument_errors():
    with pytest.raises(TypeError, match="isclose: `rtol` must be a number"):
        cmp.isclose([1.0], [1.0], rtol="big")
    with pytest.raises(TypeError, match="allclose: `equal_nan` must be a bool"):
        cmp.allclose([1.0], [1.0], equal_nan=1)
    with pytest.raises(TypeError, match="isin: `invert` must be a bool"):
        cmp.isin([1], [1], invert="yes")
    with pytest.raises(ValueError, match="isclose"):
        cmp.isclose(np.ones(3), np.ones(4))


# --- value tests and complex views --------------------------------------------------------------

def test_infinity_sign_and_reality_tests():
    x = np.array([-np.inf, -1.0, -0.0, 0.0, 2.0, np.inf, np.nan])
    assert np.asarray(cmp.isneginf(x)).tolist() == [True] + [False] * 6
    assert np.asarray(cmp.isposinf(x)).tolist() == [False] * 5 + [True, False]
    assert np.asarray(cmp.signbit(x)).tolist() == [True, True, True, False, False, False,
                                                   False]
    assert np.asarray(cmp.isreal(x)).all() and cmp.isreal(x).dtype == "bool"
    ints = np.array([-3, 0, 4], "int32")
    assert np.asarray(cmp.signbit(ints)).tolist() == [True, False, False]
    assert not np.asarray(cmp.isneginf(ints)).any()
    assert not np.asarray(cmp.signbit(np.array([True, False]))).any()


def test_real_imag_conj_angle_on_real_tensors():
    x = RNG.standard_normal((2, 3))
    for op in (cmp.real, cmp.conj, cmp.conjugate):
        np.testing.assert_array_equal(np.asarray(op(x)), x)
        check_gradients(op, [x])
    np.testing.assert_array_equal(np.asarray(cmp.imag(x)), np.zeros((2, 3)))
    assert cmp.real(np.array([1, 2], "int16")).dtype == "int16"
    angles = cmp.angle(np.array([-2.0, -0.0, 0.0, 3.0, np.nan]))
    np.testing.assert_array_equal(np.asarray(angles), [math.pi, 0.0, 0.0, 0.0, np.nan])
    assert cmp.angle(np.array([-1, 1], "int32")).dtype == "float32"
    variable = Variable(x)
    with GradientTape() as tape:
        out = cmp.angle(variable) + cmp.imag(variable)
    np.testing.assert_array_equal(np.asarray(tape.gradient(out, variable, np.ones((2, 3)))), 0)


def test_complex_arrays_are_refused():
    for op in (cmp.real, cmp.imag, cmp.conj, cmp.angle, cmp.isreal):
        with pytest.raises(TypeError, match=op.__name__):
            op(np.array([1 + 2j]))


@pytest.mark.parametrize("name", ["isneginf", "isposinf", "signbit", "isreal", "real", "conj",
                                  "conjugate", "angle"])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_value_tests_match_keras(name, dtype):
    keras = keras_or_skip()
    x = np.array([-np.inf, -1.5, 0.0, 2.0, np.inf]) if dtype == "float32" else np.arange(-2, 3)
    x = x.astype(dtype)
    got, expected = getattr(cmp, name)(x), getattr(keras.ops, name)(_keras_tensor(keras, x))
    assert got.dtype == str(expected.dtype).replace("torch.", "")
    np.testing.assert_array_equal(np.asarray(got), to_numpy(expected))


@pytest.mark.parametrize("name", ["isclose", "allclose", "isin"])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_comparisons_match_keras(name, dtype):
    keras = keras_or_skip()
    a = np.round(RNG.uniform(-3, 3, (3, 4)), 1).astype(dtype)
    b = (a + RNG.choice([0, 1e-7, 1], (3, 4))).astype(dtype)
    if name == "isin":
        b = b[0]
    got = getattr(cmp, name)(a, b)
    expected = getattr(keras.ops, name)(_keras_tensor(keras, a), _keras_tensor(keras, b))
    assert got.dtype == str(expected.dtype).replace("torch.", "")
    np.testing.assert_array_equal(np.asarray(got), to_numpy(expected))


# --- saturate_cast --------------------------------------------------------------------------------

def test_saturate_cast_clips_to_the_target_range():
    x = np.array([-1.0, 256.0, 12.7, np.inf, -np.inf], "float32")
    got = saturate_cast(x, "uint8")
    assert got.dtype == "uint8" and np.asarray(got).tolist() == [0, 255, 12, 255, 0]
    # float32 cannot hold 2**31 - 1: the limit is the largest float32 below it.
    wide = saturate_cast(np.array([3e9, -3e9, np.inf, 5.0], "float32"), "int32")
    assert np.asarray(wide).tolist() == [2 ** 31 - 128, -(2 ** 31), 2 ** 31 - 128, 5]
    narrow = saturate_cast(np.array([2 ** 40, -(2 ** 40), 70000, 5], "int64"), "int16")
    assert np.asarray(narrow).tolist() == [32767, -32768, 32767, 5]
    half = saturate_cast(np.array([1e6, -1e6, 1.5], "float64"), "float16")
    assert np.asarray(half).tolist() == [65504.0, -65504.0, 1.5]
    same = saturate_cast(np.array([np.inf, 1.0], "float32"), "float32")
    assert np.asarray(same).tolist() == [np.finfo("float32").max, 1.0]
    assert np.asarray(saturate_cast(np.array([True, False]), "int8")).tolist() == [1, 0]


def test_saturate_cast_gradient_and_errors():
    x = np.array([-2.0, 0.5, 3.0, 70000.0])
    # Piecewise linear: a wide step keeps float32 rounding out of the central difference.
    check_gradients(lambda t: saturate_cast(t, "float32"), [np.array([-2.0, 0.5, 3.0])],
                    eps=1e-2)
    variable = Variable(x)
    with GradientTape() as tape:
        out = saturate_cast(variable, "float16")
    grad = tape.gradient(out, variable, output_gradients=np.ones(4, "float16"))
    assert grad.dtype == "float64" and np.asarray(grad).tolist() == [1.0, 1.0, 1.0, 0.0]
    with pytest.raises(TypeError, match="saturate_cast: unknown dtype"):
        saturate_cast(x, "float128x")
    with pytest.raises(TypeError, match="saturate_cast"):
        saturate_cast("abc", "int32")


@pytest.mark.parametrize("source, target", [("float32", "uint8"), ("float32", "int8"),
                                            ("int32", "uint8"), ("float32", "float16")])
def test_saturate_cast_matches_keras(source, target):
    keras = keras_or_skip()
    x = (RNG.uniform(-1, 1, (3, 4)) * 1e5).astype(source)
    got = saturate_cast(x, target)
    expected = keras.ops.saturate_cast(_keras_tensor(keras, x), target)
    assert got.dtype == str(expected.dtype).replace("torch.", "")
    np.testing.assert_array_equal(np.asarray(got), to_numpy(expected))


# --- CuPy agrees with NumPy -----------------------------------------------------------------------

GPU_CASES = {
    "bitwise_xor": lambda a, b: bw.bitwise_xor(a, b),
    "left_shift": lambda a, b: bw.left_shift(a, b % 5),
    "isclose": lambda a, b: cmp.isclose(a, a + b % 2),
    "isin": lambda a, b: cmp.isin(a, b[0]),
    "signbit": lambda a, b: cmp.signbit(a - b),
    "angle": lambda a, b: cmp.angle(a - b),
    "saturate_cast": lambda a, b: saturate_cast(a * 100, "int8"),
}


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("name", sorted(GPU_CASES))
def test_cupy_matches_numpy(name):
    a = RNG.integers(-20, 20, (3, 5)).astype("int32")
    b = RNG.integers(0, 20, (3, 5)).astype("int32")
    outputs = {}
    for backend_name in ("numpy", "cupy"):
        with backend.use_backend(backend_name):
            outputs[backend_name] = np.asarray(GPU_CASES[name](a, b))
    np.testing.assert_array_equal(outputs["cupy"], outputs["numpy"])
