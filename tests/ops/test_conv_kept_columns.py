"""The forward im2col columns kept for the kernel gradient (NumPy backend) and the pool of
leased buffers behind them.

* kept and rebuilt columns give bit-identical kernel gradients (grouped, strided, dilated);
* a persistent tape asks for the kernel gradient twice: the second rebuilds the columns;
* only a recorded forward whose kernel needs a gradient keeps columns, and the backward hands
  them back to the pool, whose next lease of that size reuses them;
* the pool's rules: same size only, foreign or twice-released arrays ignored, a byte cap.
"""

import importlib

import numpy as np
import pytest

from gpulayers import GradientTape, Variable, backend, ops

scratch = importlib.import_module("gpulayers.backend.numpy_backend.scratch")
numpy_im2col = importlib.import_module("gpulayers.backend.numpy_backend.im2col")

pytestmark = pytest.mark.skipif(backend.backend() != "numpy",
                                reason="kept columns are a NumPy-backend policy")


def _gradients(x, w, keep, monkeypatch, **conv_args):
    monkeypatch.setattr(numpy_im2col, "columns_worth_keeping", lambda nbytes: keep)
    x, w = Variable(x), Variable(w)
    with GradientTape() as tape:
        y = ops.conv(x, w, **conv_args)
        loss = ops.sum(y * y)
    return [np.asarray(g) for g in tape.gradient(loss, [x, w])]


@pytest.mark.parametrize("x_shape, w_shape, conv_args", [
    ((2, 7, 6, 4), (3, 3, 4, 5), dict(padding="same")),
    ((2, 9, 8, 6), (3, 2, 3, 4), dict(strides=2, dilation_rate=(1, 2))),     # 2 groups
    ((3, 11, 4), (5, 4, 3), dict(padding="causal", dilation_rate=2)),
])
def test_kept_columns_give_the_rebuilt_gradient(monkeypatch, x_shape, w_shape, conv_args):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    kept = _gradients(x, w, True, monkeypatch, **conv_args)
    rebuilt = _gradients(x, w, False, monkeypatch, **conv_args)
    for a, b in zip(kept, rebuilt):
        np.testing.assert_array_equal(a, b)


def test_persistent_tape_rebuilds_the_columns_for_a_second_gradient():
    rng = np.random.default_rng(1)
    x = Variable(rng.standard_normal((2, 6, 6, 3)))
    w = Variable(rng.standard_normal((3, 3, 3, 4)))
    with GradientTape(persistent=True) as tape:
        loss = ops.sum(ops.conv(x, w, padding="same") ** 2)
    first = np.asarray(tape.gradient(loss, w))
    scratch.lease_array((2, 6, 6, 3, 3, 3), "float64")[...] = np.nan  # reuse the returned buffer
    np.testing.assert_array_equal(np.asarray(tape.gradient(loss, w)), first)


def test_only_a_recorded_kernel_gradient_keeps_columns(monkeypatch):
    leases = []
    real = scratch.lease_array

    def recording_lease(shape, dtype):
        leases.append(real(shape, dtype))
        return leases[-1]

    monkeypatch.setattr(numpy_im2col, "lease_array", recording_lease)
    x = np.ones((2, 5, 5, 3), "float32")
    w = Variable(np.ones((3, 3, 3, 2), "float32"))
    ops.conv(x, w)                                       # no tape: nothing kept
    with GradientTape() as tape:
        tape.watch(x_var := Variable(x))
        ops.conv(x_var, np.ones((3, 3, 3, 2), "float32"))  # kernel needs no gradient
    assert leases == []
    with GradientTape() as tape:
        loss = ops.sum(ops.conv(x, w))
    assert [a.shape for a in leases] == [(2, 3, 3, 3, 3, 3)]
    tape.gradient(loss, w)
    # handed back by the backward pass: the next lease of that size reuses the buffer
    assert np.shares_memory(real((2, 3, 3, 3, 3, 3), "float32"), leases[0])


def test_pool_reuses_same_size_buffers_only_and_ignores_foreign_arrays():
    first = scratch.lease_array((5, 7), "float32")
    view = first.reshape(35)[::2]
    scratch.release_array(view)                     # any view of a lease hands it back
    scratch.release_array(view)                     # twice: ignored
    scratch.release_array(np.zeros((5, 7), "float32"))   # never leased: ignored
    other = scratch.lease_array((7, 4), "float64")  # a different size: fresh memory
    assert not np.shares_memory(first, other)
    again = scratch.lease_array((35,), "float32")
    assert np.shares_memory(first, again) and again.shape == (35,)
    assert not np.shares_memory(again, scratch.lease_array((5, 7), "float32"))


def test_pool_keeps_at_most_its_byte_cap(monkeypatch):
    small, big = scratch.lease_array((24,), "float32"), scratch.lease_array((40,), "float32")
    # room for 100 more bytes (set after the leases, which may take buffers from the pool)
    monkeypatch.setattr(scratch, "MAX_POOLED_BYTES", scratch._pooled_bytes + 100)
    scratch.release_array(big)                      # 160 bytes: over the cap, dropped
    scratch.release_array(small)                    # 96 bytes: kept
    assert not np.shares_memory(scratch.lease_array((40,), "float32"), big)
    assert np.shares_memory(scratch.lease_array((24,), "float32"), small)


def test_clear_session_drops_the_cached_buffers():
    leased = scratch.lease_array((6, 5), "float32")
    slot = scratch.scratch_array((6, 5), "float32", slot="columns")
    scratch.release_array(leased)
    backend.clear_session()
    assert scratch._pooled_bytes == 0
    assert not np.shares_memory(scratch.lease_array((6, 5), "float32"), leased)
    assert not np.shares_memory(scratch.scratch_array((6, 5), "float32"), slot)
