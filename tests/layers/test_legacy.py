"""Keras 1/2 spellings: Convolution1D/2D/3D, pooling keywords, translate_legacy_kwargs."""

import inspect

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import backend, constraints, layers, regularizers
from gpulayers.layers import (
    GRU,
    LSTM,
    AveragePooling3D,
    Conv1D,
    Conv2D,
    Conv3D,
    Convolution1D,
    Convolution2D,
    Convolution3D,
    GlobalAveragePooling2D,
    Input,
    MaxPooling1D,
    MaxPooling2D,
    SimpleRNN,
)
from gpulayers.layers.legacy import (
    DENSE_ARGUMENTS,
    LEGACY_KEYWORD_LAYERS,
    POOLING_ARGUMENTS,
    RECURRENT_ARGUMENTS,
    translate_legacy_kwargs,
)
from gpulayers.testing import run_layer_test

rng = np.random.default_rng(3)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


def _same_config(legacy, modern):
    def strip(config):
        return {k: v for k, v in config.items() if k != "name"}

    assert strip(legacy.get_config()) == strip(modern.get_config())


# -- the example --------------------------------------------------------------------
def test_convolution2d_keras1_example_under_channels_first():
    backend.set_image_data_format("channels_first")
    inputs = Input(shape=(3, 32, 32))
    layer = Convolution2D(64, 3, 3, border_mode="same", input_shape=(3, 32, 32))
    outputs = layer(inputs)
    assert outputs.shape == (None, 64, 32, 32)
    assert layer.output_shape == (None, 64, 32, 32)
    assert layer.kernel_size == (3, 3) and layer.strides == (1, 1)
    assert layer.data_format == "channels_first"
    assert layer.get_weights()[0].shape == (3, 3, 3, 64)
    assert layer(_x(2, 3, 32, 32)).shape == (2, 64, 32, 32)


def test_convolution2d_then_flatten_under_channels_first():
    backend.set_image_data_format("channels_first")
    inputs = Input(shape=(3, 32, 32))
    outputs = layers.Flatten()(Convolution2D(64, 3, 3, border_mode="same")(inputs))
    assert outputs.shape == (None, 65536)


# -- Convolution2D --------------------------------------------------------------------------
def test_convolution2d_keras1_keywords():
    legacy = Convolution2D(8, 3, 2, border_mode="same", subsample=(2, 1), dim_ordering="th",
                           init="he_normal", activation="relu", W_regularizer="l2",
                           b_regularizer=regularizers.L1(0.1),
                           activity_regularizer="l1", W_constraint="non_neg",
                           b_constraint=constraints.MaxNorm(2.0), bias=True)
    modern = Conv2D(8, (3, 2), strides=(2, 1), padding="same", data_format="channels_first",
                    kernel_initializer="he_normal", activation="relu",
                    kernel_regularizer="l2", bias_regularizer=regularizers.L1(0.1),
                    activity_regularizer="l1", kernel_constraint="non_neg",
                    bias_constraint=constraints.MaxNorm(2.0), use_bias=True)
    _same_config(legacy, modern)
    assert isinstance(legacy, Conv2D)


@pytest.mark.parametrize("legacy, modern", [
    (lambda: Convolution2D(nb_filter=4, nb_row=3, nb_col=1, dim_ordering="tf"),
     lambda: Conv2D(4, (3, 1), data_format="channels_last")),
    (lambda: Convolution2D(4, 3, 3, "he_uniform", "tanh", None, "same", (2, 2)),
     lambda: Conv2D(4, 3, kernel_initializer="he_uniform", activation="tanh",
                    padding="same", strides=2)),
    (lambda: Convolution2D(4, 3, 3, bias=False, atrous_rate=(2, 2)),
     lambda: Conv2D(4, 3, use_bias=False, dilation_rate=2)),
    (lambda: Convolution2D(64, (3, 3), padding="same"), lambda: Conv2D(64, 3, padding="same")),
    (lambda: Convolution2D(64, 3, strides=2), lambda: Conv2D(64, 3, strides=2)),
    (lambda: Convolution2D(output_dim=4, kernel_size=2), lambda: Conv2D(4, 2)),
    (lambda: Convolution2D(4, 3, 3, strides=2), lambda: Conv2D(4, 3, strides=2)),
])
def test_convolution2d_spellings(legacy, modern):
    _same_config(legacy(), modern())


def test_dim_ordering_default_follows_backend_config():
    backend.set_image_data_format("channels_first")
    assert Convolution2D(4, 3, 3, dim_ordering="default").data_format == "channels_first"
    assert Convolution2D(4, 3, 3, dim_ordering="tf").data_format == "channels_last"


def test_legacy_layer_computes_what_the_modern_one_does():
    legacy = Convolution2D(3, 2, 2, border_mode="same", dim_ordering="th", subsample=(2, 2))
    modern = Conv2D(3, 2, padding="same", data_format="channels_first", strides=2)
    x = _x(2, 2, 5, 5)
    legacy(x)
    modern(x)
    modern.set_weights(legacy.get_weights())
    np.testing.assert_allclose(np.asarray(legacy(x)), np.asarray(modern(x)), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"nb_filter": 2, "nb_row": 3, "nb_col": 3, "border_mode": "same", "subsample": (2, 2)},
    {"filters": 2, "kernel_size": 2, "dim_ordering": "th", "init": "lecun_normal"},
])
def test_run_layer_test_on_convolution2d(kwargs):
    run_layer_test(Convolution2D, kwargs, input_shape=(1, 3, 4, 4),
                   expected_num_trainable_weights=2)


def test_convolution2d_keras_parity():
    keras = keras_or_skip()
    modern = {"filters": 4, "kernel_size": (3, 2), "padding": "same", "strides": 2,
              "data_format": "channels_first"}

    def legacy(**_):
        return Convolution2D(4, 3, 2, border_mode="same", subsample=(2, 2), dim_ordering="th")

    assert_keras_parity(legacy, keras.layers.Conv2D, modern, _x(2, 3, 7, 6), rtol=1e-4,
                        atol=1e-5)


# -- Convolution1D / Convolution3D ------------------------------------------------------------
def test_convolution1d_spellings():
    legacy = Convolution1D(nb_filter=4, filter_length=3, border_mode="causal",
                           subsample_length=1, init="glorot_normal", W_regularizer="l1",
                           activation="relu", input_dim=2, input_length=6)
    modern = Conv1D(4, 3, padding="causal", strides=1, kernel_initializer="glorot_normal",
                    kernel_regularizer="l1", activation="relu", input_shape=(6, 2))
    _same_config(legacy, modern)
    assert legacy.get_config()["batch_input_shape"] == (None, 6, 2)
    assert Convolution1D(4, 3, input_dim=2).get_config()["batch_input_shape"] == (None, None, 2)
    _same_config(Convolution1D(4, 3, 2, "same"), Conv1D(4, 3, 2, "same"))
    assert Convolution1D(4, 3, padding="causal")(_x(1, 5, 2)).shape == (1, 5, 4)


def test_convolution3d_spellings():
    legacy = Convolution3D(4, 3, 2, 1, border_mode="same", dim_ordering="tf",
                           subsample=(1, 2, 1), init="zeros")
    modern = Conv3D(4, (3, 2, 1), padding="same", data_format="channels_last",
                    strides=(1, 2, 1), kernel_initializer="zeros")
    _same_config(legacy, modern)
    _same_config(Convolution3D(nb_filter=2, kernel_dim1=1, kernel_dim2=2, kernel_dim3=3),
                 Conv3D(2, (1, 2, 3)))
    _same_config(Convolution3D(2, 3, 3), Conv3D(2, 3, 3))  # three ints: Keras 3's reading
    backend.set_image_data_format("channels_first")
    y = Convolution3D(2, 3, 3, 3, border_mode="same")(Input(shape=(1, 4, 4, 4)))
    assert y.shape == (None, 2, 4, 4, 4)


def test_legacy_classes_live_in_the_convolutional_module():
    from gpulayers.layers import convolutional

    assert convolutional.Convolution2D is Convolution2D
    assert {"Convolution1D", "Convolution2D", "Convolution3D"} <= set(convolutional.__all__)


# -- refusals -------------------------------------------------------------------------------
@pytest.mark.parametrize("make, error, match", [
    (lambda: Convolution2D(64, 3, 3, padding="same"), ValueError, "ambiguous"),
    (lambda: Convolution2D(64, 3, 3, kernel_size=3), ValueError, "ambiguous"),
    (lambda: Convolution2D(8, (3, 3), border_mode="same", padding="same"), ValueError,
     "border_mode.*padding|padding.*border_mode"),
    (lambda: Convolution2D(8, 3, nb_filter=8), ValueError, "nb_filter"),
    (lambda: Convolution2D(8, nb_row=3), ValueError, "nb_col"),
    (lambda: Convolution2D(8, 3, 3, dim_ordering="nhwc"), ValueError, "dim_ordering"),
    (lambda: Convolution2D(8, 3, 3, border_mode="full"), ValueError, "full"),
    (lambda: Convolution2D(8, 3, 3, border_mode="bogus"), ValueError, "bogus"),
    (lambda: Convolution2D(8, 3, 3, "uniform", init="normal"), TypeError, "init"),
    (lambda: Convolution2D(8, 3, 3, *range(13)), TypeError, "positional"),
    (lambda: Convolution1D(4, 3, input_dim=2, input_shape=(5, 2)), ValueError, "input_dim"),
])
def test_ambiguous_or_wrong_mixes_are_refused(make, error, match):
    with pytest.raises(error, match=match):
        make()


# -- pooling keywords and the generic translation --------------------------------------------
def test_pooling_layers_take_keras1_keywords():
    _same_config(MaxPooling1D(pool_length=3, stride=1, border_mode="same"),
                 MaxPooling1D(pool_size=3, strides=1, padding="same"))
    _same_config(MaxPooling2D((2, 2), border_mode="valid", dim_ordering="th"),
                 MaxPooling2D((2, 2), padding="valid", data_format="channels_first"))
    _same_config(AveragePooling3D(2, dim_ordering="tf"),
                 AveragePooling3D(2, data_format="channels_last"))
    _same_config(GlobalAveragePooling2D(dim_ordering="th"),
                 GlobalAveragePooling2D(data_format="channels_first"))
    with pytest.raises(ValueError, match="pool_length.*pool_size|pool_size.*pool_length"):
        MaxPooling1D(pool_size=2, pool_length=2)
    backend.set_image_data_format("channels_first")
    y = MaxPooling2D(dim_ordering="tf")(Input(shape=(4, 4, 3)))
    assert y.shape == (None, 2, 2, 3)
    for cls, mapping in LEGACY_KEYWORD_LAYERS:
        if mapping is POOLING_ARGUMENTS:
            assert "pool_size" in inspect.signature(cls).parameters or "data_format" in (
                inspect.signature(cls).parameters), cls


def test_translate_legacy_kwargs_for_dense_and_recurrent_tables():
    assert translate_legacy_kwargs(
        "Dense", {"output_dim": 10, "init": "uniform", "W_regularizer": "l2", "bias": False,
                  "activation": "relu"}, DENSE_ARGUMENTS) == {
        "units": 10, "kernel_initializer": "uniform", "kernel_regularizer": "l2",
        "use_bias": False, "activation": "relu"}
    assert translate_legacy_kwargs(
        "LSTM", {"output_dim": 8, "inner_init": "orthogonal", "inner_activation": "sigmoid",
                 "forget_bias_init": "one", "U_regularizer": "l1", "dropout_W": 0.1,
                 "dropout_U": 0.2}, RECURRENT_ARGUMENTS) == {
        "units": 8, "recurrent_initializer": "orthogonal", "recurrent_activation": "sigmoid",
        "unit_forget_bias": True, "recurrent_regularizer": "l1", "dropout": 0.1,
        "recurrent_dropout": 0.2}
    with pytest.raises(ValueError, match="Dense: `units` and `output_dim`"):
        translate_legacy_kwargs("Dense", {"units": 3, "output_dim": 3}, DENSE_ARGUMENTS)
    with pytest.raises(ValueError, match="LSTM.*forget_bias_init"):
        translate_legacy_kwargs("LSTM", {"forget_bias_init": "uniform"}, RECURRENT_ARGUMENTS)


def test_dense_takes_keras1_keywords():
    dense = layers.Dense
    _same_config(dense(output_dim=3, init="he_normal", W_regularizer="l2", bias=False),
                 dense(3, kernel_initializer="he_normal", kernel_regularizer="l2",
                       use_bias=False))


# -- recurrent layers: Keras 1 keywords --------------------------------------------------------
def test_lstm_keras1_keywords_build_the_modern_layer():
    legacy = LSTM(4, init="glorot_uniform", inner_init="orthogonal", forget_bias_init="one",
                  activation="tanh", inner_activation="hard_sigmoid",
                  W_regularizer=regularizers.L2(0.1), U_regularizer="l1",
                  b_regularizer="l2", dropout_W=0.25, dropout_U=0.5)
    modern = LSTM(4, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                  unit_forget_bias=True, activation="tanh",
                  recurrent_activation="hard_sigmoid",
                  kernel_regularizer=regularizers.L2(0.1), recurrent_regularizer="l1",
                  bias_regularizer="l2", dropout=0.25, recurrent_dropout=0.5)
    _same_config(legacy, modern)
    assert LSTM(output_dim=3, forget_bias_init="zero").unit_forget_bias is False


@pytest.mark.parametrize("cls", [GRU, SimpleRNN])
def test_gru_and_simple_rnn_keras1_keywords(cls):
    recurrent = {"inner_activation": "hard_sigmoid"} if cls is GRU else {}
    modern_recurrent = {"recurrent_activation": "hard_sigmoid"} if cls is GRU else {}
    legacy = cls(output_dim=3, init="he_normal", inner_init="glorot_normal",
                 activation="relu", W_regularizer="l2", U_regularizer="l1",
                 b_regularizer="l1", W_constraint="non_neg", U_constraint="unit_norm",
                 b_constraint="non_neg", dropout_W=0.1, dropout_U=0.3, bias=True, **recurrent)
    modern = cls(3, kernel_initializer="he_normal", recurrent_initializer="glorot_normal",
                 activation="relu", kernel_regularizer="l2", recurrent_regularizer="l1",
                 bias_regularizer="l1", kernel_constraint="non_neg",
                 recurrent_constraint="unit_norm", bias_constraint="non_neg", dropout=0.1,
                 recurrent_dropout=0.3, use_bias=True, **modern_recurrent)
    _same_config(legacy, modern)


@pytest.mark.parametrize("legacy, modern", [
    (lambda: LSTM(3, inner_activation="hard_sigmoid", forget_bias_init="one"),
     lambda: LSTM(3, recurrent_activation="hard_sigmoid", unit_forget_bias=True)),
    (lambda: GRU(output_dim=2, inner_activation="sigmoid", go_backwards=True),
     lambda: GRU(2, recurrent_activation="sigmoid", go_backwards=True)),
    (lambda: SimpleRNN(output_dim=2, activation="softsign", return_sequences=True),
     lambda: SimpleRNN(2, activation="softsign", return_sequences=True)),
])
def test_legacy_recurrent_layer_computes_what_the_modern_one_does(legacy, modern):
    x = _x(2, 4, 3)
    legacy, modern = legacy(), modern()
    legacy(x)
    modern(x)
    modern.set_weights(legacy.get_weights())
    np.testing.assert_array_equal(np.asarray(legacy(x)), np.asarray(modern(x)))


@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_recurrent_input_dim_and_input_length(cls):
    layer = cls(2, input_dim=3, input_length=5)
    assert layer.get_config()["batch_input_shape"] == (None, 5, 3)
    assert cls(2, input_dim=3).get_config()["batch_input_shape"] == (None, None, 3)
    _same_config(cls(2, input_dim=3, input_length=5), cls(2, input_shape=(5, 3)))
    assert layer(_x(2, 5, 3)).shape == (2, 2)


@pytest.mark.parametrize("make, match", [
    (lambda: LSTM(units=2, output_dim=2), "LSTM: `units` and `output_dim`"),
    (lambda: LSTM(2, init="zeros", kernel_initializer="ones"), "init.*kernel_initializer"),
    (lambda: GRU(2, inner_activation="sigmoid", recurrent_activation="sigmoid"),
     "GRU.*inner_activation.*recurrent_activation"),
    (lambda: GRU(2, dropout_U=0.1, recurrent_dropout=0.1), "dropout_U.*recurrent_dropout"),
    (lambda: SimpleRNN(2, W_regularizer="l2", kernel_regularizer="l2"),
     "SimpleRNN.*W_regularizer"),
    (lambda: LSTM(2, forget_bias_init="one", unit_forget_bias=True), "forget_bias_init"),
    (lambda: LSTM(2, forget_bias_init="uniform"), "forget_bias_init"),
    (lambda: LSTM(2, input_dim=3, input_shape=(5, 3)), "LSTM.*input_dim"),
    (lambda: SimpleRNN(2, input_length=4, batch_input_shape=(2, 4, 3)), "SimpleRNN.*input_dim"),
])
def test_recurrent_old_and_new_spellings_together_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()
