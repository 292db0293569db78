"""SimpleRNN, LSTM and GRU against the plain-loop reference: the return/go_backwards flags,
activations (fused and stepped), bias options, unroll, shapes, run_layer_test, errors."""

import itertools

import numpy as np
import pytest
from recurrent_fixtures import CLASSES, STATE_COUNT, RandomLayers
from recurrent_reference import layer_reference

from gpulayers.layers import GRU, LSTM, Input, SimpleRNN
from gpulayers.testing import run_layer_test

# (layer kind, extra constructor arguments): GRU both ways of applying the reset gate.
KINDS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False})]
IDS = ["SimpleRNN", "LSTM", "GRU", "GRU-reset-before"]
_random = RandomLayers(7)
rng = _random.rng
_x, _layer = _random.x, _random.layer


def _outputs(result):
    return [np.asarray(t) for t in (result if isinstance(result, list) else [result])]


def _check(result, expected_outputs, expected_states, *, return_sequences, return_state,
           rtol=1e-5, atol=1e-6):
    got = _outputs(result)
    expected = expected_outputs if return_sequences else expected_outputs[:, -1]
    assert len(got) == (1 + len(expected_states) if return_state else 1)
    np.testing.assert_allclose(got[0], expected, rtol=rtol, atol=atol)
    if return_state:
        for state, reference in zip(got[1:], expected_states):
            np.testing.assert_allclose(state, reference, rtol=rtol, atol=atol)


# -- the flags --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("return_sequences, return_state, go_backwards",
                         list(itertools.product([False, True], repeat=3)))
def test_flags_match_the_reference(kind, extra, return_sequences, return_state, go_backwards):
    x = _x(2, 5, 3)
    layer, weights = _layer(kind, 4, x, return_sequences=return_sequences,
                            return_state=return_state, go_backwards=go_backwards, **extra)
    outputs, states = layer_reference(kind, x, weights, go_backwards=go_backwards, **extra)
    _check(layer(x), outputs, states, return_sequences=return_sequences,
           return_state=return_state)


def test_go_backwards_returns_sequences_in_processing_order():
    x = _x(2, 4, 3)
    forward, weights = _layer("SimpleRNN", 2, x[:, ::-1].copy(), return_sequences=True)
    backward = SimpleRNN(2, return_sequences=True, go_backwards=True)
    backward(x)
    backward.set_weights(weights)
    # Reading x backwards is reading the reversed x forwards, step for step.
    np.testing.assert_allclose(np.asarray(backward(x)), np.asarray(forward(x[:, ::-1].copy())),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
def test_use_bias_false(kind, extra):
    x = _x(3, 4, 2)
    layer, weights = _layer(kind, 3, x, use_bias=False, return_sequences=True,
                            return_state=True, **extra)
    assert len(weights) == 2 and layer.cell.bias is None
    outputs, states = layer_reference(kind, x, weights, use_bias=False, **extra)
    _check(layer(x), outputs, states, return_sequences=True, return_state=True)


# -- activations: fused kernels and the stepped fallback --------------------------------------
@pytest.mark.parametrize("kind, activation, recurrent_activation", [
    ("LSTM", "tanh", "hard_sigmoid"), ("LSTM", "softsign", "sigmoid"),
    ("LSTM", "relu", "hard_sigmoid"), ("LSTM", "elu", "softsign"),
    ("GRU", "tanh", "hard_sigmoid"), ("GRU", "softsign", "hard_sigmoid"),
    ("GRU", "linear", "sigmoid"), ("GRU", "elu", "sigmoid"),
    ("SimpleRNN", "relu", None), ("SimpleRNN", "softsign", None),
    ("SimpleRNN", "linear", None), ("SimpleRNN", "elu", None),
])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_activations(kind, activation, recurrent_activation, go_backwards):
    x = 2.0 * _x(2, 5, 3)  # wide enough to reach hard_sigmoid's clipped ends
    names = {"activation": activation}
    if recurrent_activation is not None:
        names["recurrent_activation"] = recurrent_activation
    layer, weights = _layer(kind, 3, x, return_sequences=True, return_state=True,
                            go_backwards=go_backwards, **names)
    outputs, states = layer_reference(kind, x, weights, go_backwards=go_backwards, **names)
    _check(layer(x), outputs, states, return_sequences=True, return_state=True)


def test_softsign_runs_the_stepped_path_and_tanh_the_fused_one():
    assert LSTM(2, activation="softsign").cell.fused_activations() is None
    assert GRU(2, recurrent_activation="elu").cell.fused_activations() is None
    assert LSTM(2, recurrent_activation="hard_sigmoid").cell.fused_activations() == (
        "tanh", "hard_sigmoid")


def test_callable_activation():
    x = _x(2, 3, 2)

    def scaled_tanh(t):
        from gpulayers import ops
        return 0.5 * ops.tanh(t)

    layer, weights = _layer("GRU", 2, x, activation=scaled_tanh, return_sequences=True)
    outputs, _ = layer_reference("GRU", x, weights, activation=lambda t: 0.5 * np.tanh(t))
    np.testing.assert_allclose(np.asarray(layer(x)), outputs, rtol=1e-5, atol=1e-6)


# -- bias initialization ----------------------------------------------------------------------
def test_unit_forget_bias_puts_ones_in_the_forget_block():
    x = _x(2, 3, 2)
    units = 3
    layer = LSTM(units)
    layer(x)
    np.testing.assert_array_equal(layer.get_weights()[2], np.r_[np.zeros(units), np.ones(units),
                                                                np.zeros(2 * units)])
    plain = LSTM(units, unit_forget_bias=False)
    plain(x)
    np.testing.assert_array_equal(plain.get_weights()[2], np.zeros(4 * units))
    noisy = LSTM(units, bias_initializer="random_normal")
    noisy(x)
    bias = noisy.get_weights()[2]
    np.testing.assert_array_equal(bias[units:2 * units], np.ones(units))
    assert np.all(bias[:units] != 0) and np.all(bias[2 * units:] != 0)


def test_default_weights_compute_the_reference_too():
    x = _x(2, 4, 3)
    layer = LSTM(3, return_sequences=True)  # forget bias of ones, glorot, orthogonal
    result = layer(x)
    outputs, _ = layer_reference("LSTM", x, layer.get_weights())
    np.testing.assert_allclose(np.asarray(result), outputs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reset_after, bias_shape", [(True, (2, 6)), (False, (6,))])
def test_gru_bias_layout(reset_after, bias_shape):
    layer = GRU(2, reset_after=reset_after, bias_initializer="ones")
    layer(_x(1, 2, 3))
    assert [w.shape for w in layer.get_weights()] == [(3, 6), (2, 6), bias_shape]
    np.testing.assert_array_equal(layer.get_weights()[2], np.ones(bias_shape))


# -- unroll -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, extra", KINDS + [("LSTM", {"activation": "softsign"})],
                         ids=IDS + ["LSTM-softsign"])
def test_unroll_gives_the_same_numbers(kind, extra):
    x = _x(2, 4, 3)
    rolled, weights = _layer(kind, 2, x, return_sequences=True, return_state=True, **extra)
    unrolled = CLASSES[kind](2, unroll=True, return_sequences=True, return_state=True, **extra)
    unrolled(x)
    unrolled.set_weights(weights)
    assert unrolled.get_config()["unroll"] is True
    outputs, states = layer_reference(kind, x, weights, **extra)
    _check(unrolled(x), outputs, states, return_sequences=True, return_state=True)
    for a, b in zip(_outputs(unrolled(x)), _outputs(rolled(x))):
        np.testing.assert_array_equal(a, b)


# -- shapes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_symbolic_and_eager_shapes(kind, return_sequences, return_state):
    layer = CLASSES[kind](4, return_sequences=return_sequences, return_state=return_state)
    output_shape = (None, 6, 4) if return_sequences else (None, 4)
    expected = [output_shape] + [(None, 4)] * STATE_COUNT[kind] if return_state else [
        output_shape]
    symbolic = layer(Input(shape=(6, 3)))
    assert [t.shape for t in (symbolic if return_state else [symbolic])] == expected
    eager = _outputs(layer(_x(2, 6, 3)))
    assert [t.shape for t in eager] == [(2, *s[1:]) for s in expected]
    computed = layer.compute_output_shape((2, 6, 3))
    assert (computed if return_state else [computed]) == [(2, *s[1:]) for s in expected]


def test_layer_reads_its_cell_settings_through():
    layer = LSTM(5, activation="softsign", recurrent_dropout=0.25, unit_forget_bias=False)
    assert layer.units == 5 and layer.recurrent_dropout == 0.25
    assert layer.unit_forget_bias is False and layer.cell.units == 5
    assert GRU(3, reset_after=False).reset_after is False
    assert layer.get_config()["activation"] == "softsign"
    assert "cell" not in layer.get_config()


# -- the standard layer checks ----------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, expected_shape", [
    (SimpleRNN, {"units": 3}, (2, 3)),
    (SimpleRNN, {"units": 2, "return_sequences": True, "go_backwards": True,
                 "activation": "softsign"}, (2, 4, 2)),
    (LSTM, {"units": 2}, (2, 2)),
    (LSTM, {"units": 2, "return_sequences": True, "recurrent_activation": "hard_sigmoid",
            "kernel_regularizer": "l2", "bias_constraint": "non_neg"}, (2, 4, 2)),
    (GRU, {"units": 2, "go_backwards": True}, (2, 2)),
    (GRU, {"units": 3, "reset_after": False, "return_sequences": True, "use_bias": False},
     (2, 4, 3)),
])
def test_run_layer_test(cls, kwargs, expected_shape):
    run_layer_test(cls, kwargs, input_shape=(2, 4, 3), expected_output_shape=expected_shape,
                   expected_num_trainable_weights=3 if kwargs.get("use_bias", True) else 2,
                   expected_num_non_trainable_weights=0, supports_masking=True)


def test_return_state_output_is_the_last_h():
    layer = LSTM(2, return_state=True)
    output, h, c = layer(_x(2, 4, 3))
    assert output.shape == h.shape == c.shape == (2, 2)
    np.testing.assert_array_equal(np.asarray(output), np.asarray(h))


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", CLASSES)
def test_rank_2_input_is_refused_naming_the_layer(kind):
    layer = CLASSES[kind](2, name=f"my_{kind.lower()}")
    with pytest.raises(ValueError, match=f"{kind} 'my_{kind.lower()}'.*rank 3"):
        layer(_x(2, 3))


@pytest.mark.parametrize("kwargs, match", [
    ({"units": 0}, "units"), ({"units": 2, "dropout": "half"}, "dropout"),
    ({"units": 2, "activation": "no_such_activation"}, "activation"),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        LSTM(**kwargs)
