"""dropout / recurrent_dropout in SimpleRNN, LSTM, GRU and stacked cells: the masks a call
draws, once per sequence, give the plain-loop reference's numbers; inference ignores them."""

import numpy as np
import pytest
from recurrent_fixtures import RandomLayers
from recurrent_reference import (
    ACTIVATIONS,
    gru_step,
    layer_reference,
    lstm_step,
    reference_rnn,
    stacked_step,
)

from gpulayers.layers import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN

KINDS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
         ("LSTM", {"activation": "softsign"}), ("GRU", {"activation": "elu"})]
IDS = ["SimpleRNN", "LSTM", "GRU", "GRU-reset-before", "LSTM-step", "GRU-step"]
DROPOUT, RECURRENT_DROPOUT = 0.4, 0.6
_random = RandomLayers(5)
rng = _random.rng
_x, _layer = _random.x, _random.layer


def _record_masks(cell):
    """Wrap the cell's mask factory: every mask drawn is appended to the returned list as
    ``(rate, mask as numpy)``."""
    drawn = []
    create = cell._create_dropout_mask

    def recording(step_input, rate):
        mask = create(step_input, rate)
        drawn.append((rate, np.asarray(mask)))
        return mask

    cell._create_dropout_mask = recording
    return drawn


def _split(drawn):
    inputs = [m for rate, m in drawn if rate == DROPOUT]
    recurrent = [m for rate, m in drawn if rate == RECURRENT_DROPOUT]
    assert len(inputs) + len(recurrent) == len(drawn)
    return inputs, recurrent


def _assert_inverted_dropout(mask, rate, shape):
    assert mask.shape == shape
    np.testing.assert_allclose(np.unique(mask), [0.0, 1.0 / (1.0 - rate)], rtol=1e-6)


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_training_uses_one_pair_of_masks_for_the_whole_sequence(kind, extra, go_backwards):
    x = _x(4, 5, 6)
    layer, weights = _layer(kind, 5, x, dropout=DROPOUT, recurrent_dropout=RECURRENT_DROPOUT,
                            return_sequences=True, return_state=True,
                            go_backwards=go_backwards, **extra)
    drawn = _record_masks(layer.cell)
    result = layer(x, training=True)
    inputs, recurrent = _split(drawn)
    assert len(inputs) == len(recurrent) == 1  # drawn once, used at every timestep
    _assert_inverted_dropout(inputs[0], DROPOUT, (4, 6))
    _assert_inverted_dropout(recurrent[0], RECURRENT_DROPOUT, (4, 5))
    outputs, states = layer_reference(kind, x, weights, go_backwards=go_backwards,
                                      input_dropout=inputs[0],
                                      recurrent_dropout=recurrent[0], **extra)
    np.testing.assert_allclose(np.asarray(result[0]), outputs, rtol=1e-5, atol=1e-6)
    for got, expected in zip(result[1:], states):
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
def test_inference_ignores_dropout(kind, extra):
    x = _x(3, 4, 3)
    layer, weights = _layer(kind, 3, x, dropout=0.5, recurrent_dropout=0.5,
                            return_sequences=True, **extra)
    outputs, _ = layer_reference(kind, x, weights, **extra)
    drawn = _record_masks(layer.cell)
    for result in (layer(x), layer(x, training=False)):
        np.testing.assert_allclose(np.asarray(result), outputs, rtol=1e-5, atol=1e-6)
    assert drawn == []
    assert np.abs(np.asarray(layer(x, training=True)) - outputs).max() > 1e-3


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
def test_each_call_draws_new_masks(kind, extra):
    x = _x(4, 3, 6)
    layer, _ = _layer(kind, 6, x, dropout=0.5, recurrent_dropout=0.5, return_sequences=True,
                      **extra)
    drawn = _record_masks(layer.cell)
    first, second = np.asarray(layer(x, training=True)), np.asarray(layer(x, training=True))
    assert len(drawn) == 4
    (_, input_1), (_, recurrent_1), (_, input_2), (_, recurrent_2) = drawn
    assert not np.array_equal(input_1, input_2)
    assert not np.array_equal(recurrent_1, recurrent_2)
    assert not np.allclose(first, second)


@pytest.mark.parametrize("dropout, recurrent_dropout", [(0.5, 0.0), (0.0, 0.5)])
def test_only_the_asked_for_mask_is_drawn(dropout, recurrent_dropout):
    x = _x(3, 4, 3)
    layer, weights = _layer("LSTM", 2, x, dropout=dropout,
                            recurrent_dropout=recurrent_dropout, return_sequences=True)
    drawn = _record_masks(layer.cell)
    result = layer(x, training=True)
    assert [rate for rate, _ in drawn] == [0.5]
    (_, mask), = drawn
    masks = ({"input_dropout": mask} if dropout else {"recurrent_dropout": mask})
    outputs, _ = layer_reference("LSTM", x, weights, **masks)
    np.testing.assert_allclose(np.asarray(result), outputs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_dropout_with_a_mask(go_backwards):
    x = _x(3, 5, 3)
    mask = np.array([[1, 0, 1, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], bool)
    layer, weights = _layer("GRU", 3, x, dropout=DROPOUT, recurrent_dropout=RECURRENT_DROPOUT,
                            return_sequences=True, go_backwards=go_backwards)
    drawn = _record_masks(layer.cell)
    result = layer(x, mask=mask, training=True)
    (inputs,), (recurrent,) = _split(drawn)
    outputs, _ = layer_reference("GRU", x, weights, mask=mask, go_backwards=go_backwards,
                                 input_dropout=inputs, recurrent_dropout=recurrent)
    np.testing.assert_allclose(np.asarray(result), outputs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("second_activation", ["tanh", "softsign"])
def test_stacked_cells_each_draw_their_own_masks(second_activation):
    x = _x(3, 4, 3)
    cells = [LSTMCell(4, dropout=DROPOUT, recurrent_dropout=RECURRENT_DROPOUT),
             GRUCell(2, dropout=DROPOUT, recurrent_dropout=RECURRENT_DROPOUT,
                     activation=second_activation)]
    layer = RNN(cells, return_sequences=True)
    layer(x)
    layer.set_weights([0.6 * _x(*w.shape) for w in layer.get_weights()])
    w = layer.get_weights()
    drawn = [_record_masks(cell) for cell in cells]
    result = layer(x, training=True)
    (lstm_in,), (lstm_rec,) = _split(drawn[0])
    (gru_in,), (gru_rec,) = _split(drawn[1])
    assert lstm_in.shape == (3, 3) and lstm_rec.shape == (3, 4)
    assert gru_in.shape == (3, 4) and gru_rec.shape == (3, 2)
    step = stacked_step([lstm_step(*w[:3], input_dropout=lstm_in, recurrent_dropout=lstm_rec),
                         gru_step(*w[3:], activation=ACTIVATIONS[second_activation],
                                  input_dropout=gru_in, recurrent_dropout=gru_rec)], [2, 1])
    outputs, _ = reference_rnn(step, x, [np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((3, 2))])
    np.testing.assert_allclose(np.asarray(result), outputs, rtol=1e-5, atol=1e-6)


def test_rates_are_clipped_and_checked():
    assert LSTM(2, dropout=1.5).dropout == 1.0
    assert GRU(2, recurrent_dropout=-1).recurrent_dropout == 0.0
    with pytest.raises(TypeError, match="dropout"):
        SimpleRNN(2, dropout=True)
