"""Reordering ops: flip, roll, pad, triu/tril, sort/argsort."""

import numpy as np
import pytest
from ops_helpers import assert_values, normal_sampler

from gpulayers import GradientTape, Variable, ops
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(2)
rand = normal_sampler(RNG)


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
def test_flip(axis):
    x = rand(2, 3, 4)
    assert_values(ops.flip(x, axis), np.flip(x, axis))
    check_gradients(lambda t: ops.flip(t, axis), [x])


@pytest.mark.parametrize("shift, axis", [(1, None), (-2, 1), ((1, 2), (0, 1)), (5, 0),
                                         (1, (0, 1))])
def test_roll(shift, axis):
    x = rand(3, 4)
    assert_values(ops.roll(x, shift, axis), np.roll(x, shift, axis))
    check_gradients(lambda t: ops.roll(t, shift, axis), [x])


def test_roll_errors():
    with pytest.raises(ValueError, match=r"roll: `shift` needs one int or one per axis \(2\)"):
        ops.roll(np.zeros((2, 2)), (1, 2, 3), (0, 1))
    with pytest.raises(ValueError, match="roll: with axis=None `shift` must be one int"):
        ops.roll(np.zeros((2, 2)), (1, 2))


PAD_WIDTHS = [((1, 2), (0, 3)), 1, (2, 1), ((1,), (2,)), ((0, 0), (2, 2))]


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("pad_width", PAD_WIDTHS, ids=[repr(p) for p in PAD_WIDTHS])
def test_pad_modes(mode, pad_width):
    x = rand(3, 4)
    assert_values(ops.pad(x, pad_width, mode=mode), np.pad(x, pad_width, mode=mode))
    check_gradients(lambda t: ops.pad(t, pad_width, mode=mode), [x])


def test_pad_constant_value_and_hand_computed_reflect_gradient():
    x = np.array([[1.0, 2.0]])
    assert_values(ops.pad(x, ((0, 0), (1, 1)), constant_values=-1.0), [[-1, 1, 2, -1]])
    v = Variable([1.0, 2.0, 3.0])
    with GradientTape() as tape:
        y = ops.pad(v, (2, 0), mode="reflect")  # [3, 2, 1, 2, 3]
    assert_values(tape.gradient(y, v), [1.0, 2.0, 2.0])


def test_pad_errors():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"pad: `mode` must be one of"):
        ops.pad(x, 1, mode="mean")
    with pytest.raises(ValueError, match="`constant_values` is only used with mode='constant'"):
        ops.pad(x, 1, mode="edge", constant_values=1.0)
    with pytest.raises(ValueError, match=r"pad: `pad_width` must be an int, a \(before, after\) "
                                         r"pair or one pair per axis \(2\)"):
        ops.pad(x, ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match="pad: `pad_width` must be non-negative"):
        ops.pad(x, -1)
    with pytest.raises(ValueError, match="cannot pad axis 0 of size 0"):
        ops.pad(np.zeros((0, 2)), 1, mode="reflect")


@pytest.mark.parametrize("k", [0, 1, -1])
def test_triu_and_tril_batched(k):
    x = rand(2, 3, 4)
    assert_values(ops.triu(x, k), np.triu(x, k))
    assert_values(ops.tril(x, k), np.tril(x, k))
    check_gradients(lambda t: ops.triu(t, k), [x])
    check_gradients(lambda t: ops.tril(t, k), [x])


def test_triu_needs_a_matrix():
    with pytest.raises(ValueError, match=r"tril: needs a tensor of rank >= 2"):
        ops.tril(np.zeros(3))


@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_and_argsort(axis):
    x = rand(3, 4)
    assert_values(ops.sort(x, axis=axis), np.sort(x, axis=axis))
    order = ops.argsort(x, axis=axis)
    assert order.dtype == "int32"
    assert_values(order, np.argsort(x, axis=axis, kind="stable"))
    check_gradients(lambda t: ops.sort(t, axis=axis), [x])


def test_sort_gradient_follows_values_and_argsort_is_stable():
    v = Variable([3.0, 1.0, 2.0])
    with GradientTape() as tape:
        y = ops.sort(v)
    grad = tape.gradient(y, v, output_gradients=np.array([10.0, 20.0, 30.0]))
    assert_values(grad, [30.0, 10.0, 20.0])
    assert_values(ops.argsort([2.0, 1.0, 2.0, 1.0]), [1, 3, 0, 2])
    assert_values(ops.take_along_axis(v, ops.argsort(v), axis=0), [1.0, 2.0, 3.0])
