"""Sequence ops with timestep masks and recurrent dropout masks, and simple_rnn_sequence,
against step-by-step references written from the Keras 3 equations."""

import numpy as np
import pytest
from test_rnn import (
    ACTIVATION_PAIRS,
    activation,
    assert_close,
    normal,
    reference_gru_step,
    reference_lstm_step,
)

from gpulayers import autodiff, backend, ops
from gpulayers.testing import check_gradients, requires_gpu

N, T, F, U = 3, 5, 2, 3
# Row 0 unmasked; row 1 masked at the start, middle and end; row 2 masked everywhere.
MASK = np.array([[1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [0, 0, 0, 0, 0]], dtype=bool)
RECURRENT_MASK = np.array([[2.0, 0.0, 2.0], [0.0, 2.0, 2.0], [2.0, 2.0, 0.0]])


def reference_simple_step(x_proj, h_prev, kernel_u, act):
    batch, units = h_prev.shape
    h = np.zeros((batch, units))
    for n in range(batch):
        for j in range(units):
            total = x_proj[n, j] + sum(h_prev[n, k] * kernel_u[k, j] for k in range(units))
            h[n, j] = activation(act, total)
    return h


def reference_sequence(step, x, states, mask, go_backwards):
    """Run ``step(x_t, states) -> states`` over time; masked rows keep their states."""
    order = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    outputs = []
    for t in order:
        new = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t][:, None]
            new = tuple(np.where(keep, a, b) for a, b in zip(new, states))
        states = new
        outputs.append(states[0])
    return (np.stack(outputs, axis=1), *states)


def dropped(h, recurrent_mask):
    return h if recurrent_mask is None else h * recurrent_mask


def lstm_reference(x, h, c, w, u, b, act, rec, go_backwards, mask, recurrent_mask):
    def step(x_t, states):
        h_prev, c_prev = states
        return reference_lstm_step(x_t @ w + dropped(h_prev, recurrent_mask) @ u + b, c_prev,
                                   act, rec)
    return reference_sequence(step, x, (h, c), mask, go_backwards)


def gru_reference(x, h, w, u, b, act, rec, reset_after, go_backwards, mask, recurrent_mask):
    input_bias, recurrent_bias = (b[0], b[1]) if reset_after else (b, None)

    def step(x_t, states):
        h_prev = states[0]
        return (reference_gru_step(x_t @ w + input_bias, h_prev, u, recurrent_bias, act,
                                   rec, reset_after, h_left=dropped(h_prev, recurrent_mask)),)
    return reference_sequence(step, x, (h,), mask, go_backwards)


def simple_reference(x, h, w, u, b, act, go_backwards, mask, recurrent_mask):
    def step(x_t, states):
        return (reference_simple_step(x_t @ w + b, dropped(states[0], recurrent_mask), u, act),)
    return reference_sequence(step, x, (h,), mask, go_backwards)


def arguments(gates, bias_shape=None, scale=0.5):
    bias_shape = bias_shape or (gates * U,)
    states = [normal(N, U, seed=2)] + ([normal(N, U, seed=3)] if gates == 4 else [])
    return [normal(N, T, F, seed=1), *states, normal(F, gates * U, seed=4, scale=scale),
            normal(U, gates * U, seed=5, scale=scale), normal(*bias_shape, seed=6, scale=scale)]


def assert_all_close(got, expected):
    for g, e in zip(got, expected):
        assert_close(g, e)


MASK_CASES = [(None, None), (MASK, None), (None, RECURRENT_MASK), (MASK, RECURRENT_MASK)]


# ------------------------------------------------------------------ forward values
@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid", "linear", "hard_sigmoid"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_simple_rnn_sequence_matches_reference(act, go_backwards):
    args = arguments(1)
    got = ops.simple_rnn_sequence(*args, activation=act, go_backwards=go_backwards)
    assert_all_close(got, simple_reference(*args, act, go_backwards, None, None))


@pytest.mark.parametrize("mask,recurrent_mask", MASK_CASES)
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("act,rec", ACTIVATION_PAIRS[:3])
def test_lstm_sequence_with_masks_matches_reference(mask, recurrent_mask, go_backwards, act,
                                                    rec):
    args = arguments(4)
    got = ops.lstm_sequence(*args, activation=act, recurrent_activation=rec,
                            go_backwards=go_backwards, mask=mask, recurrent_mask=recurrent_mask)
    expected = lstm_reference(*args, act, rec, go_backwards, mask, recurrent_mask)
    assert_all_close(got, expected)


@pytest.mark.parametrize("mask,recurrent_mask", MASK_CASES)
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_sequence_with_masks_matches_reference(mask, recurrent_mask, go_backwards,
                                                   reset_after):
    args = arguments(3, (2, 3 * U) if reset_after else (3 * U,))
    got = ops.gru_sequence(*args, reset_after=reset_after, go_backwards=go_backwards,
                           mask=mask, recurrent_mask=recurrent_mask)
    expected = gru_reference(*args, "tanh", "sigmoid", reset_after, go_backwards, mask,
                             recurrent_mask)
    assert_all_close(got, expected)


@pytest.mark.parametrize("mask,recurrent_mask", MASK_CASES)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_simple_rnn_sequence_with_masks_matches_reference(mask, recurrent_mask, go_backwards):
    args = arguments(1)
    got = ops.simple_rnn_sequence(*args, go_backwards=go_backwards, mask=mask,
                                  recurrent_mask=recurrent_mask)
    assert_all_close(got, simple_reference(*args, "tanh", go_backwards, mask, recurrent_mask))


def test_fully_masked_row_keeps_its_initial_state_hand_computed():
    args = arguments(4)
    outputs, h, c = ops.lstm_sequence(*args, mask=MASK)
    for t in range(T):
        assert_close(outputs[2, t], args[1][2])
    assert_close(h[2], args[1][2])
    assert_close(c[2], args[2][2])


def test_float_mask_means_nonzero_keeps():
    args = arguments(1)
    got = ops.simple_rnn_sequence(*args, mask=MASK.astype(np.float64))
    assert_all_close(got, ops.simple_rnn_sequence(*args, mask=MASK))


# ------------------------------------------------------------------ gradients
@pytest.mark.parametrize("mask,recurrent_mask", MASK_CASES[1:])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_sequence_gradients_with_masks(mask, recurrent_mask, go_backwards):
    check_gradients(lambda *a: ops.lstm_sequence(*a, go_backwards=go_backwards, mask=mask,
                                                 recurrent_mask=recurrent_mask), arguments(4))


@pytest.mark.parametrize("mask,recurrent_mask", MASK_CASES[1:])
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_sequence_gradients_with_masks(mask, recurrent_mask, reset_after):
    check_gradients(lambda *a: ops.gru_sequence(*a, reset_after=reset_after, go_backwards=True,
                                                mask=mask, recurrent_mask=recurrent_mask),
                    arguments(3, (2, 3 * U) if reset_after else (3 * U,)))


@pytest.mark.parametrize("mask,recurrent_mask", MASK_CASES)
@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid"])
def test_simple_rnn_sequence_gradients(mask, recurrent_mask, act):
    check_gradients(lambda *a: ops.simple_rnn_sequence(*a, activation=act, mask=mask,
                                                       recurrent_mask=recurrent_mask),
                    arguments(1))


# ------------------------------------------------------------------ errors
def test_mask_with_the_wrong_shape_names_the_op():
    with pytest.raises(ValueError, match=r"simple_rnn_sequence: `mask` must have shape "
                                         r"\(3, 5\).*\(3, 4\)"):
        ops.simple_rnn_sequence(*arguments(1), mask=MASK[:, :4])
    with pytest.raises(ValueError, match=r"lstm_sequence: `recurrent_mask` must have shape "
                                         r"\(3, 3\).*\(3, 2\)"):
        ops.lstm_sequence(*arguments(4), recurrent_mask=RECURRENT_MASK[:, :2])


def test_simple_rnn_kernel_shape_is_checked():
    args = arguments(1)
    args[2] = normal(F, 2 * U)
    with pytest.raises(ValueError, match=r"simple_rnn_sequence: `kernel` must have shape"):
        ops.simple_rnn_sequence(*args)


# ------------------------------------------------------------------ GPU against NumPy
def _values_and_gradients(backend_name, fn, args):
    with backend.use_backend(backend_name):
        tensors = [autodiff.Tensor(backend.to_device(a)) for a in args]
        with autodiff.GradientTape() as tape:
            tape.watch(tensors)
            outputs = fn(*tensors)
        seeds = [normal(*o.shape, seed=20 + k).astype(o.dtype) for k, o in enumerate(outputs)]
        grads = tape.gradient(list(outputs), tensors, output_gradients=seeds)
        return [backend.to_numpy(t) for t in (*outputs, *grads)]


GPU_CASES = {
    "simple": (lambda *a: ops.simple_rnn_sequence(*a, activation="relu", mask=MASK,
                                                  recurrent_mask=RECURRENT_MASK),
               lambda: arguments(1)),
    "lstm": (lambda *a: ops.lstm_sequence(*a, go_backwards=True, mask=MASK,
                                          recurrent_mask=RECURRENT_MASK), lambda: arguments(4)),
    "gru_reset_before": (lambda *a: ops.gru_sequence(*a, reset_after=False, mask=MASK,
                                                     recurrent_mask=RECURRENT_MASK),
                         lambda: arguments(3)),
}


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("dtype,rtol", [("float32", 1e-4), ("float64", 1e-10)])
@pytest.mark.parametrize("case", sorted(GPU_CASES))
def test_cupy_masked_sequences_match_numpy(case, dtype, rtol):
    fn, make_arguments = GPU_CASES[case]
    args = [a.astype(dtype) for a in make_arguments()]
    expected = _values_and_gradients("numpy", fn, args)
    got = _values_and_gradients("cupy", fn, args)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol)
