"""ConvLSTM1D/2D/3D (and their cell): Keras 3 parity with copied weights, a plain-loop
reference (kernel taps summed one by one, timesteps stepped one by one), float64 central
differences for the gradients, config round trips, statefulness, dropout and errors."""

import numpy as np
import pytest
from conv_reference import reference_conv, to_first
from keras_available import keras_or_skip, to_numpy
from recurrent_reference import reference_rnn, sigmoid

from gpulayers import ops
from gpulayers.layers import Input, deserialize, serialize
from gpulayers.layers.recurrent.conv_lstm import ConvLSTM
from gpulayers.layers.recurrent.conv_lstm1d import ConvLSTM1D
from gpulayers.layers.recurrent.conv_lstm2d import ConvLSTM2D
from gpulayers.layers.recurrent.conv_lstm3d import ConvLSTM3D
from gpulayers.layers.recurrent.conv_lstm_cell import ConvLSTMCell
from gpulayers.testing import check_gradients, check_layer_gradients, run_layer_test

CLASSES = {1: ConvLSTM1D, 2: ConvLSTM2D, 3: ConvLSTM3D}
SPATIAL = {1: (7,), 2: (5, 6), 3: (4, 4, 5)}
MASK = np.array([[1, 0, 1, 1], [0, 0, 1, 0]], bool)
rng = np.random.default_rng(7)


def _x(*shape, dtype="float32"):
    return rng.standard_normal(shape).astype(dtype)


def _sequences(rank, data_format, steps=4, channels=3, dtype="float32"):
    x = _x(2, steps, *SPATIAL[rank], channels, dtype=dtype)
    return np.moveaxis(x, -1, 2).copy() if data_format == "channels_first" else x


def _random_weights(layer, scale=0.5):
    layer.set_weights([scale * _x(*np.shape(w), dtype=np.asarray(w).dtype)
                       for w in layer.get_weights()])
    return layer.get_weights()


def _as_list(result):
    return [np.asarray(to_numpy(t)) for t in (result if isinstance(result, (list, tuple))
                                               else [result])]


# -- Keras 3 parity ------------------------------------------------------------------------------
PARITY = [
    (1, {}),
    (1, {"padding": "same", "strides": 2, "data_format": "channels_first"}),
    (1, {"padding": "same", "dilation_rate": 2, "return_sequences": True, "go_backwards": True}),
    (2, {}),
    (2, {"padding": "same", "return_sequences": True, "return_state": True}),
    (2, {"strides": (2, 1), "data_format": "channels_first", "return_state": True}),
    (2, {"padding": "same", "dilation_rate": (1, 2), "go_backwards": True}),
    (2, {"padding": "same", "strides": 2, "data_format": "channels_first",
         "return_sequences": True, "go_backwards": True}),
    (2, {"activation": "relu", "recurrent_activation": "hard_sigmoid", "use_bias": False}),
    (3, {"padding": "same", "return_sequences": True}),
    (3, {"data_format": "channels_first", "strides": 2, "return_state": True}),
]


@pytest.mark.parametrize("rank, kwargs", PARITY, ids=[f"{r}D-{i}" for i, (r, _) in
                                                      enumerate(PARITY)])
@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "mask"])
def test_keras_parity_with_copied_weights(rank, kwargs, masked):
    keras = keras_or_skip()
    x = _sequences(rank, kwargs.get("data_format", "channels_last"))
    theirs = getattr(keras.layers, f"ConvLSTM{rank}D")(3, 3 if rank < 3 else 2, **kwargs)
    theirs(x)
    weights = _random_weights(theirs)
    ours = CLASSES[rank](3, 3 if rank < 3 else 2, **kwargs)
    ours(x)
    assert [w.shape for w in ours.get_weights()] == [np.shape(w) for w in weights]
    assert [w.name.split("/")[-1] for w in ours.weights] == ["kernel", "recurrent_kernel",
                                                             "bias"][:len(weights)]
    ours.set_weights(weights)
    call = {"mask": MASK} if masked else {}
    their_call = {"mask": keras.ops.convert_to_tensor(MASK)} if masked else {}
    expected = _as_list(theirs(x, **their_call))
    got = _as_list(ours(x, **call))
    assert [g.shape for g in got] == [e.shape for e in expected]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
    assert _shapes(ours.compute_output_shape(x.shape)) == [e.shape for e in expected]


def _shapes(shape):
    return [tuple(s) for s in shape] if isinstance(shape, list) else [tuple(shape)]


def test_keras_parity_with_initial_state():
    keras = keras_or_skip()
    x = _sequences(2, "channels_last")
    h0, c0 = _x(2, 5, 6, 2), _x(2, 5, 6, 2)
    theirs = keras.layers.ConvLSTM2D(2, 3, padding="same", return_state=True)
    theirs(x)
    ours = ConvLSTM2D(2, 3, padding="same", return_state=True)
    ours(x)
    ours.set_weights(_random_weights(theirs))
    expected = _as_list(theirs(x, initial_state=[h0, c0]))
    got = _as_list(ours(x, initial_state=[h0, c0]))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


def test_config_matches_keras():
    keras = keras_or_skip()
    kwargs = {"strides": 2, "padding": "same", "data_format": "channels_first",
              "dropout": 0.25, "seed": 3, "return_sequences": True}
    theirs = keras.layers.ConvLSTM2D(4, (3, 2), **kwargs).get_config()
    ours = ConvLSTM2D(4, (3, 2), **kwargs).get_config()
    assert set(ours) == set(theirs)
    for key in ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                "activation", "recurrent_activation", "unit_forget_bias", "dropout", "seed",
                "return_sequences", "stateful", "unroll", "zero_output_for_mask"):
        assert ours[key] == theirs[key], key
    revived = ConvLSTM2D.from_config({k: v for k, v in theirs.items() if not k.endswith(
        ("initializer", "dtype"))})
    assert revived.kernel_size == (3, 2) and revived.data_format == "channels_first"


# -- plain-loop reference ------------------------------------------------------------------------
def conv_lstm_step(kernel, recurrent_kernel, bias, strides, padding, dilation,
                   input_masks=None, recurrent_masks=None):
    """One ConvLSTM step on channels_last float64 arrays, straight from Keras's equations:
    per gate g, ``conv(x * m_g, W_g) + b_g + conv_same(h * r_g, U_g)``."""
    filters = recurrent_kernel.shape[-2]
    rank = kernel.ndim - 2

    def step(x, states):
        h_prev, c_prev = states
        z = []
        for g in range(4):
            block = slice(g * filters, (g + 1) * filters)
            x_g = x if input_masks is None else x * input_masks[g]
            h_g = h_prev if recurrent_masks is None else h_prev * recurrent_masks[g]
            z_g = reference_conv(x_g, kernel[..., block], strides, padding, dilation)
            z_g = z_g + reference_conv(h_g, recurrent_kernel[..., block], (1,) * rank, "same",
                                       (1,) * rank)
            z.append(z_g if bias is None else z_g + bias[block])
        i, f, o = sigmoid(z[0]), sigmoid(z[1]), sigmoid(z[3])
        c = f * c_prev + i * np.tanh(z[2])
        h = o * np.tanh(c)
        return h, [h, c]
    return step


def conv_lstm_reference(layer, x, weights, mask=None, initial=None, masks=(None, None)):
    """The layer's outputs ``[sequence, h, c]`` from the plain loops (float64)."""
    data_format = layer.data_format
    x = np.moveaxis(np.asarray(x, np.float64), 2, -1) if data_format == "channels_first" else \
        np.asarray(x, np.float64)
    kernel, recurrent_kernel = (np.asarray(w, np.float64) for w in weights[:2])
    bias = np.asarray(weights[2], np.float64) if len(weights) > 2 else None
    step = conv_lstm_step(kernel, recurrent_kernel, bias, layer.strides, layer.padding,
                          layer.dilation_rate, *masks)
    if initial is None:
        state_shape = reference_conv(x[:, 0], kernel[..., :layer.filters], layer.strides,
                                     layer.padding, layer.dilation_rate).shape
        initial = [np.zeros(state_shape), np.zeros(state_shape)]
    sequence, (h, c) = reference_rnn(step, x, initial, mask=mask,
                                     go_backwards=layer.go_backwards)
    sequence = np.stack([to_first(sequence[:, t], data_format)
                         for t in range(sequence.shape[1])], axis=1)
    return [sequence, to_first(h, data_format), to_first(c, data_format)]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kwargs", [
    {"padding": "valid"},
    {"padding": "same", "strides": (2, 1), "go_backwards": True},
    {"padding": "same", "dilation_rate": 2},
], ids=["valid", "same-strided-backwards", "same-dilated"])
@pytest.mark.parametrize("mask", [None, MASK], ids=["no-mask", "mask"])
def test_2d_matches_the_plain_loop_reference(data_format, kwargs, mask):
    x = _sequences(2, data_format)
    layer = ConvLSTM2D(2, (3, 2), data_format=data_format, return_sequences=True,
                       return_state=True, **kwargs)
    layer(x)
    weights = _random_weights(layer)
    got = _as_list(layer(x, mask=mask))
    expected = conv_lstm_reference(layer, x, weights, mask=mask)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


def test_1d_and_3d_match_the_plain_loop_reference():
    for rank, kwargs in ((1, {"padding": "same", "strides": 2}), (3, {"dilation_rate": 2})):
        x = _sequences(rank, "channels_last")
        layer = CLASSES[rank](2, 2, return_sequences=True, return_state=True, **kwargs)
        layer(x)
        weights = _random_weights(layer)
        for g, e in zip(_as_list(layer(x)), conv_lstm_reference(layer, x, weights)):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


def test_initial_state_and_fixed_dropout_masks_match_the_reference():
    # The cell's mask factory is replaced by fixed per-gate masks, so the reference can
    # apply the same ones: each gate sees its own mask, the same at every timestep.
    x = _sequences(2, "channels_last")
    layer = ConvLSTM2D(2, 3, padding="same", dropout=0.5, recurrent_dropout=0.5,
                       return_sequences=True, return_state=True)
    layer(x)
    weights = _random_weights(layer)
    input_masks = [2.0 * (_x(2, 5, 6, 3) > 0) for _ in range(4)]
    recurrent_masks = [2.0 * (_x(2, 5, 6, 2) > 0) for _ in range(4)]
    draws = []

    def fixed(step_input, rate):
        draws.append(step_input.shape[-1])
        masks = input_masks if step_input.shape[-1] == 3 else recurrent_masks
        return [ops.convert_to_tensor(m.astype("float32")) for m in masks]

    layer.cell._create_dropout_mask = fixed
    initial = [_x(2, 5, 6, 2), _x(2, 5, 6, 2)]
    got = _as_list(layer(x, initial_state=initial, mask=MASK, training=True))
    expected = conv_lstm_reference(layer, x, weights, mask=MASK, initial=initial,
                                   masks=(input_masks, recurrent_masks))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
    assert sorted(draws) == [2, 3]  # one draw per kind for the whole sequence
    inference = _as_list(layer(x, initial_state=initial))
    plain = conv_lstm_reference(layer, x, weights, initial=initial)
    np.testing.assert_allclose(inference[0], plain[0], rtol=1e-5, atol=1e-5)


def test_dropout_draws_new_masks_per_call_and_only_in_training():
    x = _sequences(1, "channels_last")
    layer = ConvLSTM1D(2, 3, dropout=0.5, recurrent_dropout=0.3, seed=4)
    plain = ConvLSTM1D(2, 3)
    plain(x)
    layer(x)
    plain.set_weights(_random_weights(layer))
    np.testing.assert_allclose(np.asarray(layer(x)), np.asarray(plain(x)), rtol=1e-6)
    first, second = np.asarray(layer(x, training=True)), np.asarray(layer(x, training=True))
    assert not np.allclose(first, np.asarray(plain(x)))
    assert not np.allclose(first, second)
    assert layer.cell._dropout_mask is None  # reset after each sequence


# -- gradients -----------------------------------------------------------------------------------
@pytest.mark.parametrize("rank, kwargs, mask", [
    (2, {"padding": "same", "return_sequences": True}, None),
    (2, {"strides": 2, "data_format": "channels_first", "go_backwards": True}, MASK[:, :3]),
    (1, {"dilation_rate": 2, "padding": "same", "return_sequences": True}, MASK[:, :3]),
    (3, {}, None),
], ids=["2D-same", "2D-strided-first-backwards-mask", "1D-dilated-mask", "3D"])
def test_gradients_wrt_input_and_weights(rank, kwargs, mask):
    spatial = {1: (5,), 2: (4, 3), 3: (3, 3, 2)}[rank]
    x = _x(2, 3, *spatial, 2, dtype="float64")
    if kwargs.get("data_format") == "channels_first":
        x = np.moveaxis(x, -1, 2).copy()
    layer = CLASSES[rank](2, 2, dtype="float64", **kwargs)
    layer(x)
    _random_weights(layer)
    check_layer_gradients(layer, x, {} if mask is None else {"mask": mask})


def test_gradients_wrt_initial_states():
    x = _x(2, 3, 4, 3, 2, dtype="float64")
    layer = ConvLSTM2D(2, 2, padding="same", dtype="float64", return_sequences=True,
                       return_state=True, go_backwards=True)
    layer(x)
    _random_weights(layer)
    initial = [_x(2, 4, 3, 2, dtype="float64"), _x(2, 4, 3, 2, dtype="float64")]
    check_gradients(lambda inputs, h0, c0: tuple(layer(inputs, initial_state=[h0, c0],
                                                       mask=MASK[:, :3])), [x, *initial])


# -- the layer contract --------------------------------------------------------------------------
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_run_layer_test(rank):
    spatial = {1: (5,), 2: (4, 3), 3: (3, 3, 2)}[rank]
    run_layer_test(CLASSES[rank], {"filters": 2, "kernel_size": 2, "padding": "same",
                                   "return_sequences": True},
                   input_shape=(2, 2, *spatial, 2),
                   expected_output_shape=(2, 2, *spatial, 2),
                   expected_num_trainable_weights=3, expected_num_non_trainable_weights=0,
                   supports_masking=True, run_gradient_check=rank == 1)


def test_config_round_trip_keeps_every_argument():
    layer = ConvLSTM3D(4, (3, 2, 1), strides=(1, 2, 1), padding="SAME",
                       data_format="channels_first", activation="relu",
                       recurrent_activation="hard_sigmoid", use_bias=False,
                       unit_forget_bias=False, kernel_regularizer="l2",
                       activity_regularizer="l1", recurrent_constraint="non_neg",
                       dropout=0.1, recurrent_dropout=0.2, seed=5, return_sequences=True,
                       return_state=True, go_backwards=True, stateful=True, name="clstm")
    config = layer.get_config()
    assert "rank" not in config and "units" not in config and config["padding"] == "same"
    clone = deserialize(serialize(layer))
    assert type(clone) is ConvLSTM3D and clone.get_config() == config
    assert clone.rank == 3 and clone.kernel_size == (3, 2, 1)
    base = ConvLSTM(rank=2, filters=2, kernel_size=3)
    assert ConvLSTM.from_config(base.get_config()).rank == 2


def test_default_weights_and_output_shapes():
    layer = ConvLSTM2D(3, 3, strides=2, return_state=True)
    output, h, c = layer(_x(2, 4, 9, 8, 2))
    assert output.shape == h.shape == c.shape == (2, 4, 3, 3)
    kernel, recurrent_kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 2, 12) and recurrent_kernel.shape == (3, 3, 3, 12)
    np.testing.assert_array_equal(bias, [0] * 3 + [1] * 3 + [0] * 6)  # unit_forget_bias
    symbolic = ConvLSTM2D(3, 3, data_format="channels_first", return_sequences=True)(
        Input(shape=(None, 2, 9, 8)))
    assert tuple(symbolic.shape) == (None, None, 3, 7, 6)
    assert layer.compute_mask(None, ops.ones((2, 4))) == [None, None, None]


def test_cell_on_its_own():
    cell = ConvLSTMCell(2, filters=2, kernel_size=3, padding="same")
    x = _x(2, 5, 6, 3)
    cell.build(x.shape)
    h0, c0 = cell.get_initial_state(2)
    assert h0.shape == (2, 5, 6, 2)
    h, (h_again, c) = cell(x, [h0, c0])
    step = conv_lstm_step(*(np.asarray(w, np.float64) for w in cell.get_weights()), (1, 1),
                          "same", (1, 1))
    expected_h, (_, expected_c) = step(x, [np.zeros((2, 5, 6, 2))] * 2)
    np.testing.assert_allclose(np.asarray(h), expected_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(c), expected_c, rtol=1e-5, atol=1e-6)
    assert ConvLSTMCell.from_config(cell.get_config()).get_config() == cell.get_config()


# -- statefulness --------------------------------------------------------------------------------
def test_stateful_carries_states_between_calls():
    x = _sequences(2, "channels_first", steps=6)
    layer = ConvLSTM2D(2, 3, padding="same", data_format="channels_first", stateful=True,
                       return_sequences=True)
    whole = ConvLSTM2D(2, 3, padding="same", data_format="channels_first",
                       return_sequences=True)
    layer(x[:, :3])
    whole(x)
    whole.set_weights(_random_weights(layer))
    layer.reset_states()
    expected = np.asarray(whole(x))
    first, second = np.asarray(layer(x[:, :3])), np.asarray(layer(x[:, 3:]))
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), expected,
                               rtol=1e-5, atol=1e-6)
    assert [s.shape for s in layer.states] == [(2, 2, 5, 6)] * 2
    layer.reset_states()
    np.testing.assert_allclose(np.asarray(layer(x[:, :3])), first, rtol=1e-6)
    h = _x(2, 2, 5, 6)
    layer.reset_states([h, np.zeros_like(h)])
    np.testing.assert_allclose(np.asarray(layer.states[0]), h)
    with pytest.raises(ValueError, match="batches of 2 rows"):
        layer(x[:1, :3])


# -- errors --------------------------------------------------------------------------------------
def test_errors_name_the_layer_and_the_argument():
    with pytest.raises(ValueError, match=r"ConvLSTM2D 'bad'.*rank 5.*Received an input of "
                                         r"shape \(2, 4, 5, 3\)"):
        ConvLSTM2D(2, 3, name="bad")(_x(2, 4, 5, 3))
    with pytest.raises(ValueError, match=r"ConvLSTM1D 'c1'.*rank 4"):
        ConvLSTM1D(2, 3, name="c1")(_x(2, 4, 5, 3, 3))
    with pytest.raises(ValueError, match=r"`padding` must be 'valid' or 'same'. "
                                         r"Received: padding='causal'"):
        ConvLSTM1D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="Received: padding='bogus'"):
        ConvLSTM2D(2, 3, padding="bogus")
    with pytest.raises(ValueError, match="`strides > 1` is not supported together"):
        ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"`filters` must be a positive integer. "
                                         r"Received: filters=0"):
        ConvLSTM3D(0, 3)
    with pytest.raises(ValueError, match="`kernel_size` must be an int or a tuple of 2 ints"):
        ConvLSTM2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="`rank` must be 1, 2 or 3. Received: rank=4"):
        ConvLSTM(4, 2, 3)


def test_call_errors():
    layer = ConvLSTM2D(2, 3, name="calls")
    x = _sequences(2, "channels_last")
    layer(x)
    with pytest.raises(ValueError, match="calls"):
        layer(_x(2, 4, 5, 6, 4))  # other channels
    with pytest.raises(ValueError, match="calls"):
        layer(_x(2, 4, 7, 6, 3))  # other spatial size
    with pytest.raises(ValueError, match=r"ConvLSTM2D 'calls'.*initial_state\[1\] must have "
                                         r"shape \(2, 3, 4, 2\)"):
        layer(x, initial_state=[_x(2, 3, 4, 2), _x(2, 3, 4, 3)])
    with pytest.raises(ValueError, match=r"expected 2 initial state tensors"):
        layer(x, initial_state=[_x(2, 3, 4, 2)])
    with pytest.raises(ValueError, match=r"ConvLSTM2D 'small'.*"):
        ConvLSTM2D(2, 5, name="small")(_x(2, 4, 3, 3, 1))  # kernel larger than the input
