"""SimpleRNN, LSTM and GRU against Keras 3 (a test-only peer): weight layout, outputs after
set_weights (with masks, initial states and the return/go_backwards flags), and configs."""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import layers
from gpulayers.layers import GRU, LSTM, SimpleRNN

CLASSES = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
KINDS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False})]
IDS = ["SimpleRNN", "LSTM", "GRU", "GRU-reset-before"]
MASK = np.array([[1, 0, 1, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
rng = np.random.default_rng(29)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


def _keras_numpy(tensor):
    return tensor.detach().cpu().numpy() if hasattr(tensor, "detach") else np.asarray(tensor)


def _both(kind, kwargs, x):
    """A Keras layer and ours with the same random weights (biases included)."""
    keras = keras_or_skip()
    theirs = getattr(keras.layers, kind)(**kwargs)
    theirs(x)
    theirs.set_weights([0.6 * _x(*w.shape) for w in theirs.get_weights()])
    ours = CLASSES[kind](**kwargs)
    ours(x)
    assert [w.shape for w in ours.get_weights()] == [
        tuple(w.shape) for w in theirs.get_weights()]
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    return theirs, ours


def _assert_same(theirs, ours):
    theirs = theirs if isinstance(theirs, (list, tuple)) else [theirs]
    ours = ours if isinstance(ours, list) else [ours]
    assert len(theirs) == len(ours)
    for a, b in zip(theirs, ours):
        np.testing.assert_allclose(np.asarray(b), _keras_numpy(a), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_keras_parity(kind, extra, return_sequences, go_backwards):
    keras = keras_or_skip()
    kwargs = {"units": 3, "return_sequences": return_sequences, "go_backwards": go_backwards,
              "bias_initializer": "random_normal", **extra}
    assert_keras_parity(CLASSES[kind], getattr(keras.layers, kind), kwargs, _x(2, 5, 4))


@pytest.mark.parametrize("kind, extra", KINDS, ids=IDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_keras_parity_with_mask_states_and_initial_state(kind, extra, go_backwards):
    x = _x(*MASK.shape, 4)
    kwargs = {"units": 3, "return_sequences": True, "return_state": True,
              "go_backwards": go_backwards, **extra}
    theirs, ours = _both(kind, kwargs, x)
    _assert_same(theirs(x, mask=MASK), ours(x, mask=MASK))
    count = 2 if kind == "LSTM" else 1
    initial = [_x(3, 3) for _ in range(count)]
    _assert_same(theirs(x, initial_state=initial), ours(x, initial_state=initial))


@pytest.mark.parametrize("kind, extra", [
    ("LSTM", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("GRU", {"activation": "softsign", "recurrent_activation": "hard_sigmoid"}),
    ("SimpleRNN", {"activation": "elu", "use_bias": False}),
    ("LSTM", {"unit_forget_bias": False, "use_bias": False}),
], ids=["lstm-relu-hard", "gru-softsign-hard", "simple-elu-nobias", "lstm-nobias"])
def test_keras_parity_with_other_activations(kind, extra):
    x = 2.0 * _x(2, 4, 3)
    theirs, ours = _both(kind, {"units": 2, "return_sequences": True, **extra}, x)
    _assert_same(theirs(x), ours(x))


def test_keras_parity_of_the_masking_pipeline():
    keras = keras_or_skip()
    x = _x(*MASK.shape, 3)
    x[~MASK] = 0.0
    theirs, ours = _both("LSTM", {"units": 2, "return_sequences": True}, x)
    _assert_same(theirs(keras.layers.Masking()(x)), ours(layers.Masking()(x)))


def test_keras_default_initial_weights_have_our_layout():
    keras = keras_or_skip()
    theirs = keras.layers.LSTM(3)
    theirs(_x(1, 2, 4))
    ours = LSTM(3)
    ours(_x(1, 2, 4))
    # The same unit_forget_bias layout: ones in the forget block only.
    np.testing.assert_array_equal(ours.get_weights()[2], np.asarray(theirs.get_weights()[2]))


# -- configs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, kwargs", [
    ("SimpleRNN", {"units": 3, "activation": "relu", "dropout": 0.2, "go_backwards": True,
                   "kernel_regularizer": "l2"}),
    ("LSTM", {"units": 4, "recurrent_activation": "hard_sigmoid", "unit_forget_bias": False,
              "return_sequences": True, "return_state": True, "recurrent_dropout": 0.1,
              "bias_constraint": "non_neg", "seed": 3}),
    ("GRU", {"units": 2, "reset_after": False, "stateful": True, "use_bias": False,
             "recurrent_initializer": "glorot_uniform"}),
    ("GRU", {"units": 2, "unroll": True, "zero_output_for_mask": True}),
])
def test_keras_config_loads_with_our_from_config(kind, kwargs):
    keras = keras_or_skip()
    config = getattr(keras.layers, kind)(**kwargs).get_config()
    ours = CLASSES[kind].from_config(config)
    our_config = ours.get_config()
    for key, value in kwargs.items():
        if key.endswith(("_regularizer", "_constraint", "_initializer")):
            assert our_config[key]["class_name"] == config[key]["class_name"], key
        else:
            assert our_config[key] == value == config[key], key
    for key in ("activation", "use_bias", "dropout", "recurrent_dropout", "return_sequences",
                "return_state", "go_backwards", "stateful", "unroll"):
        assert our_config[key] == config[key], key
    x = _x(2, 3, 4)
    theirs = getattr(keras.layers, kind).from_config(config)
    theirs(x)
    ours(x)
    assert [w.shape for w in ours.get_weights()] == [
        tuple(w.shape) for w in theirs.get_weights()]


@pytest.mark.parametrize("kind", CLASSES)
def test_our_config_has_the_keras_keys(kind):
    keras = keras_or_skip()
    theirs = getattr(keras.layers, kind)(2).get_config()
    ours = CLASSES[kind](2).get_config()
    # use_cudnn: Keras's cuDNN switch, meaningless here (accepted and ignored).
    # activity_regularizer: our base Layer writes it only when one is set.
    missing = set(theirs) - set(ours) - {"use_cudnn", "activity_regularizer"}
    assert not missing, missing
