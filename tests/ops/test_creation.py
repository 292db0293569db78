"""Creation ops: default dtypes (floatx / inferred), values, and argument errors."""

import numpy as np
import pytest

from gpulayers import GradientTape, Tensor, Variable, backend, ops


def values(tensor):
    assert isinstance(tensor, Tensor)
    return np.asarray(tensor)


@pytest.mark.parametrize("op,fill", [(ops.zeros, 0.0), (ops.ones, 1.0)])
def test_zeros_and_ones(op, fill):
    result = op((2, 3))
    assert result.dtype == "float32" and result.shape == (2, 3)
    np.testing.assert_array_equal(values(result), np.full((2, 3), fill))
    assert op(4, dtype="int32").dtype == "int32" and op(4).shape == (4,)
    assert op((), dtype=bool).dtype == "bool"
    backend.set_floatx("float64")
    assert op((1,)).dtype == "float64"


def test_full_infers_dtype_from_the_fill_value():
    assert ops.full((2,), 1.5).dtype == "float32"
    assert ops.full((2,), 7).dtype == "int32"
    assert ops.full((2,), True).dtype == "bool"
    assert ops.full((2,), 3, dtype="float16").dtype == "float16"
    np.testing.assert_array_equal(values(ops.full((2, 2), [1.0, 2.0])), [[1.0, 2.0]] * 2)


def test_like_constructors_follow_the_input():
    x = ops.convert_to_tensor(np.ones((2, 3), dtype="float16"))
    for result in (ops.zeros_like(x), ops.ones_like(x), ops.full_like(x, 2)):
        assert result.shape == (2, 3) and result.dtype == "float16"
    assert ops.zeros_like([1, 2]).dtype == "int32"
    assert ops.ones_like(x, dtype="int8").dtype == "int8"
    np.testing.assert_array_equal(values(ops.full_like(x, 2)), np.full((2, 3), 2.0))


@pytest.mark.parametrize("args,kwargs,expected,dtype", [
    ((5,), {}, [0, 1, 2, 3, 4], "int32"),
    ((2, 5), {}, [2, 3, 4], "int32"),
    ((0, 1, 0.25), {}, [0.0, 0.25, 0.5, 0.75], "float32"),
    ((5, 0, -2), {}, [5, 3, 1], "int32"),
    ((3,), {"dtype": "float64"}, [0.0, 1.0, 2.0], "float64"),
])
def test_arange(args, kwargs, expected, dtype):
    result = ops.arange(*args, **kwargs)
    assert result.dtype == dtype
    np.testing.assert_allclose(values(result), expected)


def test_arange_rejects_zero_step():
    with pytest.raises(ValueError, match="arange: `step` must not be zero"):
        ops.arange(0, 5, 0)


def test_linspace():
    result = ops.linspace(0.0, 1.0, num=5)
    assert result.dtype == "float32"
    np.testing.assert_allclose(values(result), [0.0, 0.25, 0.5, 0.75, 1.0])
    values_open, step = ops.linspace(0, 1, num=4, endpoint=False, retstep=True)
    np.testing.assert_allclose(values(values_open), [0.0, 0.25, 0.5, 0.75])
    assert step == pytest.approx(0.25)
    stacked = ops.linspace([0.0, 10.0], [1.0, 20.0], num=3, axis=1)
    np.testing.assert_allclose(values(stacked), [[0.0, 0.5, 1.0], [10.0, 15.0, 20.0]])
    with pytest.raises(ValueError, match="linspace: `num` must be non-negative"):
        ops.linspace(0, 1, num=-1)


def test_eye_and_identity():
    np.testing.assert_array_equal(values(ops.eye(2, 3, k=1)), [[0, 1, 0], [0, 0, 1]])
    assert ops.eye(3).dtype == "float32" and ops.eye(3, dtype="int32").dtype == "int32"
    np.testing.assert_array_equal(values(ops.identity(3)),
                                  [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="eye: sizes must be non-negative"):
        ops.eye(-1)


@pytest.mark.parametrize("shape,error,message", [
    ((2, -1), ValueError, "zeros: `shape` cannot have negative sizes"),
    ((2, 1.5), TypeError, "zeros: `shape` must be an int or a tuple of ints"),
    ("abc", TypeError, "zeros: `shape` must be an int"),
])
def test_bad_shapes(shape, error, message):
    with pytest.raises(error, match=message):
        ops.zeros(shape)


def test_created_tensors_are_constants():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = ops.sum(x * ops.ones_like(x) * ops.full((2,), 3.0))
    np.testing.assert_allclose(values(tape.gradient(y, x)), [3.0, 3.0])
    assert ops.zeros((2,))._node is None


def test_convert_to_tensor_and_numpy():
    t = ops.convert_to_tensor([1, 2], dtype="float32")
    assert t.dtype == "float32" and isinstance(t, Tensor)
    assert ops.convert_to_tensor(t) is t
    array = ops.convert_to_numpy(t)
    assert isinstance(array, np.ndarray)
    np.testing.assert_array_equal(array, [1.0, 2.0])
    assert ops.convert_to_tensor(1.0).dtype == "float32"
    with pytest.raises(ValueError, match="convert_to_tensor: sparse"):
        ops.convert_to_tensor([1.0], sparse=True)
