"""The tape: recording, accumulation, broadcasting, persistence, errors, no-tape cost."""

import numpy as np
import pytest

import gpulayers as gl
from gpulayers import ops
from gpulayers.autodiff import GradientTape, Tensor, Variable, record


def test_gradient_of_square_sum_is_two_x():
    x = Variable([1.0, 2.0, 3.0])
    with GradientTape() as tape:
        y = ops.sum(x * x)
    np.testing.assert_allclose(np.asarray(tape.gradient(y, x)), [2.0, 4.0, 6.0])


def test_reused_tensor_gradients_accumulate():
    x = Variable(3.0)
    with GradientTape() as tape:
        y = x * x * x + x  # dy/dx = 3x^2 + 1 = 28
    assert float(tape.gradient(y, x)) == pytest.approx(28.0)


def test_broadcast_gradient_is_summed_to_the_operand_shape():
    x = Variable(np.ones((4, 3), "float32"))
    b = Variable(np.zeros((3,), "float32"))
    with GradientTape() as tape:
        y = ops.sum((x + b) * 2.0)
    grad_x, grad_b = tape.gradient(y, [x, b])
    np.testing.assert_allclose(np.asarray(grad_x), np.full((4, 3), 2.0))
    np.testing.assert_allclose(np.asarray(grad_b), np.full((3,), 8.0))


def test_plain_tensors_need_watch():
    x = gl.convert_to_tensor([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(x * 3.0)
    np.testing.assert_allclose(np.asarray(tape.gradient(y, x)), [3.0, 3.0])


def test_unwatched_target_raises_clear_error():
    x = gl.convert_to_tensor([1.0, 2.0])
    with GradientTape() as tape:
        y = ops.sum(x * 3.0)
    with pytest.raises(ValueError, match="not recorded on this tape"):
        tape.gradient(y, x)


def test_target_computed_outside_the_tape_raises():
    w = Variable([1.0])
    y = w * 2.0
    with GradientTape() as tape:
        pass
    with pytest.raises(ValueError, match="not recorded"):
        tape.gradient(y, w)


def test_unconnected_source_gives_none_or_zeros():
    a, b = Variable([1.0]), Variable([2.0])
    with GradientTape(persistent=True) as tape:
        y = a * 5.0
    assert tape.gradient(y, [a, b])[1] is None
    np.testing.assert_array_equal(
        np.asarray(tape.gradient(y, b, unconnected_gradients="zero")), [0.0])


def test_non_persistent_tape_refuses_a_second_gradient():
    x = Variable(2.0)
    with GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_gradients():
    x = Variable(2.0)
    with GradientTape(persistent=True) as tape:
        y = x * x
        z = y * x
    assert float(tape.gradient(y, x)) == pytest.approx(4.0)
    assert float(tape.gradient(z, x)) == pytest.approx(12.0)


def test_stop_gradient_blocks_the_path():
    x = Variable(3.0)
    with GradientTape() as tape:
        y = x * ops.stop_gradient(x)
    assert float(tape.gradient(y, x)) == pytest.approx(3.0)


def test_stop_recording_and_non_trainable_variables():
    x = Variable(3.0)
    frozen = Variable(5.0, trainable=False)
    with GradientTape() as tape:
        with tape.stop_recording():
            unrecorded = x * 2.0
        y = x * frozen
    assert unrecorded._node is None
    assert tape.gradient(y, [x, frozen])[1] is None
    assert tape.watched_variables() == [x]


def test_watch_accessed_variables_false_requires_explicit_watch():
    x = Variable(3.0)
    with GradientTape(watch_accessed_variables=False) as tape:
        y = x * 2.0
    with pytest.raises(ValueError, match="not recorded"):
        tape.gradient(y, x)


def test_no_graph_is_built_outside_a_tape():
    w = Variable(np.ones((2, 2), "float32"))
    y = ops.matmul(w, w) + 1.0
    assert y._node is None


def test_output_gradients_seed_the_backward_pass():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = x * 3.0
    grad = tape.gradient(y, x, output_gradients=[np.array([1.0, -2.0], "float32")])
    np.testing.assert_allclose(np.asarray(grad), [3.0, -6.0])


def test_multi_output_node_receives_zeros_for_unused_outputs():
    x = Variable([1.0, 2.0])
    calls = []

    def vjp(grads):
        calls.append(grads)
        return (grads[0] * 2.0 + grads[1] * 3.0,)

    with GradientTape() as tape:
        double, triple = record((x.data * 2.0, x.data * 3.0), (x,), vjp)
        y = ops.sum(triple)
    np.testing.assert_allclose(np.asarray(tape.gradient(y, x)), [3.0, 3.0])
    np.testing.assert_array_equal(gl.backend.to_numpy(calls[0][0]), [0.0, 0.0])


def test_deep_chain_does_not_hit_recursion_limit():
    x = Variable(1.0)
    with GradientTape() as tape:
        y = x
        for _ in range(3000):
            y = y * 1.0
    assert float(tape.gradient(y, x)) == pytest.approx(1.0)


def test_nested_structures_of_sources():
    a, b = Variable([1.0]), Variable([2.0])
    with GradientTape() as tape:
        y = ops.sum(a * b)
    grads = tape.gradient(y, {"a": a, "pair": (b,)})
    assert float(grads["a"][0]) == pytest.approx(2.0)
    assert float(grads["pair"][0][0]) == pytest.approx(1.0)


def test_variable_assign_and_errors():
    v = Variable(np.zeros(3, "float32"), name="total")
    v.assign_add([1.0, 2.0, 3.0])
    v.assign_sub(np.ones(3))
    np.testing.assert_allclose(v.numpy(), [0.0, 1.0, 2.0])
    assert v.dtype == "float32" and v.shape == (3,) and v.trainable
    with pytest.raises(ValueError, match="'total'.*shape \\(2,\\)"):
        v.assign([1.0, 2.0])
    with pytest.raises(ValueError, match="needs `shape`"):
        Variable(lambda shape, dtype: np.zeros(shape), name="w")


def test_variable_from_callable_initializer():
    v = Variable(lambda shape, dtype: np.full(shape, 2.0, dtype), shape=(2, 3))
    assert v.shape == (2, 3) and v.dtype == "float32"


def test_tensor_behaves_like_an_array():
    t = gl.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.shape == (2, 2) and t.ndim == 2 and t.dtype == "float32" and len(t) == 2
    np.testing.assert_array_equal(np.asarray(t), [[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(np.ones((2, 2)) + t, Tensor)
    assert float(t[1, 0]) == 3.0


def test_default_dtypes_follow_keras():
    assert gl.convert_to_tensor(1.5).dtype == "float32"
    assert gl.convert_to_tensor([1, 2]).dtype == "int32"
    assert gl.convert_to_tensor(np.zeros(2, "float64")).dtype == "float64"


def test_single_output_of_a_tuple_op_still_gets_a_tuple_gradient():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        (only,) = record((x.data * 4.0,), (x,), lambda grads: (grads[0] * 4.0,))
        y = ops.sum(only)
    np.testing.assert_allclose(np.asarray(tape.gradient(y, x)), [4.0, 4.0])


def test_tensors_taken_from_a_variable_keep_their_values_after_assign():
    v = Variable(np.arange(4.0, dtype="float32"))
    source = np.ones(4, "float32")
    row, reshaped = v[1:], ops.reshape(v, (2, 2))
    v.assign(source)
    source[0] = 7.0  # the Variable does not alias the caller's array either
    np.testing.assert_array_equal(np.asarray(row), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(np.asarray(reshaped), [[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(v.numpy(), [1.0, 1.0, 1.0, 1.0])
