"""Dtype promotion (weak Python scalars), comparisons and logic, error messages, and the
Python operators that Tensors get from the math ops."""

import numpy as np
import pytest

from gpulayers import GradientTape, Tensor, Variable, backend, ops
from gpulayers.testing import check_gradients


def values(tensor):
    assert isinstance(tensor, Tensor)
    return np.asarray(tensor)


def typed(dtype, data=(1, 2, 3)):
    return ops.convert_to_tensor(np.asarray(data, dtype=dtype))


# --- promotion -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,scalar,expected", [
    ("float32", 2.0, "float32"), ("float16", 2.0, "float16"), ("float64", 2.0, "float64"),
    ("float32", 2, "float32"), ("int32", 1, "int32"), ("int8", 1, "int8"),
    ("int32", 1.5, "float32"), ("bool", 1, "int32"), ("bool", True, "bool"),
    ("uint8", 2, "uint8"), ("float32", True, "float32"),
    ("float32", np.float64(2.0), "float32"),  # np.float64 is a Python float: weak, as in Keras
])
def test_python_scalars_are_weak(dtype, scalar, expected):
    assert ops.add(typed(dtype), scalar).dtype == expected
    assert ops.multiply(scalar, typed(dtype)).dtype == expected


def test_python_float_with_integer_tensor_follows_floatx():
    backend.set_floatx("float64")
    assert ops.add(typed("int32"), 1.5).dtype == "float64"
    assert ops.add(1.0, 2).dtype == "float64"
    assert ops.divide(typed("int32"), 2).dtype == "float64"


@pytest.mark.parametrize("first,second,expected", [
    ("float32", "float64", "float64"), ("float16", "float32", "float32"),
    ("int32", "float16", "float16"), ("int64", "float32", "float32"),
    ("int8", "int32", "int32"), ("uint8", "int8", "int16"), ("bool", "int32", "int32"),
    ("bool", "bool", "bool"),
])
def test_typed_operands_promote(first, second, expected):
    assert ops.add(typed(first), typed(second)).dtype == expected
    assert ops.result_type(first, second) == expected


def test_numpy_arrays_and_typed_scalars_are_strong():
    x = typed("float32")
    assert ops.add(x, np.ones(3)).dtype == "float64"  # NumPy float64 array
    assert ops.add(x, np.float32(2.0)).dtype == "float32"
    assert ops.add(typed("int32"), np.int64(2)).dtype == "int64"
    assert ops.add(1, 2).dtype == "int32" and ops.add(1, 2.0).dtype == "float32"
    assert ops.add([1.0, 2.0], 1).dtype == "float32"  # lists follow Keras defaults


@pytest.mark.parametrize("op,dtype,expected", [
    (ops.divide, "int32", "float32"), (ops.sqrt, "int32", "float32"),
    (ops.exp, "bool", "float32"), (ops.square, "int32", "int32"),
    (ops.absolute, "int8", "int8"), (ops.negative, "int32", "int32"),
    (ops.floor, "int32", "float32"), (ops.sign, "int32", "int32"),
])
def test_result_dtypes_of_integer_inputs(op, dtype, expected):
    args = (typed(dtype), typed(dtype)) if op is ops.divide else (typed(dtype),)
    assert op(*args).dtype == expected


def test_integer_division_values():
    np.testing.assert_allclose(values(ops.divide(typed("int32", [1, 3]), 2)), [0.5, 1.5])
    assert ops.floor_divide(typed("int32", [7]), 2).dtype == "int32"


# --- comparisons and logic -------------------------------------------------------------------

COMPARISONS = {
    "equal": lambda a, b: a == b, "not_equal": lambda a, b: a != b,
    "less": lambda a, b: a < b, "less_equal": lambda a, b: a <= b,
    "greater": lambda a, b: a > b, "greater_equal": lambda a, b: a >= b,
}


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparisons_return_bool_without_gradient(name):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    x = Variable(a)
    with GradientTape():
        result = getattr(ops, name)(x, b)
    assert result.dtype == "bool"
    np.testing.assert_array_equal(values(result), COMPARISONS[name](a, b))
    assert result._node is None  # nothing recorded: comparisons have no gradient


def test_comparison_with_weak_float_on_integer_tensor():
    np.testing.assert_array_equal(values(ops.greater(typed("int32"), 1.5)), [False, True, True])


@pytest.mark.parametrize("name,expected", [
    ("logical_and", [False, False, False, True]), ("logical_or", [False, True, True, True]),
    ("logical_xor", [False, True, True, False]),
])
def test_logical_ops(name, expected):
    a, b = [0, 0, 2, 1], [0.0, 1.0, 0.0, -1.0]  # nonzero is True
    result = getattr(ops, name)(a, b)
    assert result.dtype == "bool"
    np.testing.assert_array_equal(values(result), expected)
    np.testing.assert_array_equal(values(ops.logical_not(a)), [True, True, False, False])


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "power", "maximum",
                                  "equal", "logical_and"])
def test_binary_shape_mismatch_names_op_and_shapes(name):
    with pytest.raises(ValueError, match=rf"{name}: incompatible shapes \(2, 3\) and \(4,\)"):
        getattr(ops, name)(np.ones((2, 3)), np.ones(4))


def test_matmul_shape_mismatch_message():
    message = r"matmul: incompatible shapes \(2, 3\) and \(4, 5\): inner dimensions 3 and 4 differ"
    with pytest.raises(ValueError, match=message):
        ops.matmul(np.ones((2, 3)), np.ones((4, 5)))


@pytest.mark.parametrize("call", [
    lambda: ops.add(ops.ones(2), None), lambda: ops.multiply(ops.ones(2), "text"),
    lambda: ops.exp({"a": 1}),
])
def test_non_numeric_operands_raise_type_error_naming_the_op(call):
    with pytest.raises(TypeError, match=r"^(add|multiply|exp): "):
        call()


@pytest.mark.parametrize("call,name", [
    (lambda: ops.zeros((2,), dtype="bogus"), "zeros"), (lambda: ops.cast(1.0, "bogus"), "cast"),
    (lambda: ops.arange(3, dtype="bogus"), "arange"),
    (lambda: ops.convert_to_tensor(1.0, dtype="bogus"), "convert_to_tensor"),
])
def test_unknown_dtype_raises_type_error_naming_the_op(call, name):
    with pytest.raises(TypeError, match=f"{name}: unknown dtype"):
        call()


# --- Python operators ------------------------------------------------------------------------

def test_arithmetic_operators():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = ops.convert_to_tensor(a)
    cases = [
        (x + 1, a + 1), (1 + x, 1 + a), (x - 1, a - 1), (1 - x, 1 - a), (2 * x, 2 * a),
        (x * x, a * a), (x / 2, a / 2), (2 / x, 2 / a), (x // 2, np.floor(a / 2)),
        (x % 3, a - 3 * np.floor(a / 3)), (x ** 2, a * a), (2 ** x, np.exp2(a)), (-x, -a),
        (+x, a), (abs(-x), a), (x @ x, a @ a), (a @ x, a @ a),
    ]
    for result, expected in cases:
        np.testing.assert_allclose(values(result), expected)


def test_numpy_array_on_the_left_gives_a_tensor():
    x = ops.convert_to_tensor(np.array([1.0, 2.0, 3.0], dtype="float32"))
    for result in (np.ones(3) + x, np.ones(3) * x, np.ones(3) - x, np.ones(3) > x):
        assert isinstance(result, Tensor)
    np.testing.assert_allclose(values(np.ones(3) - x), [0.0, -1.0, -2.0])


def test_comparison_and_logic_operators():
    x = ops.convert_to_tensor([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(values(x > 0), [False, False, True])
    np.testing.assert_array_equal(values(x >= 0), [False, True, True])
    np.testing.assert_array_equal(values(x < 0), [True, False, False])
    np.testing.assert_array_equal(values(x <= 0), [True, True, False])
    np.testing.assert_array_equal(values(x == 0), [False, True, False])
    np.testing.assert_array_equal(values(x != 0), [True, False, True])
    positive, negative = x > 0, x < 0
    np.testing.assert_array_equal(values(positive | negative), [True, False, True])
    np.testing.assert_array_equal(values(positive & negative), [False, False, False])
    np.testing.assert_array_equal(values(positive ^ True), [True, True, False])
    np.testing.assert_array_equal(values(~positive), [True, True, False])


def test_operators_are_differentiable():
    w = np.array([[0.5, -1.0], [2.0, 0.3]])
    x = np.array([[1.0, 2.0]])
    check_gradients(lambda x, w: ((x @ w - 1) ** 2 / 2 + -x @ w * 0.5) * (1 + x), [x, w])
