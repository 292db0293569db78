"""Conv1D/2D/3D: the standard layer checks, a plain-loop reference, Keras 3 parity, errors."""

import itertools

import numpy as np
import pytest
from conv_reference import reference_conv, relu, to_first, to_last
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import GradientTape, backend, constraints, ops, regularizers
from gpulayers.layers import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    Convolution1DTranspose,
    Convolution2DTranspose,
    Convolution3DTranspose,
    Input,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)
from gpulayers.layers.convolutional.base_conv import BaseConv
from gpulayers.testing import run_layer_test

CLASSES = {1: Conv1D, 2: Conv2D, 3: Conv3D}
rng = np.random.default_rng(0)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


# -- the standard checks ---------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, expected", [
    ({"filters": 3, "kernel_size": 3}, (2, 7, 2), (2, 5, 3)),
    ({"filters": 2, "kernel_size": 2, "padding": "causal", "dilation_rate": 2}, (2, 6, 2),
     (2, 6, 2)),
    ({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "groups": 2,
      "activation": "tanh"}, (1, 7, 4), (1, 4, 4)),
    ({"filters": 2, "kernel_size": 3, "data_format": "channels_first", "use_bias": False},
     (2, 3, 6), (2, 2, 4)),
])
def test_conv1d_layer(kwargs, input_shape, expected):
    run_layer_test(Conv1D, kwargs, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1,
                   expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("kwargs, input_shape, expected", [
    ({"filters": 2, "kernel_size": 3}, (2, 5, 5, 2), (2, 3, 3, 2)),
    ({"filters": 2, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same",
      "activation": "relu"}, (1, 5, 4, 2), (1, 3, 4, 2)),
    ({"filters": 2, "kernel_size": 2, "dilation_rate": (2, 1), "padding": "same"},
     (1, 5, 4, 1), (1, 5, 4, 2)),
    ({"filters": 4, "kernel_size": 2, "groups": 2, "data_format": "channels_first"},
     (1, 4, 4, 3), (1, 4, 3, 2)),
])
def test_conv2d_layer(kwargs, input_shape, expected):
    run_layer_test(Conv2D, kwargs, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("kwargs, input_shape, expected", [
    ({"filters": 2, "kernel_size": 2}, (1, 3, 4, 3, 2), (1, 2, 3, 2, 2)),
    ({"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same",
      "data_format": "channels_first", "activation": "sigmoid"}, (1, 2, 3, 4, 3),
     (1, 2, 2, 2, 2)),
])
def test_conv3d_layer(kwargs, input_shape, expected):
    run_layer_test(Conv3D, kwargs, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0)


# -- against the plain-loop reference ----------------------------------------------------------
def _geometries(rank):
    paddings = ["valid", "same"] + (["causal"] if rank == 1 else [])
    for padding, (strides, dilation), data_format in itertools.product(
            paddings, [(1, 1), (2, 1), (1, 2)], ["channels_last", "channels_first"]):
        yield rank, padding, strides, dilation, data_format


@pytest.mark.parametrize("rank, padding, strides, dilation, data_format",
                         [g for rank in (1, 2, 3) for g in _geometries(rank)])
def test_conv_matches_loop_reference(rank, padding, strides, dilation, data_format):
    spatial = {1: (9,), 2: (6, 5), 3: (5, 6, 5)}[rank]
    groups = 2 if rank < 3 else 1
    x_last = _x(2, *spatial, 4)
    layer = CLASSES[rank](filters=6, kernel_size=3, strides=strides, padding=padding,
                          dilation_rate=dilation, data_format=data_format, groups=groups,
                          activation="relu", bias_initializer="random_normal")
    got = np.asarray(layer(to_first(x_last, data_format)))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (*(3,) * rank, 4 // groups, 6)
    expected = relu(reference_conv(x_last, kernel, (strides,) * rank, padding,
                                   (dilation,) * rank, groups) + bias)
    np.testing.assert_allclose(to_last(got, data_format), expected, rtol=1e-4, atol=1e-5)


def test_conv_output_shape_with_unknown_dims():
    layer = Conv2D(5, 3, strides=2, padding="same")
    assert layer.compute_output_shape((None, None, 9, 3)) == (None, None, 5, 5)
    layer = Conv1D(4, 3, padding="causal", dilation_rate=2, data_format="channels_first")
    assert layer.compute_output_shape((None, 3, None)) == (None, 4, None)
    assert Conv3D(2, 3).compute_output_shape((4, 5, 6, 7, 1)) == (4, 3, 4, 5, 2)
    y = Conv2D(8, 3)(Input(shape=(None, None, 3)))
    assert y.shape == (None, None, None, 8)


def test_default_data_format_follows_backend_config():
    backend.set_image_data_format("channels_first")
    layer = Conv2D(4, 3)
    assert layer.data_format == "channels_first"
    assert layer(_x(1, 2, 5, 5)).shape == (1, 4, 3, 3)


def test_regularizers_constraints_and_activity_loss():
    layer = Conv2D(2, 2, kernel_regularizer=regularizers.L2(0.1), bias_regularizer="l1",
                   activity_regularizer=regularizers.L1(0.01),
                   kernel_constraint=constraints.NonNeg(), bias_initializer="ones")
    x = _x(2, 3, 3, 1)
    y = layer(x)
    kernel, bias = layer.get_weights()
    losses = [float(np.asarray(loss)) for loss in layer.losses]
    expected = [0.01 * np.abs(np.asarray(y)).sum() / 2, 0.1 * (kernel ** 2).sum(),
                0.01 * np.abs(bias).sum()]
    np.testing.assert_allclose(sorted(losses), sorted(expected), rtol=1e-5)
    assert layer.kernel.constraint is layer.kernel_constraint
    config = layer.get_config()
    assert config["kernel_regularizer"]["class_name"] == "L2"
    assert config["kernel_constraint"]["class_name"] == "NonNeg"


def test_weights_train_through_the_tape():
    layer = Conv1D(2, 2, activation="relu")
    x = _x(3, 5, 2)
    with GradientTape() as tape:
        loss = ops.sum(ops.square(layer(x)))
    grads = tape.gradient(loss, layer.trainable_weights)
    assert [g.shape for g in grads] == [(2, 2, 2), (2,)]


def test_keras_aliases():
    assert Convolution1DTranspose is Conv1DTranspose
    assert Convolution2DTranspose is Conv2DTranspose
    assert Convolution3DTranspose is Conv3DTranspose
    assert SeparableConvolution1D is SeparableConv1D
    assert SeparableConvolution2D is SeparableConv2D
    assert all(issubclass(cls, BaseConv) for cls in CLASSES.values())


# -- Keras 3 parity ---------------------------------------------------------------------------
PARITY_CASES = [
    (1, {"filters": 3, "kernel_size": 3}),
    (1, {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}),
    (1, {"filters": 4, "kernel_size": 2, "strides": 2, "padding": "same", "groups": 2}),
    (1, {"filters": 3, "kernel_size": 3, "data_format": "channels_first"}),
    (2, {"filters": 3, "kernel_size": 3, "activation": "relu"}),
    (2, {"filters": 3, "kernel_size": (3, 2), "strides": 2, "padding": "same"}),
    (2, {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "padding": "same", "groups": 4}),
    (2, {"filters": 4, "kernel_size": 3, "groups": 2, "data_format": "channels_first"}),
    (2, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
         "data_format": "channels_first", "use_bias": False}),
    (3, {"filters": 2, "kernel_size": 2, "strides": (1, 2, 2), "padding": "same"}),
    (3, {"filters": 2, "kernel_size": 3, "data_format": "channels_first"}),
]


@pytest.mark.parametrize("rank, kwargs", PARITY_CASES)
def test_keras_parity(rank, kwargs):
    keras = keras_or_skip()
    spatial = {1: (9,), 2: (7, 6), 3: (5, 6, 4)}[rank]
    x = _x(2, *spatial, 4)
    if kwargs.get("data_format") == "channels_first":
        x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    theirs = getattr(keras.layers, f"Conv{rank}D")
    assert_keras_parity(CLASSES[rank], theirs, kwargs, x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_config_has_keras_keys(rank):
    keras = keras_or_skip()
    kwargs = {"filters": 2, "kernel_size": 3}
    theirs = getattr(keras.layers, f"Conv{rank}D")(**kwargs).get_config()
    ours = CLASSES[rank](**kwargs).get_config()
    assert set(ours) == set(theirs)
    for key in ("filters", "kernel_size", "strides", "padding", "data_format",
                "dilation_rate", "groups", "activation", "use_bias"):
        assert ours[key] == theirs[key], key


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, match", [
    (Conv2D, {"filters": 2, "kernel_size": 3, "padding": "bogus"}, "padding.*bogus"),
    (Conv2D, {"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding.*causal"),
    (Conv3D, {"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding.*causal"),
    (Conv2D, {"filters": 3, "kernel_size": 3, "groups": 2}, "filters=3, groups=2"),
    (Conv2D, {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
     "strides.*dilation_rate"),
    (Conv1D, {"filters": 0, "kernel_size": 3}, "filters=0"),
    (Conv1D, {"filters": 2, "kernel_size": 0}, "kernel_size=0"),
    (Conv2D, {"filters": 2, "kernel_size": (3, 3, 3)}, "kernel_size"),
    (Conv2D, {"filters": 2, "kernel_size": 3, "groups": 0}, "groups=0"),
    (Conv2D, {"filters": 2, "kernel_size": 3, "data_format": "NHWC"}, "data_format"),
    (Conv2D, {"filters": 2, "kernel_size": 3, "activation": "bogus"}, "activation"),
    (Conv2D, {"filters": 2, "kernel_size": 3, "kernel_initializer": "bogus"},
     "kernel_initializer"),
])
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        cls(**kwargs)
    assert cls.__name__ in str(info.value)


def test_bad_inputs_name_the_layer_and_the_shapes():
    layer = Conv2D(2, 3, name="my_conv")
    with pytest.raises(ValueError, match=r"my_conv.*ndim=4.*ndim=3"):
        layer(_x(5, 5, 3))
    layer(_x(1, 5, 5, 3))
    with pytest.raises(ValueError, match=r"my_conv.*axis -1.*value 3.*\(1, 5, 5, 2\)"):
        layer(_x(1, 5, 5, 2))
    with pytest.raises(ValueError, match=r"Conv2D 'conv_small'.*too small"):
        Conv2D(2, 3, name="conv_small")(_x(1, 2, 5, 3))
    with pytest.raises(ValueError, match=r"Conv1D 'conv_groups'.*groups=2.*3 channels"):
        Conv1D(4, 3, groups=2, name="conv_groups")(_x(1, 5, 3))
    with pytest.raises(ValueError, match=r"my_cf.*axis 1.*value 3"):
        cf = Conv2D(2, 3, data_format="channels_first", name="my_cf")
        cf(_x(1, 3, 5, 5))
        cf(_x(1, 4, 5, 5))
