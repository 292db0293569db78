"""Indexing and selection ops: tensor[key], slice, take, where, one_hot, scatter."""

import numpy as np
import pytest
from ops_helpers import assert_values, normal_sampler

from gpulayers import GradientTape, Variable, ops
from gpulayers.ops.axes import IndexOutOfBoundsError
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(1)
rand = normal_sampler(RNG)


def reference_gather_gradient(shape, key, weights):
    """Gradient of sum(w * x[key]) by brute force: one unit vector per element of x."""
    grad = np.zeros(shape)
    for position in np.ndindex(*shape):
        unit = np.zeros(shape)
        unit[position] = 1.0
        grad[position] = np.sum(unit[key] * weights)
    return grad


KEYS = [
    1, -1, (slice(None), 2), (slice(None, None, -1),), (slice(3, 0, -2), slice(1, None)),
    (Ellipsis, 1), (None, 0), (slice(None), None, slice(1, 3)), (1, Ellipsis, None),
    [0, 0, 2], ([0, 3, 3], [1, 1, 4]), (slice(None), [4, -1, 4, 0]), ([[0, 1], [1, 1]],),
    (Ellipsis, [2, 2]), ([0, 2], [1, 1]),
]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_slice_by_key_matches_numpy(key):
    x = rand(4, 5)
    np_key = tuple(np.asarray(k) if isinstance(k, list) else k
                   for k in (key if isinstance(key, tuple) else (key,)))
    assert_values(ops.slice_by_key(x, key), x[np_key])
    check_gradients(lambda t: ops.slice_by_key(t, key), [x])


def test_getitem_operator_with_mixed_advanced_indices_in_3d():
    x = rand(2, 3, 4)
    key = (slice(None), [0, 2, 2], None, [1, 3, 1])
    assert_values(ops.convert_to_tensor(x)[key], x[:, [0, 2, 2], None, [1, 3, 1]])
    check_gradients(lambda t: t[key], [x])


def test_repeated_integer_indices_accumulate_gradients():
    x = Variable([10.0, 20.0, 30.0])
    with GradientTape() as tape:
        y = ops.sum(x[[0, 0, 2, 0]])
    assert_values(tape.gradient(y, x), [3.0, 0.0, 1.0])
    key = (slice(None), np.array([1, 1, 0, 1, 2]))
    weights = rand(2, 5)
    table = Variable(rand(2, 3))
    with GradientTape() as tape:
        picked = table[key]
    grad = tape.gradient(picked, table, output_gradients=weights)
    assert_values(grad, reference_gather_gradient((2, 3), key, weights))
    check_gradients(lambda t: t[[0, 0, 2, 0]], [rand(3)])


def test_boolean_masks():
    x = rand(3, 4)
    mask = x > 0
    assert_values(ops.convert_to_tensor(x)[mask], x[mask])
    check_gradients(lambda t: t[mask], [x])
    row_mask = np.array([True, False, True])
    assert_values(ops.slice_by_key(x, (row_mask, slice(1, 3))), x[row_mask, 1:3])
    check_gradients(lambda t: t[row_mask, 1:3], [x])
    tensor_mask = ops.convert_to_tensor(x) > 0
    assert_values(ops.convert_to_tensor(x)[tensor_mask], x[x > 0])
    list_mask = [False, True, True, False]
    assert_values(ops.slice_by_key(x, (slice(None), list_mask)), x[:, np.array(list_mask)])


def test_index_with_int_tensors_and_scalar_tensors():
    x = rand(4, 3)
    rows = ops.convert_to_tensor([3, 0, 3])
    assert_values(ops.convert_to_tensor(x)[rows], x[[3, 0, 3]])
    assert_values(ops.convert_to_tensor(x)[ops.convert_to_tensor(2)], x[2])
    assert_values(ops.convert_to_tensor(x)[np.int64(1), ::2], x[1, ::2])


def test_slice_by_key_errors():
    x = ops.convert_to_tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"slice_by_key: index 3 is out of bounds for axis 1 "
                                         r"of size 3 \(tensor shape \(2, 3\)\)"):
        x[0, 3]
    with pytest.raises(ValueError, match="slice_by_key: index out of bounds for axis 0 of size "
                                         r"2. Received indices in \[-3, 1\]"):
        x[[1, -3]]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single Ellipsis"):
        x[..., 0, ...]
    with pytest.raises(TypeError, match=r"slice_by_key: invalid index 1.5"):
        x[1.5]
    with pytest.raises(TypeError, match="index arrays must hold integers or booleans"):
        x[[0.5, 1.0]]
    with pytest.raises(IndexError, match=r"boolean mask of shape \(3,\) does not match"):
        x[np.array([True, False, True])]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        x[::0]
    assert issubclass(IndexOutOfBoundsError, IndexError)


def test_iteration_over_a_tensor_uses_indexing():
    x = rand(3, 2)
    rows = list(ops.convert_to_tensor(x))
    assert len(rows) == 3
    assert_values(rows[2], x[2])


def test_slice_and_slice_update():
    x = rand(4, 5)
    assert_values(ops.slice(x, (1, 2), (2, 3)), x[1:3, 2:5])
    assert_values(ops.slice(x, ops.convert_to_tensor([1, 0]), (-1, 2)), x[1:, 0:2])
    check_gradients(lambda t: ops.slice(t, (1, 2), (2, 3)), [x])
    with pytest.raises(ValueError, match=r"slice: the box starting at \[3, 0\] with shape "
                                         r"\(2, 2\) does not fit in a tensor of shape \(4, 5\)"):
        ops.slice(x, (3, 0), (2, 2))
    with pytest.raises(ValueError, match="one entry per axis"):
        ops.slice(x, (0,), (1, 1))
    updates = rand(2, 2)
    expected = x.copy()
    expected[1:3, 3:5] = updates
    assert_values(ops.slice_update(x, (1, 3), updates), expected)
    check_gradients(lambda t, u: ops.slice_update(t, (1, 3), u), [x, updates])


@pytest.mark.parametrize("axis, indices", [(0, [3, 3, 0]), (1, [[4, 0], [4, 4]]), (None, [7, 7]),
                                           (-1, [-1, 0, -1]), (0, 2)])
def test_take(axis, indices):
    x = rand(4, 5)
    assert_values(ops.take(x, indices, axis=axis), np.take(x, indices, axis=axis))
    check_gradients(lambda t: ops.take(t, indices, axis=axis), [x])


def test_take_errors():
    with pytest.raises(TypeError, match="take: `indices` must have an integer dtype"):
        ops.take(np.zeros(3), [0.0, 1.0])
    with pytest.raises(ValueError, match="take: index out of bounds for axis 0 of size 3"):
        ops.take(np.zeros(3), [3])


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_take_along_axis(axis):
    x = rand(3, 4)
    if axis is None:
        indices = np.array([11, 0, 11, 5])
    else:
        indices = RNG.integers(-x.shape[axis], x.shape[axis], size=(3, 4) if axis else (5, 4))
    assert_values(ops.take_along_axis(x, indices, axis=axis),
                  np.take_along_axis(x, indices, axis=axis))
    check_gradients(lambda t: ops.take_along_axis(t, indices, axis=axis), [x])


def test_take_along_axis_broadcasts_and_checks_rank():
    x = rand(3, 1)
    indices = np.array([[0, 0, 0, 0]] * 3)
    assert_values(ops.take_along_axis(x, indices, axis=0), np.take_along_axis(x, indices, 0))
    check_gradients(lambda t: ops.take_along_axis(t, indices, axis=0), [x])
    with pytest.raises(ValueError, match=r"take_along_axis: `indices` must have the rank of "
                                         r"`x` \(2\)"):
        ops.take_along_axis(x, np.array([0]), axis=0)


# --- selection ------------------------------------------------------------------------------

def test_where_forward_and_gradients_with_broadcasting():
    condition = RNG.standard_normal((2, 3, 4)) > 0
    x1, x2 = rand(3, 1), rand(4)
    assert_values(ops.where(condition, x1, x2), np.where(condition, x1, x2))
    check_gradients(lambda a, b: ops.where(condition, a, b), [x1, x2])
    check_gradients(lambda a: ops.where(condition, a, 0.0), [x1])


def test_where_keeps_dtype_with_python_scalars_and_finds_indices():
    x = ops.convert_to_tensor(np.array([1.0, -2.0], dtype="float32"))
    assert ops.where(x > 0, x, 0).dtype == "float32"
    assert ops.where(x > 0, 1, 0).dtype == "int32"
    rows, cols = ops.where(np.array([[True, False], [False, True]]))
    assert_values(rows, [0, 1])
    assert_values(cols, [0, 1])
    with pytest.raises(ValueError, match="where: give both `x1` and `x2`"):
        ops.where(x > 0, x)
    with pytest.raises(ValueError, match=r"where: incompatible shapes"):
        ops.where(np.ones(3) > 0, np.zeros(2), 0.0)


def test_one_hot():
    labels = np.array([[0, 2], [1, 5]])
    expected = np.eye(3)[np.clip(labels, 0, 2)] * (labels < 3)[..., None]
    got = ops.one_hot(labels, 3)
    assert got.dtype == "float32"
    assert_values(got, expected)
    assert_values(ops.one_hot([1, -1], 3, axis=0), [[0, 0], [1, 0], [0, 0]])
    assert ops.one_hot([1], 2, dtype="int32").dtype == "int32"
    with pytest.raises(TypeError, match="one_hot: `x` must have an integer dtype"):
        ops.one_hot([0.5], 2)


def test_scatter_adds_repeated_indices():
    got = ops.scatter([[0], [0], [2]], [1.0, 2.0, 3.0], (4,))
    assert_values(got, [3.0, 0.0, 3.0, 0.0])
    indices = np.array([[0, 1], [2, 0], [0, 1]])
    values = rand(3, 4)
    expected = np.zeros((3, 2, 4))
    np.add.at(expected, (indices[:, 0], indices[:, 1]), values)
    assert_values(ops.scatter(indices, values, (3, 2, 4)), expected)
    check_gradients(lambda v: ops.scatter(indices, v, (3, 2, 4)), [values])
    with pytest.raises(ValueError, match=r"scatter: `values` must have shape \(3, 4\)"):
        ops.scatter(indices, np.zeros((3, 5)), (3, 2, 4))


def test_scatter_update():
    inputs, updates = rand(3, 2), rand(2)
    indices = np.array([[2, 1], [0, 0]])
    expected = inputs.copy()
    expected[[2, 0], [1, 0]] = updates
    assert_values(ops.scatter_update(inputs, indices, updates), expected)
    check_gradients(lambda a, u: ops.scatter_update(a, indices, u), [inputs, updates])
    with pytest.raises(ValueError, match="scatter_update: index out of bounds for axis 1"):
        ops.scatter_update(inputs, [[0, 2]], [1.0])
