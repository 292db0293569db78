"""Timestep masks in SimpleRNN, LSTM and GRU: from Masking, from Embedding(mask_zero=True) and
as a ``mask=`` argument, against the plain-loop reference; output mask propagation."""

import numpy as np
import pytest
from recurrent_fixtures import CLASSES, STATE_COUNT, RandomLayers
from recurrent_reference import layer_reference

from gpulayers.layers import LSTM, Embedding, Masking

KINDS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False})]
IDS = [f"{k}{e}" for k, e in KINDS]
# Rows masked at the start, in the middle, at the end, everywhere, and here and there.
MASK = np.array([[0, 0, 1, 1, 1],
                 [1, 1, 0, 0, 1],
                 [1, 1, 1, 0, 0],
                 [0, 0, 0, 0, 0],
                 [0, 1, 0, 1, 0]], dtype=bool)
_random = RandomLayers(11)
rng = _random.rng
_x, _layer = _random.x, _random.layer


def _padded(features=3):
    """Inputs whose masked timesteps are all zeros (what Masking(0.) detects)."""
    x = _x(*MASK.shape, features)
    x[~MASK] = 0.0
    return x


def _assert_outputs(result, outputs, states, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(result[0]), outputs, rtol=rtol, atol=atol)
    for got, expected in zip(result[1:], states):
        np.testing.assert_allclose(np.asarray(got), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_mask_from_masking_layer(kind, extra, go_backwards, zero_output_for_mask):
    x = _padded()
    masked = Masking(mask_value=0.0)(x)
    np.testing.assert_array_equal(np.asarray(masked._keras_mask), MASK)
    layer, weights = _layer(kind, 3, x, return_sequences=True, return_state=True,
                            go_backwards=go_backwards,
                            zero_output_for_mask=zero_output_for_mask, **extra)
    outputs, states = layer_reference(kind, x, weights, mask=MASK, go_backwards=go_backwards,
                                      zero_output_for_mask=zero_output_for_mask, **extra)
    _assert_outputs(layer(masked), outputs, states)


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_mask_from_embedding_mask_zero(kind, extra, go_backwards):
    indices = rng.integers(1, 7, size=MASK.shape).astype("int32")
    indices[~MASK] = 0
    embedding = Embedding(7, 3, mask_zero=True)
    embedded = embedding(indices)
    table = embedding.get_weights()[0]
    layer, weights = _layer(kind, 2, np.asarray(embedded), return_sequences=True,
                            return_state=True, go_backwards=go_backwards, **extra)
    outputs, states = layer_reference(kind, table[indices], weights, mask=indices != 0,
                                      go_backwards=go_backwards, **extra)
    _assert_outputs(layer(embedded), outputs, states)


@pytest.mark.parametrize("kind, extra", KINDS + [
    ("LSTM", {"activation": "softsign"}), ("GRU", {"recurrent_activation": "softsign"}),
    ("SimpleRNN", {"activation": "elu"})], ids=IDS + ["LSTM-step", "GRU-step", "Simple-step"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_explicit_mask_argument_with_initial_states(kind, extra, go_backwards,
                                                    zero_output_for_mask):
    x = _x(*MASK.shape, 3)  # the masked steps hold data: the mask alone must skip them
    layer, weights = _layer(kind, 3, x, return_sequences=True, return_state=True,
                            go_backwards=go_backwards,
                            zero_output_for_mask=zero_output_for_mask, **extra)
    initial = [_x(MASK.shape[0], 3) for _ in range(STATE_COUNT[kind])]
    outputs, states = layer_reference(kind, x, weights, mask=MASK, go_backwards=go_backwards,
                                      zero_output_for_mask=zero_output_for_mask,
                                      initial_state=initial, **extra)
    result = layer(x, initial_state=initial, mask=MASK)
    _assert_outputs(result, outputs, states)
    # The fully masked row (3) keeps its initial states and outputs zeros throughout.
    np.testing.assert_array_equal(np.asarray(result[0])[3], np.zeros((5, 3)))
    for got, start in zip(result[1:], initial):
        np.testing.assert_array_equal(np.asarray(got)[3], start[3])


@pytest.mark.parametrize("kind", CLASSES)
def test_masked_steps_repeat_the_previous_output(kind):
    x = _x(*MASK.shape, 3)
    layer, _ = _layer(kind, 2, x, return_sequences=True)
    out = np.asarray(layer(x, mask=MASK))
    np.testing.assert_array_equal(out[0, :2], 0.0)  # nothing kept yet: zeros
    np.testing.assert_array_equal(out[1, 2], out[1, 1])
    np.testing.assert_array_equal(out[1, 3], out[1, 1])
    np.testing.assert_array_equal(out[2, 4], out[2, 2])
    assert np.all(out[1, 4] != out[1, 1])
    zeros = CLASSES[kind](2, return_sequences=True, zero_output_for_mask=True)
    zeros(x)
    zeros.set_weights(layer.get_weights())
    out_zeros = np.asarray(zeros(x, mask=MASK))
    np.testing.assert_array_equal(out_zeros[~MASK], 0.0)
    np.testing.assert_array_equal(out_zeros[MASK], out[MASK])


def test_last_output_of_a_row_masked_at_the_end_is_its_last_kept_step():
    x = _x(*MASK.shape, 3)
    layer, weights = _layer("LSTM", 2, x)
    last = np.asarray(layer(x, mask=MASK))
    outputs, _ = layer_reference("LSTM", x[2:3, :3], weights)
    np.testing.assert_allclose(last[2], outputs[0, -1], rtol=1e-5, atol=1e-6)


def test_all_true_mask_changes_nothing():
    x = _x(2, 4, 3)
    layer, _ = _layer("GRU", 2, x, return_sequences=True)
    np.testing.assert_array_equal(np.asarray(layer(x, mask=np.ones((2, 4), bool))),
                                  np.asarray(layer(x)))


# -- output mask propagation ------------------------------------------------------------------
@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_output_mask(kind, return_sequences, return_state):
    masked = Masking()(_padded())
    layer = CLASSES[kind](2, return_sequences=return_sequences, return_state=return_state)
    result = layer(masked)
    result = result if return_state else [result]
    if return_sequences:
        np.testing.assert_array_equal(np.asarray(result[0]._keras_mask), MASK)
    else:
        assert result[0]._keras_mask is None
    for state in result[1:]:
        assert state._keras_mask is None
    explicit = CLASSES[kind](2, return_sequences=True)(_x(*MASK.shape, 3), mask=MASK)
    np.testing.assert_array_equal(np.asarray(explicit._keras_mask), MASK)
    assert CLASSES[kind](2, return_sequences=True)(_x(2, 3, 3))._keras_mask is None


def test_compute_mask():
    layer = LSTM(2, return_sequences=True, return_state=True)
    mask = np.ones((2, 3), bool)
    got = layer.compute_mask(_x(2, 3, 4), mask)
    assert got[0] is mask and got[1:] == [None, None]
    assert LSTM(2).compute_mask(_x(2, 3, 4), mask) is None


def test_masked_sequence_feeds_a_second_rnn():
    x = _padded()
    first, w1 = _layer("GRU", 3, x, return_sequences=True)
    second, w2 = _layer("LSTM", 2, np.zeros((5, 5, 3), "float32"))
    result = second(first(Masking()(x)))
    hidden, _ = layer_reference("GRU", x, w1, mask=MASK)
    expected, _ = layer_reference("LSTM", hidden, w2, mask=MASK)
    np.testing.assert_allclose(np.asarray(result), expected[:, -1], rtol=1e-5, atol=1e-6)
