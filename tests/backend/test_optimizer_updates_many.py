"""One optimizer-update call over many tensors: NumPy against one call per tensor, the list
contract, weight decay; CuPy's single launch against NumPy (gpu-marked)."""

import copy
import importlib

import numpy as np
import pytest
from optimizer_update_cases import CASES, LR, STEPS, assert_agree, call_one, initial

from gpulayers import backend
from gpulayers.backend.numpy_backend import optimizer_updates as reference
from gpulayers.testing import requires_gpu

# Sizes 0 and 1, a vector longer than a few blocks' spans, and mixed ranks.
SHAPES = [(5, 7), (0,), (3,), (2, 3, 4), (1,), (300,)]
MIXED = ["float64", "float32", "float32", "float64", "float32", "float64"]


def _many(case, dtypes, seed=5):
    """Tensors of SHAPES for ``case``: (ws, {slot: [array per tensor]}, [gradients per step])."""
    rows = [initial(case, dtype, seed=seed + i, shape=shape)
            for i, (shape, dtype) in enumerate(zip(SHAPES, dtypes))]
    slots = {name: [s[name] for _, s, _ in rows] for name in rows[0][1]}
    grads = [[g[t] for _, _, g in rows] for t in range(STEPS)]
    return [w for w, _, _ in rows], slots, grads


def _one_call_per_tensor(case, ws, slots, grads):
    """The expected result: each tensor updated by calls of its own."""
    _, call, _ = CASES[case]
    for i, w in enumerate(ws):
        own = {name: arrays[i] for name, arrays in slots.items()}
        for t, step_grads in enumerate(grads, start=1):
            call_one(call, reference, w, step_grads[i], own, t)


@pytest.mark.parametrize("case", sorted(CASES))
def test_numpy_one_call_updates_each_tensor_as_a_call_of_its_own(case):
    _, call, _ = CASES[case]
    ws, slots, grads = _many(case, MIXED)
    expected_ws, expected_slots = copy.deepcopy((ws, slots))
    _one_call_per_tensor(case, expected_ws, expected_slots, grads)
    for t, step_grads in enumerate(grads, start=1):
        assert call(reference, ws, step_grads, slots, t) is None
    for i, (got, want) in enumerate(zip(ws, expected_ws)):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f"tensor {i}")
        for name in slots:
            np.testing.assert_array_equal(slots[name][i], expected_slots[name][i],
                                          err_msg=f"{name} of tensor {i}")


def test_a_gradient_aliasing_another_tensors_parameter_is_read_before_any_write():
    w1, w2 = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    # Tensor 2's gradient is tensor 1's parameter: it must be read as it was before the call.
    reference.sgd_update([w1, w2], [np.array([0.5, 0.5]), w1], None, LR, 0.0, False)
    np.testing.assert_allclose(w1, [0.975, 1.975], rtol=1e-15)
    np.testing.assert_allclose(w2, [2.95, 3.9], rtol=1e-15)


def test_the_lists_are_checked_before_any_tensor_is_written():
    w1, w2, m1 = np.ones(3), np.ones(2), np.zeros(3)
    grads = [np.ones(3), np.ones(2)]
    with pytest.raises(ValueError, match=r"sgd_update: expected 2 gradients, one per "
                                         r"parameter\. Received 1"):
        reference.sgd_update([w1, w2], grads[:1], None, LR, 0.0, False)
    with pytest.raises(ValueError, match="sgd_update: expected 2 slot 1 arrays"):
        reference.sgd_update([w1, w2], grads, [m1], LR, 0.9, False)
    with pytest.raises(TypeError, match="adagrad_update: expected a list of parameters, one "
                                        "array per tensor. Received ndarray"):
        reference.adagrad_update(w1, [np.ones(3)], [m1], LR, 1e-7)
    with pytest.raises(ValueError, match=r"the gradient has shape \(3,\), expected \(2,\)"):
        reference.sgd_update([w1, w2], [np.ones(3), np.ones(3)], None, LR, 0.0, False)
    with pytest.raises(ValueError, match="must not overlap"):  # one array, two tensors
        reference.sgd_update([w1, w1], [np.ones(3), np.ones(3)], None, LR, 0.0, False)
    buffer = np.ones(6)
    with pytest.raises(ValueError, match="must not overlap"):  # overlapping views
        reference.sgd_update([buffer[:4], buffer[2:]], [np.ones(4), np.ones(4)], None, LR,
                             0.0, False)
    np.testing.assert_array_equal(w1, 1.0)
    np.testing.assert_array_equal(buffer, 1.0)


def test_disjoint_views_of_one_buffer_are_separate_tensors():
    buffer = np.ones(6)
    reference.sgd_update([buffer[:3], buffer[3:]], [np.full(3, 2.0), np.full(3, 4.0)], None,
                         0.5, 0.0, False)
    np.testing.assert_array_equal(buffer, [0, 0, 0, -1, -1, -1])


def test_decay_weights_shrinks_every_tensor_by_the_formula():
    ws = [np.linspace(-1, 1, 6).reshape(2, 3), np.array([4.0, -2.0], "float32"), np.zeros(0)]
    expected = [w - (w * np.asarray(0.1, w.dtype)) * np.asarray(LR, w.dtype) for w in ws]
    ids = [id(w) for w in ws]
    reference.decay_weights(ws, 0.1, LR)
    assert [id(w) for w in ws] == ids
    for got, want in zip(ws, expected):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="decay_weights: the parameter and slot arrays must "
                                         "not overlap"):
        reference.decay_weights([ws[0], ws[0]], 0.1, LR)


# ---------------------------------------------------------------- CuPy against NumPy
def _many_on(backend_name, case, dtypes):
    """Every step of ``case`` over the SHAPES tensors in one call per step, on a backend."""
    _, call, _ = CASES[case]
    ws, slots, grads = _many(case, dtypes)
    with backend.use_backend(backend_name):
        primitives = backend.primitives("optimizer_updates")
        ws = [backend.to_device(w) for w in ws]
        slots = {k: [backend.to_device(s) for s in arrays] for k, arrays in slots.items()}
        for t, step_grads in enumerate(grads, start=1):
            call(primitives, ws, [backend.to_device(g) for g in step_grads], slots, t)
        return ([backend.to_numpy(w) for w in ws],
                {k: [backend.to_numpy(s) for s in arrays] for k, arrays in slots.items()})


def _assert_lists_agree(got, expected, dtypes):
    for i, dtype in enumerate(dtypes):
        assert_agree((got[0][i], {k: v[i] for k, v in got[1].items()}),
                     (expected[0][i], {k: v[i] for k, v in expected[1].items()}), dtype)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("case", sorted(CASES))
def test_cupy_one_launch_over_many_tensors_matches_numpy(case):
    _assert_lists_agree(_many_on("cupy", case, MIXED), _many_on("numpy", case, MIXED), MIXED)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("blocks", [1, 3, 7])
def test_cupy_block_spans_that_cross_tensor_boundaries(blocks, monkeypatch):
    """With a few blocks, each block's span of the concatenated elements starts and ends
    inside tensors (and skips the empty one)."""
    module = importlib.import_module("gpulayers.backend.cupy_backend.optimizer_updates")
    monkeypatch.setattr(module, "_MAX_BLOCKS", blocks)
    dtypes = ["float32"] * len(SHAPES)
    for case in ("adam_amsgrad", "rmsprop_centered_momentum", "sgd_nesterov"):
        _assert_lists_agree(_many_on("cupy", case, dtypes), _many_on("numpy", case, dtypes),
                            dtypes)


@pytest.mark.gpu
@requires_gpu
def test_cupy_tensor_tables_are_cached_by_address():
    module = importlib.import_module("gpulayers.backend.cupy_backend.optimizer_updates")
    with backend.use_backend("cupy"):
        xp = backend.xp()
        ws = [xp.ones(4, "float32"), xp.ones(3, "float32")]
        grads = [xp.ones(4, "float32"), xp.ones(3, "float32")]
        module._tables.clear()
        module.sgd_update(ws, grads, None, LR, 0.0, False)
        module.sgd_update(ws, grads, None, LR, 0.0, False)
        assert len(module._tables) == 1  # the same arrays again: no new table
        module.sgd_update(ws, [xp.ones(4, "float32"), xp.ones(3, "float32")], None, LR, 0.0,
                          False)
        assert len(module._tables) == 2  # new gradient addresses: a new table
        np.testing.assert_allclose(backend.to_numpy(ws[1]), 1 - 3 * LR, rtol=1e-6)


@pytest.mark.gpu
@requires_gpu
def test_cupy_decay_weights_matches_numpy():
    def run(name):
        with backend.use_backend(name):
            ws = [backend.to_device(np.linspace(-1, 1, 12).reshape(3, 4).astype(dtype))
                  for dtype in ("float32", "float64", "float16")]
            ws[2] = ws[2].T  # float16 and not C-contiguous: written back through float32
            backend.primitives("optimizer_updates").decay_weights(ws, 0.1, LR)
            return [backend.to_numpy(w) for w in ws]

    for got, want, dtype in zip(run("cupy"), run("numpy"), ("float32", "float64", "float16")):
        assert_agree((got, {}), (want, {}), dtype)
