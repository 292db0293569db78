"""Shape and joining ops: values against NumPy, gradients against finite differences, errors."""

import numpy as np
import pytest
from ops_helpers import assert_values, normal_sampler

from gpulayers import GradientTape, Variable, ops
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(0)
rand = normal_sampler(RNG)


# --- reshape family -------------------------------------------------------------------------

@pytest.mark.parametrize("newshape", [(3, 4), (-1,), (2, -1, 3), 12, (4, 3, 1)])
def test_reshape_matches_numpy_and_differentiates(newshape):
    x = rand(2, 6)
    assert_values(ops.reshape(x, newshape), x.reshape(newshape))
    check_gradients(lambda t: ops.reshape(t, newshape), [x])


def test_reshape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) "
                                         r"\(6 elements\) into shape \(4, 2\)"):
        ops.reshape(np.zeros((2, 3)), (4, 2))
    with pytest.raises(ValueError, match="at most one -1"):
        ops.reshape(np.zeros((2, 3)), (-1, -1))
    with pytest.raises(ValueError, match=r"into shape \(4, -1\)"):
        ops.reshape(np.zeros((2, 3)), (4, -1))


def test_tensor_methods_reshape_and_transpose():
    x = ops.convert_to_tensor(rand(2, 3))
    assert x.reshape(3, 2).shape == (3, 2)
    assert x.reshape((6,)).shape == (6,)
    assert_values(x.T, np.asarray(x).T)


def test_ravel():
    x = rand(2, 3, 2)
    assert_values(ops.ravel(x), x.ravel())
    check_gradients(ops.ravel, [x])


@pytest.mark.parametrize("axes", [None, (2, 0, 1), (-1, 1, 0)])
def test_transpose(axes):
    x = rand(2, 3, 4)
    assert_values(ops.transpose(x, axes), np.transpose(x, axes))
    check_gradients(lambda t: ops.transpose(t, axes), [x])


def test_transpose_rejects_a_non_permutation():
    with pytest.raises(ValueError, match=r"transpose: `axes` must be a permutation"):
        ops.transpose(np.zeros((2, 3, 4)), (0, 1))
    with pytest.raises(ValueError, match="repeated axis"):
        ops.transpose(np.zeros((2, 3)), (0, 0))
    with pytest.raises(ValueError, match=r"transpose: `axes` must be in \[-2, 2\)"):
        ops.transpose(np.zeros((2, 3)), (0, 2))


def test_swapaxes_and_moveaxis():
    x = rand(2, 3, 4)
    assert_values(ops.swapaxes(x, 0, -1), np.swapaxes(x, 0, -1))
    check_gradients(lambda t: ops.swapaxes(t, 0, 2), [x])
    for source, destination in [(0, -1), ((0, 1), (2, 0)), (-1, 0)]:
        assert_values(ops.moveaxis(x, source, destination), np.moveaxis(x, source, destination))
    check_gradients(lambda t: ops.moveaxis(t, (0, 1), (2, 0)), [x])
    with pytest.raises(ValueError, match="moveaxis: `source` and `destination`"):
        ops.moveaxis(x, (0, 1), 2)


def test_expand_dims_and_squeeze():
    x = rand(2, 3)
    for axis in [0, -1, 1, (0, 3)]:
        assert_values(ops.expand_dims(x, axis), np.expand_dims(x, axis))
    check_gradients(lambda t: ops.expand_dims(t, (0, -1)), [x])
    y = rand(1, 3, 1)
    assert_values(ops.squeeze(y), np.squeeze(y))
    assert_values(ops.squeeze(y, axis=-1), np.squeeze(y, axis=-1))
    check_gradients(lambda t: ops.squeeze(t, 0), [y])
    with pytest.raises(ValueError, match=r"squeeze: can only remove axes of size 1, but axis 1 "
                                         r"of a tensor of shape \(1, 3, 1\) has size 3"):
        ops.squeeze(y, axis=1)


def test_broadcast_to_sums_the_gradient_over_broadcast_axes():
    x = rand(3, 1)
    assert_values(ops.broadcast_to(x, (2, 3, 4)), np.broadcast_to(x, (2, 3, 4)))
    check_gradients(lambda t: ops.broadcast_to(t, (2, 3, 4)), [x])
    with pytest.raises(ValueError, match=r"broadcast_to: cannot broadcast a tensor of shape "
                                         r"\(3, 1\) to shape \(2, 4\)"):
        ops.broadcast_to(x, (2, 4))


@pytest.mark.parametrize("shape, reps", [((2, 3), (2, 1)), ((2, 3), 3), ((3,), (2, 2)),
                                         ((2, 1, 2), (1, 3))])
def test_tile(shape, reps):
    x = rand(*shape)
    assert_values(ops.tile(x, reps), np.tile(x, reps))
    check_gradients(lambda t: ops.tile(t, reps), [x])


@pytest.mark.parametrize("repeats, axis", [(2, None), (2, 1), ([1, 0, 3], 1), ([2, 1], 0),
                                           (3, -1)])
def test_repeat(repeats, axis):
    x = rand(2, 3)
    assert_values(ops.repeat(x, repeats, axis), np.repeat(x, repeats, axis))
    check_gradients(lambda t: ops.repeat(t, repeats, axis), [x])


def test_repeat_hand_computed_gradient():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = ops.repeat(x, [3, 1])
    assert_values(tape.gradient(y, x), [3.0, 1.0])


def test_repeat_errors():
    with pytest.raises(ValueError, match=r"repeat: `repeats` must hold one count per element "
                                         r"along the axis \(3\)"):
        ops.repeat(np.zeros((2, 3)), [1, 2], axis=1)
    with pytest.raises(ValueError, match="non-negative"):
        ops.repeat(np.zeros(3), -1)
    with pytest.raises(TypeError, match="repeat: `repeats` must be an integer"):
        ops.repeat(np.zeros(3), 1.5)


def test_copy_passes_the_gradient_and_owns_its_memory():
    v = Variable([1.0, 2.0])
    c = ops.copy(v)
    v.assign([5.0, 6.0])
    assert_values(c, [1.0, 2.0])
    check_gradients(ops.copy, [rand(2, 2)])


def test_views_of_a_variable_do_not_change_when_it_is_assigned():
    v = Variable(np.arange(6.0).reshape(2, 3))
    views = [ops.reshape(v, (3, 2)), v.T, v[0], v[:, 1:], ops.split(v, 3, axis=1)[0]]
    before = [np.asarray(t).copy() for t in views]
    v.assign(np.zeros((2, 3)))
    for view, expected in zip(views, before):
        assert_values(view, expected)


# --- joining and splitting ------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_three_tensors(axis):
    shapes = {0: [(1, 3), (2, 3), (3, 3)], 1: [(2, 1), (2, 2), (2, 4)],
              -1: [(2, 1), (2, 2), (2, 4)]}[axis]
    xs = [rand(*shape) for shape in shapes]
    assert_values(ops.concatenate(xs, axis=axis), np.concatenate(xs, axis=axis))
    check_gradients(lambda a, b, c: ops.concatenate([a, b, c], axis=axis), xs)


def test_concatenate_the_same_tensor_twice_accumulates():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = ops.concatenate([x, x, x])
    assert_values(tape.gradient(y, x), [3.0, 3.0])


def test_concatenate_errors():
    with pytest.raises(ValueError, match=r"concatenate: all shapes must match except along "
                                         r"axis 0. Received shape \(1, 3\) for input 0 and "
                                         r"shape \(1, 2\) for input 1"):
        ops.concatenate([np.zeros((1, 3)), np.zeros((1, 2))])
    with pytest.raises(TypeError, match="concatenate: expected a list or tuple"):
        ops.concatenate(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="at least one tensor"):
        ops.concatenate([])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_stack(axis):
    xs = [rand(2, 3) for _ in range(3)]
    assert_values(ops.stack(xs, axis=axis), np.stack(xs, axis=axis))
    check_gradients(lambda a, b, c: ops.stack([a, b, c], axis=axis), xs)
    with pytest.raises(ValueError, match=r"stack: all tensors must have the same shape"):
        ops.stack([np.zeros((2, 3)), np.zeros((3, 2))])


@pytest.mark.parametrize("sections, axis", [(3, 0), ([1, 4], 0), ([2], 1), (2, -1),
                                            ([-2], 0), ([4, 2], 0)])
def test_split_all_pieces_used(sections, axis):
    x = rand(6, 4)
    pieces = ops.split(x, sections, axis=axis)
    expected = np.split(x, sections, axis=axis)
    assert isinstance(pieces, list) and len(pieces) == len(expected)
    for piece, want in zip(pieces, expected):
        assert_values(piece, want)
    check_gradients(lambda t: tuple(ops.split(t, sections, axis=axis)), [x])


def test_split_records_one_node_and_unused_pieces_get_zero_gradient():
    x = Variable(np.arange(6.0))
    with GradientTape() as tape:
        first, second, third = ops.split(x, 3)
        assert first._node is second._node is third._node
        loss = ops.sum(first * 2.0) + ops.sum(third)
    assert_values(tape.gradient(loss, x), [2.0, 2.0, 0.0, 0.0, 1.0, 1.0])
    check_gradients(lambda t: ops.split(t, 1)[0], [rand(4)])


def test_split_error():
    with pytest.raises(ValueError, match=r"split: cannot split an axis of size 5 \(axis 0\) "
                                         r"into 2 equal sections"):
        ops.split(np.zeros(5), 2)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unstack(axis):
    x = rand(2, 3, 4)
    pieces = ops.unstack(x, axis=axis)
    expected = [np.take(x, i, axis=axis) for i in range(x.shape[axis])]
    for piece, want in zip(pieces, expected):
        assert_values(piece, want)
    check_gradients(lambda t: tuple(ops.unstack(t, axis=axis)), [x])
    check_gradients(lambda t: ops.unstack(t, axis=axis)[1], [x])
    with pytest.raises(ValueError, match=r"unstack: `num` must equal the size of axis 0 \(2\)"):
        ops.unstack(x, num=3)
