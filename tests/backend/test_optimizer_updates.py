"""The fused optimizer updates: NumPy against the written-out formulas, in place; CuPy against
NumPy (gpu-marked)."""

import importlib
import inspect

import numpy as np
import pytest
from optimizer_update_cases import (
    CASES,
    EPS,
    LR,
    assert_agree,
    call_one,
    initial,
    steps_on,
)

from gpulayers import Variable, backend
from gpulayers.backend.numpy_backend import optimizer_updates as reference
from gpulayers.optimizers import Adam
from gpulayers.testing import requires_gpu


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-14), ("float32", 0)])
@pytest.mark.parametrize("block_bytes", [None, 32])
def test_numpy_update_follows_the_formula_in_place(case, dtype, rtol, block_bytes, monkeypatch):
    # float32 to the bit: the same operations in the same order, with Python float scalars
    # rounded to float32, as the unfused optimizers computed. block_bytes=32 updates the 35
    # elements in blocks of 4 or 8 (and a shorter last block).
    if block_bytes is not None:
        monkeypatch.setattr(reference, "BLOCK_BYTES", block_bytes)
    _, call, formula = CASES[case]
    w, slots, grads = initial(case, dtype)
    expected_w, expected = w.copy(), {k: s.copy() for k, s in slots.items()}
    ids = {k: id(s) for k, s in slots.items()} | {"w": id(w)}
    for t, g in enumerate(grads, start=1):
        before = w.copy()
        assert call_one(call, reference, w, g, slots, t) is None  # in place, returns None
        expected_w, expected = formula(expected_w, g, expected, t)
        assert not np.array_equal(w, before)
        assert w.dtype == dtype and all(s.dtype == dtype for s in slots.values())
        np.testing.assert_allclose(w, expected_w, rtol=rtol, atol=0)
        for name in slots:
            np.testing.assert_allclose(slots[name], expected[name], rtol=rtol, atol=0)
    assert ids == {k: id(s) for k, s in slots.items()} | {"w": id(w)}


@pytest.mark.parametrize("case", ["adam_amsgrad", "rmsprop_centered_momentum", "adadelta"])
def test_numpy_update_works_on_non_contiguous_arrays(case):
    _, call, _ = CASES[case]
    w, slots, grads = initial(case, "float64")
    flat_w, flat_slots = w.copy(), {k: s.copy() for k, s in slots.items()}
    w, slots = np.asfortranarray(w), {k: np.asfortranarray(s) for k, s in slots.items()}
    call_one(call, reference, w, grads[0].T.copy().T, slots, 1)  # a Fortran-ordered gradient
    call_one(call, reference, flat_w, grads[0], flat_slots, 1)
    np.testing.assert_array_equal(w, flat_w)


def test_a_strided_gradient_updates_in_blocks_like_in_one_piece(monkeypatch):
    w, m, v = np.ones((6, 5)), np.zeros((6, 5)), np.zeros((6, 5))
    g = np.linspace(-1, 1, 60).reshape(6, 10)[:, ::2]
    expected = [w.copy(), m.copy(), v.copy()]
    reference.adam_update(expected[:1], [g], expected[1:2], expected[2:], None, LR, 0.9,
                          0.999, EPS)
    monkeypatch.setattr(reference, "BLOCK_BYTES", 64)  # 30 elements in blocks of 8
    reference.adam_update([w], [g], [m], [v], None, LR, 0.9, 0.999, EPS)
    for got, want in zip((w, m, v), expected):
        np.testing.assert_array_equal(got, want)


def test_a_gradient_aliasing_an_updated_array_is_read_before_it_changes():
    w, m = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    expected_w, expected_m = w.copy(), m.copy()
    reference.sgd_update([expected_w], [m.copy()], [expected_m], LR, 0.9, True)
    reference.sgd_update([w], [m], [m], LR, 0.9, True)  # the gradient is the momentum slot
    np.testing.assert_array_equal(w, expected_w)
    np.testing.assert_array_equal(m, expected_m)


def test_the_contract_is_checked_before_anything_is_written():
    w, m, v = np.ones(3), np.zeros(3), np.zeros(3)
    with pytest.raises(ValueError, match=r"shape \(3,\) and dtype float64; the slot 2 has "
                                         r"shape \(4,\)"):
        reference.adam_update([w], [np.ones(3)], [m], [np.zeros(4)], None, LR, 0.9, 0.999,
                              EPS)
    with pytest.raises(ValueError, match="the slot 1 has shape .* dtype float32"):
        reference.adam_update([w], [np.ones(3)], [m.astype("float32")], [v], None, LR, 0.9,
                              0.999, EPS)
    with pytest.raises(ValueError, match="must not overlap"):
        reference.adam_update([w], [np.ones(3)], [m], [m], None, LR, 0.9, 0.999, EPS)
    with pytest.raises(ValueError, match=r"the gradient has shape \(2,\), expected \(3,\)"):
        reference.sgd_update([w], [np.ones(2)], None, LR, 0.0, False)
    frozen = np.ones(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="the parameter array is read-only"):
        reference.sgd_update([frozen], [np.ones(3)], [m], LR, 0.9, False)
    with pytest.raises(TypeError, match="sgd_update: expected a float array. Received "
                                        "dtype=int32"):
        reference.sgd_update([np.ones(3, "int32")], [np.ones(3, "int32")], None, LR, 0.0,
                             False)
    np.testing.assert_array_equal(m, 0.0)
    np.testing.assert_array_equal(w, 1.0)


def test_a_gradient_of_another_dtype_is_cast_and_empty_arrays_are_fine():
    w = np.ones(3, "float32")
    reference.adagrad_update([w], [np.full(3, 0.5)], [np.zeros(3, "float32")], LR, EPS)
    assert w.dtype == "float32"
    reference.adam_update([np.zeros(0)], [np.zeros(0)], [np.zeros(0)], [np.zeros(0)], None, LR,
                          0.9, 0.999, EPS)


def test_the_optimizer_updates_the_variable_arrays_in_place():
    w = Variable(np.array([1.0, -2.0]), name="w")
    optimizer = Adam(0.1)
    data = w.data
    optimizer.apply_gradients([(np.array([0.5, 0.5]), w)])
    momentum = optimizer.variables[1].data
    optimizer.apply_gradients([(np.array([0.5, 0.5]), w)])
    assert w.data is data and optimizer.variables[1].data is momentum
    assert not np.array_equal(backend.to_numpy(w), [1.0, -2.0])


def test_backend_modules_have_the_same_functions_and_signatures():
    pytest.importorskip("cupy", reason="CuPy is not installed")
    gpu = importlib.import_module("gpulayers.backend.cupy_backend.optimizer_updates")
    assert sorted(gpu.__all__) == sorted(reference.__all__)
    for name in reference.__all__:
        assert inspect.signature(getattr(gpu, name)) == inspect.signature(
            getattr(reference, name)), name


# ---------------------------------------------------------------- CuPy against NumPy
@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_cupy_update_matches_numpy(case, dtype):
    assert_agree(steps_on("cupy", case, dtype), steps_on("numpy", case, dtype), dtype)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("case", ["adam_amsgrad", "rmsprop_centered_momentum", "sgd_nesterov"])
def test_cupy_update_writes_back_float16_and_non_contiguous_arrays(case):
    assert_agree(steps_on("cupy", case, "float16"), steps_on("numpy", case, "float16"),
                  "float16")
    fortran = steps_on("cupy", case, "float32", transform=lambda a: a.T.copy().T)
    assert_agree(fortran, steps_on("numpy", case, "float32"), "float32")


@pytest.mark.gpu
@requires_gpu
def test_cupy_grid_stride_loop_covers_more_elements_than_threads(monkeypatch):
    """With one block of 256 threads, each thread loops over several of the 1073 elements."""
    module = importlib.import_module("gpulayers.backend.cupy_backend.optimizer_updates")
    monkeypatch.setattr(module, "_MAX_BLOCKS", 1)
    for case in ("adam_amsgrad", "rmsprop_centered_momentum"):
        assert_agree(steps_on("cupy", case, "float32", shape=(37, 29)),
                      steps_on("numpy", case, "float32", shape=(37, 29)), "float32")


@pytest.mark.gpu
@requires_gpu
def test_cupy_gradient_aliasing_the_momentum_slot():
    _, call, _ = CASES["sgd_nesterov"]
    w, slots, _ = initial("sgd_nesterov", "float64", seed=3)
    with backend.use_backend("cupy"):
        w, m = backend.to_device(w), backend.to_device(slots["m"])
        call_one(call, backend.primitives("optimizer_updates"), w, m, {"m": m}, 1)
        got = backend.to_numpy(w)
    w, slots, _ = initial("sgd_nesterov", "float64", seed=3)
    call_one(call, reference, w, slots["m"].copy(), slots, 1)
    np.testing.assert_allclose(got, w, rtol=1e-13)


@pytest.mark.gpu
@requires_gpu
def test_cupy_optimizer_step_matches_numpy():
    def run(name):
        with backend.use_backend(name):
            w = Variable(np.linspace(-1, 1, 12).reshape(3, 4).astype("float32"), name="w")
            optimizer = Adam(0.01, amsgrad=True, weight_decay=0.01)
            for step in range(3):
                optimizer.apply_gradients([(np.full((3, 4), 0.1 * step - 0.05, "float32"), w)])
            return backend.to_numpy(w)

    np.testing.assert_allclose(run("cupy"), run("numpy"), rtol=1e-5, atol=1e-6)
