"""The pieces graph steps stand on: binding logs, deferred optimizer steps, recorded checks,
the capture guard of random draws, replay-vs-eager comparison and fixed-array copies.

(The capture itself needs CuPy and a GPU: ``tests/models/test_jit_compile_gpu.py``.)
"""

import numpy as np
import pytest

from gpulayers import backend, ops, optimizers, random, variable_bindings
from gpulayers.autodiff import Variable
from gpulayers.backend import deferred_checks, step_graphs
from gpulayers.optimizers.deferred_updates import deferring_updates
from gpulayers.testing import requires_gpu


def test_binding_log_notes_first_reads_and_assigns_with_the_array_held_then():
    read, assigned, untouched, source = (Variable(np.ones(2), name=n)
                                         for n in ("read", "assigned", "untouched", "source"))
    read_array, assigned_array = read.data, assigned.data
    with variable_bindings.recording_variable_bindings() as log:
        _ = read.data * 2
        assigned.assign([5.0, 6.0])
        assigned.assign([7.0, 8.0])  # a second assign keeps the first array in the log
        untouched.assign(source)  # assigning from a Variable reads it
    assert set(log) == {id(read), id(assigned), id(untouched), id(source)}
    assert log[id(read)] == (read, read_array)
    assert log[id(assigned)][1] is assigned_array and assigned.data is not assigned_array
    _ = untouched.data
    assert len(log) == 4  # nothing is noted once the block ends


def test_rebind_gives_a_variable_an_array_of_its_own_shape_and_dtype_only():
    v = Variable(np.zeros(3, dtype="float32"), name="v")
    array = np.arange(3, dtype="float32")
    variable_bindings.rebind(v, array)
    assert v.data is array
    with pytest.raises(ValueError, match=r"rebind: Variable 'v' holds shape \(3,\) float32; "
                                         r"received \(4,\) float32"):
        variable_bindings.rebind(v, np.zeros(4, dtype="float32"))
    with pytest.raises(ValueError, match="received"):
        variable_bindings.rebind(v, np.zeros(3, dtype="float64"))


def test_optimizer_steps_inside_deferring_updates_are_recorded_then_applied():
    w = Variable([1.0, 2.0], name="w")
    sgd = optimizers.SGD(0.5)
    with deferring_updates() as updates:
        result = sgd.apply_gradients([(Variable([2.0, 4.0]), w)])
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])  # nothing applied yet
    assert int(sgd.iterations.numpy()) == 0 and result is sgd.iterations
    assert len(updates) == 1 and updates[0].optimizer is sgd
    updates[0].apply()
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])  # w - 0.5 * g
    assert int(sgd.iterations.numpy()) == 1


def test_every_optimizer_subclass_apply_is_deferrable():
    class Halving(optimizers.SGD):
        def apply(self, grads, trainable_variables=None):
            super().apply([g * 0.5 for g in grads], trainable_variables)

    w = Variable([1.0], name="w")
    wrapped = optimizers.LossScaleOptimizer(optimizers.SGD(1.0))
    for optimizer in (Halving(1.0), wrapped):
        with deferring_updates() as updates:
            optimizer.apply([np.array([1.0], dtype="float32")], [w])
        assert [u.optimizer for u in updates] == [optimizer]
    np.testing.assert_array_equal(w.numpy(), [1.0])
    updates[0].apply()  # the loss scale optimizer divides by its scale 2**15
    np.testing.assert_allclose(w.numpy(), [1.0 - 2.0**-15])


def test_recorded_checks_are_listed_not_read_and_requeue_raises_later():
    with deferred_checks.deferring():
        with deferred_checks.recording() as checks:
            for _ in range(deferred_checks.MAX_PENDING + 1):  # no read while recording
                deferred_checks.check(np.array(False), lambda: ValueError("bad"))
            deferred_checks.check(np.array(True), lambda: ValueError("bad batch"))
        assert len(checks) == deferred_checks.MAX_PENDING + 2
        with pytest.raises(ValueError, match="bad batch"):
            deferred_checks.raise_pending()
        deferred_checks.requeue(checks[-1:])
        assert deferred_checks.pending_count() == 1
        with pytest.raises(ValueError, match="bad batch"):
            deferred_checks.raise_pending()


def test_random_draws_refuse_to_be_captured(monkeypatch):
    monkeypatch.setattr(step_graphs, "_capturing", [True])
    assert step_graphs.capturing()
    with pytest.raises(step_graphs.CaptureUnsupported, match="draws random numbers"):
        random.uniform((2,))
    monkeypatch.setattr(step_graphs, "_capturing", [])
    assert random.uniform((2,)).shape == (2,)


def test_capture_needs_cupy():
    assert not step_graphs.available()  # this suite runs on NumPy
    with pytest.raises(step_graphs.CaptureUnsupported, match="need the CuPy backend"):
        step_graphs.capture(lambda: None, None)


@pytest.mark.parametrize("got, expected, verdict", [
    ([1.0, 2.0], [1.0, 2.0], None),
    ([1.0, 2.0005], [1.0, 2.0], None),  # rounding: within 1e-3 of the largest magnitude
    ([1.0, 2.01], [1.0, 2.0], "largest gap 0.01 (scale 2.01)"),
    ([0.0, 0.0], [1e-4, 0.0], "largest gap 0.0001 (scale 0.0001)"),  # scale is relative
    ([np.nan, 1.0], [np.nan, 1.0], None),
    ([np.nan, 1.0], [1.0, 1.0], "NaN or infinity in other places"),
    ([np.inf, 1.0], [5.0, 1.0], "NaN or infinity in other places"),
    ([np.inf, 1.0], [np.inf, 1.0], None),
])
def test_disagreement_allows_rounding_only(got, expected, verdict):
    got, expected = np.asarray(got, "float32"), np.asarray(expected, "float32")
    assert step_graphs.disagreement(got, expected) == verdict


def test_disagreement_of_integers_shapes_and_halves():
    assert step_graphs.disagreement(np.array([3]), np.array([3])) is None
    assert step_graphs.disagreement(np.array([3]), np.array([4])) == "the values differ"
    assert "instead of" in step_graphs.disagreement(np.zeros(2), np.zeros(3))
    half = np.array([100.0], "float16")
    assert step_graphs.disagreement(half + np.float16(1.0), half) is None  # 1% for 16 bits


def test_copy_into_fills_the_target_in_place_and_checks_the_shape():
    target = np.zeros((2, 2), dtype="float32")
    step_graphs.copy_into(target, np.arange(4.0).reshape(2, 2))
    np.testing.assert_array_equal(target, [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match=r"copy_into: the source has shape \(3,\), the target "
                                         r"\(2, 2\)"):
        step_graphs.copy_into(target, np.zeros(3))


def test_reads_of_variables_after_a_held_back_update_are_listed():
    w, b = Variable([1.0], name="w"), Variable([0.0], name="b")
    with variable_bindings.recording_variable_bindings() as log, deferring_updates():
        _ = w.data + b.data
        optimizers.SGD(0.1).apply([np.array([1.0], "float32")], [w])
        _ = b.data  # not updated: fine
        assert log.stale_reads == []
        _ = w.data * 2
        _ = w.data * 3
    assert log.stale_reads == ["w"]


@pytest.mark.gpu
@requires_gpu
def test_python_numbers_in_a_step_need_no_host_to_device_copy():
    """A captured step may not copy host data (see cupy_backend/graphs.py): the numbers a
    training step mixes in (loss divisors, metric counts) are written by kernels."""
    import cupy

    backend.set_backend("cupy")

    def refuse(size):
        raise AssertionError("a host-to-device copy was staged")

    total = Variable(cupy.zeros((), "float32"), name="total")
    x = ops.convert_to_tensor(cupy.arange(4, dtype="float32"))
    cupy.cuda.set_pinned_memory_allocator(refuse)
    try:
        total.assign_add(2.5)
        quotient = ops.sum(x) / 4
        count = Variable(0, dtype="int64", name="count")
        count.assign_add(8)
    finally:
        cupy.cuda.set_pinned_memory_allocator(cupy.get_default_pinned_memory_pool().malloc)
    assert float(total.numpy()) == 2.5 and float(quotient.numpy()) == 1.5
    assert int(count.numpy()) == 8
