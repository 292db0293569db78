"""Fused LSTM/GRU ops against step-by-step references written from the Keras 3 equations."""

import math

import numpy as np
import pytest

from gpulayers import autodiff, backend, ops
from gpulayers.testing import check_gradients, requires_gpu

N, T, F, U = 2, 3, 2, 3  # batch, timesteps, input features, units


# ------------------------------------------------------------------ plain references
def activation(name, x):
    """One scalar through a Keras 3 activation."""
    if name == "tanh":
        return math.tanh(x)
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-x))
    if name == "hard_sigmoid":  # Keras 3: relu6(x + 3) / 6
        return min(max(x + 3.0, 0.0), 6.0) / 6.0
    if name == "relu":
        return max(x, 0.0)
    assert name in ("linear", None)
    return x


def reference_lstm_step(z, c_prev, act, rec):
    """z (N, 4u) blocks i, f, c, o -> h, c, looping over batch rows and units."""
    batch, units = c_prev.shape
    h, c = np.zeros((batch, units)), np.zeros((batch, units))
    for n in range(batch):
        for j in range(units):
            i = activation(rec, z[n, j])
            f = activation(rec, z[n, units + j])
            g = activation(act, z[n, 2 * units + j])
            o = activation(rec, z[n, 3 * units + j])
            c[n, j] = f * c_prev[n, j] + i * g
            h[n, j] = o * activation(act, c[n, j])
    return h, c


def reference_gru_step(x_proj, h_prev, kernel_u, recurrent_bias, act, rec, reset_after,
                       h_left=None):
    """Keras 3 GRUCell: x_proj (N, 3u) = x@W + input bias, blocks z, r, h.

    ``h_left`` (default h_prev) is what the recurrent GEMMs see, e.g. h_prev after recurrent
    dropout; the final mix ``z*h_prev + (1-z)*hh`` always uses h_prev.
    """
    h_left = h_prev if h_left is None else h_left
    batch, units = h_prev.shape
    h = np.zeros((batch, units))
    for n in range(batch):
        h_proj = h_left[n] @ kernel_u  # (3u,)
        if recurrent_bias is not None:
            h_proj = h_proj + recurrent_bias
        r = [activation(rec, x_proj[n, units + j] + h_proj[units + j]) for j in range(units)]
        for j in range(units):
            z = activation(rec, x_proj[n, j] + h_proj[j])
            if reset_after:
                recurrent_h = r[j] * h_proj[2 * units + j]
            else:
                recurrent_h = sum(r[k] * h_left[n, k] * kernel_u[k, 2 * units + j]
                                  for k in range(units))
            hh = activation(act, x_proj[n, 2 * units + j] + recurrent_h)
            h[n, j] = z * h_prev[n, j] + (1 - z) * hh
    return h


def reference_lstm_sequence(x, h, c, kernel, kernel_u, bias, act, rec, go_backwards):
    order = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    outputs = []
    for t in order:
        h, c = reference_lstm_step(x[:, t] @ kernel + h @ kernel_u + bias, c, act, rec)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


def reference_gru_sequence(x, h, kernel, kernel_u, bias, act, rec, reset_after, go_backwards):
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, None)
    order = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    outputs = []
    for t in order:
        h = reference_gru_step(x[:, t] @ kernel + input_bias, h, kernel_u, recurrent_bias,
                               act, rec, reset_after)
        outputs.append(h)
    return np.stack(outputs, axis=1), h


# ------------------------------------------------------------------ data
def normal(*shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def lstm_arguments(scale=0.5):
    return [normal(N, T, F, seed=1), normal(N, U, seed=2), normal(N, U, seed=3),
            normal(F, 4 * U, seed=4, scale=scale), normal(U, 4 * U, seed=5, scale=scale),
            normal(4 * U, seed=6, scale=scale)]


def gru_arguments(reset_after, scale=0.5):
    bias_shape = (2, 3 * U) if reset_after else (3 * U,)
    return [normal(N, T, F, seed=1), normal(N, U, seed=2),
            normal(F, 3 * U, seed=4, scale=scale), normal(U, 3 * U, seed=5, scale=scale),
            normal(*bias_shape, seed=6, scale=scale)]


def assert_close(tensor, expected, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(tensor), expected, rtol=rtol, atol=atol)


ACTIVATION_PAIRS = [("tanh", "sigmoid"), ("tanh", "hard_sigmoid"), ("relu", "sigmoid"),
                    ("linear", "hard_sigmoid"), ("sigmoid", "sigmoid")]


# ------------------------------------------------------------------ forward values
def test_lstm_cell_hand_computed_case():
    h, c = ops.lstm_cell(np.zeros((1, 4)), np.ones((1, 1)))  # every gate 0.5, g = 0
    assert_close(c, [[0.5]])
    assert_close(h, [[0.5 * math.tanh(0.5)]])


def test_hard_sigmoid_is_keras3_and_clips():
    z = np.array([[-7.0, 1.5, 4.0, 0.0]])  # i clipped to 0, f=0.75, g=tanh(4), o=0.5
    h, c = ops.lstm_cell(z, np.array([[2.0]]), recurrent_activation="hard_sigmoid")
    assert_close(c, [[1.5]])
    assert_close(h, [[0.5 * math.tanh(1.5)]])


@pytest.mark.parametrize("act,rec", ACTIVATION_PAIRS)
def test_lstm_cell_matches_reference(act, rec):
    z, c_prev = normal(N, 4 * U, seed=7, scale=3.0), normal(N, U, seed=8)
    h, c = ops.lstm_cell(z, c_prev, activation=act, recurrent_activation=rec)
    expected_h, expected_c = reference_lstm_step(z, c_prev, act, rec)
    assert_close(h, expected_h)
    assert_close(c, expected_c)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("act,rec", ACTIVATION_PAIRS)
def test_gru_cell_matches_reference(reset_after, act, rec):
    x_proj, h_prev = normal(N, 3 * U, seed=7, scale=3.0), normal(N, U, seed=8)
    kernel_u = normal(U, 3 * U, seed=9)
    bias = normal(3 * U, seed=10) if reset_after else None
    h = ops.gru_cell(x_proj, h_prev, kernel_u, bias, activation=act, recurrent_activation=rec,
                     reset_after=reset_after)
    assert_close(h, reference_gru_step(x_proj, h_prev, kernel_u, bias, act, rec, reset_after))


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("act,rec", [("tanh", "sigmoid"), ("tanh", "hard_sigmoid")])
def test_lstm_sequence_matches_reference(go_backwards, act, rec):
    arguments = lstm_arguments(scale=1.5)
    outputs, h, c = ops.lstm_sequence(*arguments, activation=act, recurrent_activation=rec,
                                      go_backwards=go_backwards)
    expected = reference_lstm_sequence(*arguments, act, rec, go_backwards)
    for got, want in zip((outputs, h, c), expected):
        assert_close(got, want)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("act,rec", [("tanh", "sigmoid"), ("tanh", "hard_sigmoid")])
def test_gru_sequence_matches_reference(go_backwards, reset_after, act, rec):
    arguments = gru_arguments(reset_after, scale=1.5)
    outputs, h = ops.gru_sequence(*arguments, activation=act, recurrent_activation=rec,
                                  reset_after=reset_after, go_backwards=go_backwards)
    expected = reference_gru_sequence(*arguments, act, rec, reset_after, go_backwards)
    assert_close(outputs, expected[0])
    assert_close(h, expected[1])


def test_sequences_default_to_zero_states_without_bias_in_float32():
    x, _, _, kernel, kernel_u, _ = (a.astype("float32") for a in lstm_arguments())
    outputs, h, c = ops.lstm_sequence(x, None, None, kernel, kernel_u)
    zeros = np.zeros((N, U))
    expected = reference_lstm_sequence(x, zeros, zeros, kernel, kernel_u, 0.0, "tanh",
                                       "sigmoid", False)
    assert outputs.dtype == h.dtype == c.dtype == "float32"
    assert_close(outputs, expected[0], rtol=1e-5, atol=1e-6)
    gru_kernel, gru_kernel_u = kernel[:, :3 * U], kernel_u[:, :3 * U]
    outputs, h = ops.gru_sequence(x, None, gru_kernel, gru_kernel_u)
    expected = reference_gru_sequence(x, zeros, gru_kernel, gru_kernel_u, np.zeros((2, 3 * U)),
                                      "tanh", "sigmoid", True, False)
    assert outputs.dtype == "float32"
    assert_close(outputs, expected[0], rtol=1e-5, atol=1e-6)


def test_sequence_is_one_node_with_all_outputs():
    x = autodiff.Variable(normal(N, T, F))
    with autodiff.GradientTape():
        outputs, h, c = ops.lstm_sequence(x, *lstm_arguments()[1:])
    assert outputs._node is not None and outputs._node is h._node is c._node


# ------------------------------------------------------------------ gradients
@pytest.mark.parametrize("act,rec", [("tanh", "sigmoid"), ("relu", "hard_sigmoid")])
def test_lstm_cell_gradients(act, rec):
    check_gradients(lambda z, c: ops.lstm_cell(z, c, act, rec),
                    [normal(N, 4 * U, seed=1), normal(N, U, seed=2)])


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_cell_gradients(reset_after):
    arguments = [normal(N, 3 * U, seed=1), normal(N, U, seed=2), normal(U, 3 * U, seed=3)]
    if reset_after:
        arguments.append(normal(3 * U, seed=4))
    check_gradients(lambda *a: ops.gru_cell(*a, reset_after=reset_after), arguments)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("rec", ["sigmoid", "hard_sigmoid"])
def test_lstm_sequence_gradients(go_backwards, rec):
    check_gradients(lambda *a: ops.lstm_sequence(*a, recurrent_activation=rec,
                                                 go_backwards=go_backwards), lstm_arguments())


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_sequence_gradients(go_backwards, reset_after):
    check_gradients(lambda *a: ops.gru_sequence(*a, reset_after=reset_after,
                                                go_backwards=go_backwards),
                    gru_arguments(reset_after))


def test_gradients_when_only_the_final_state_is_used():
    check_gradients(lambda *a: ops.lstm_sequence(*a)[2], lstm_arguments())
    check_gradients(lambda *a: ops.gru_sequence(*a, reset_after=False)[1], gru_arguments(False))


# ------------------------------------------------------------------ errors
def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="lstm_cell: `activation` must be one of"):
        ops.lstm_cell(np.zeros((1, 4)), np.zeros((1, 1)), activation="swish")
    with pytest.raises(ValueError, match="gru_sequence: `recurrent_activation`"):
        ops.gru_sequence(*gru_arguments(True), recurrent_activation="bogus")


def test_bad_shapes_name_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"lstm_cell: `z` must have shape \(2, 12\). "
                                         r"Received shape \(2, 9\)"):
        ops.lstm_cell(np.zeros((2, 9)), np.zeros((2, 3)))
    arguments = lstm_arguments()
    arguments[4] = np.zeros((U, 3 * U))
    with pytest.raises(ValueError, match="lstm_sequence: `recurrent_kernel`"):
        ops.lstm_sequence(*arguments)
    with pytest.raises(ValueError, match=r"gru_sequence: `bias` must have shape \(2, 9\)"):
        ops.gru_sequence(*gru_arguments(False), reset_after=True)
    with pytest.raises(ValueError, match="at least one timestep"):
        ops.gru_sequence(np.zeros((N, 0, F)), None, *gru_arguments(True)[2:])


def test_recurrent_bias_needs_reset_after():
    with pytest.raises(ValueError, match="gru_cell: `recurrent_bias` is only used"):
        ops.gru_cell(np.zeros((1, 3)), np.zeros((1, 1)), np.zeros((1, 3)), np.zeros(3),
                     reset_after=False)


def test_mixed_dtypes_are_rejected():
    with pytest.raises(TypeError, match="lstm_cell: all arguments must share one float dtype"):
        ops.lstm_cell(np.zeros((1, 4), "float32"), np.zeros((1, 1), "float64"))


# ------------------------------------------------------------------ CuPy == NumPy
PRIMITIVE_CASES = {  # name -> shapes of its array arguments, u = U
    "lstm_gates_forward": [(N, 4 * U), (N, U)],
    "lstm_gates_backward": [(N, U), (N, U), (N, U), (N, 5 * U)],
    "gru_gates_forward": [(N, 3 * U), (N, 3 * U), (N, U)],
    "gru_gates_backward": [(N, U), (N, U), (N, 4 * U)],
    "gru_reset_gates_forward": [(N, 3 * U), (N, 2 * U), (N, U)],
    "gru_candidate_forward": [(N, 3 * U), (N, U), (N, 2 * U), (N, U)],
    "gru_candidate_backward": [(N, U), (N, U), (N, 2 * U), (N, U)],
    "gru_reset_gates_backward": [(N, U), (N, U), (N, U), (N, 2 * U)],
}
OPTIONAL_EXTRA = {"lstm_gates_forward": ("z_recurrent", (N, 4 * U)),
                  "lstm_gates_backward": ("dh_recurrent", (N, U)),
                  "gru_gates_forward": ("recurrent_bias", (3 * U,)),
                  "gru_gates_backward": ("dh_recurrent", (N, U)),
                  "gru_candidate_backward": ("dh_recurrent", (N, U))}


def _run_primitive(backend_name, name, arrays, extra, act, rec):
    with backend.use_backend(backend_name):
        function = getattr(backend.primitives("rnn"), name)
        device = [backend.to_device(a) for a in arrays]
        extra = {key: backend.to_device(value) for key, value in extra.items()}
        return [backend.to_numpy(out) for out in function(*device, act, rec, **extra)]


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("dtype,rtol", [("float32", 1e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("act,rec", ACTIVATION_PAIRS)
@pytest.mark.parametrize("name,with_extra", [(name, False) for name in sorted(PRIMITIVE_CASES)]
                         + [(name, True) for name in sorted(OPTIONAL_EXTRA)])
def test_cupy_primitives_match_numpy(name, with_extra, act, rec, dtype, rtol):
    rng = np.random.default_rng(0)
    # wide enough that relu and hard_sigmoid clip; both backends apply the same formulas
    arrays = [rng.uniform(-4, 4, size=shape).astype(dtype) for shape in PRIMITIVE_CASES[name]]
    extra = {}
    if with_extra:
        key, shape = OPTIONAL_EXTRA[name]
        extra[key] = rng.normal(size=shape).astype(dtype)
    expected = _run_primitive("numpy", name, arrays, extra, act, rec)
    got = _run_primitive("cupy", name, arrays, extra, act, rec)
    for g, e in zip(got, expected):
        assert g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol)


def _op_values_and_gradients(backend_name, fn, arguments):
    with backend.use_backend(backend_name):
        tensors = [autodiff.Tensor(backend.to_device(a)) for a in arguments]
        with autodiff.GradientTape() as tape:
            tape.watch(tensors)
            outputs = fn(*tensors)
            outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        seeds = [normal(*o.shape, seed=20 + k).astype(o.dtype) for k, o in enumerate(outputs)]
        grads = tape.gradient(list(outputs), tensors, output_gradients=seeds)
        return [backend.to_numpy(t) for t in (*outputs, *grads)]


OP_CASES = {
    "lstm_cell": (lambda z, c: ops.lstm_cell(z, c), lambda: [normal(N, 4 * U), normal(N, U)]),
    "gru_cell": (lambda *a: ops.gru_cell(*a), lambda: [normal(N, 3 * U), normal(N, U),
                                                       normal(U, 3 * U), normal(3 * U)]),
    "gru_cell_reset_before": (lambda *a: ops.gru_cell(*a, reset_after=False),
                              lambda: [normal(N, 3 * U), normal(N, U), normal(U, 3 * U)]),
    "lstm_sequence": (lambda *a: ops.lstm_sequence(*a, go_backwards=True), lstm_arguments),
    "gru_sequence": (lambda *a: ops.gru_sequence(*a), lambda: gru_arguments(True)),
    "gru_sequence_reset_before": (lambda *a: ops.gru_sequence(*a, reset_after=False,
                                                              go_backwards=True),
                                  lambda: gru_arguments(False)),
}


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("dtype,rtol", [("float32", 1e-4), ("float64", 1e-10)])
@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_cupy_ops_and_gradients_match_numpy(case, dtype, rtol):
    fn, make_arguments = OP_CASES[case]
    arguments = [a.astype(dtype) for a in make_arguments()]
    expected = _op_values_and_gradients("numpy", fn, arguments)
    got = _op_values_and_gradients("cupy", fn, arguments)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol)
