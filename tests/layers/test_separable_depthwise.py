"""DepthwiseConv1D/2D and SeparableConv1D/2D: layer checks, loop references, Keras 3 parity."""

import itertools

import numpy as np
import pytest
from conv_reference import reference_conv, reference_depthwise, relu, to_first, to_last
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import regularizers
from gpulayers.layers import (
    DepthwiseConv1D,
    DepthwiseConv2D,
    Input,
    SeparableConv1D,
    SeparableConv2D,
)
from gpulayers.testing import run_layer_test

DEPTHWISE = {1: DepthwiseConv1D, 2: DepthwiseConv2D}
SEPARABLE = {1: SeparableConv1D, 2: SeparableConv2D}
rng = np.random.default_rng(2)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


@pytest.mark.parametrize("cls, kwargs, input_shape, expected, weights", [
    (DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, (2, 6, 2), (2, 4, 4), 2),
    (DepthwiseConv1D, {"kernel_size": 2, "strides": 2, "padding": "same", "use_bias": False,
                       "data_format": "channels_first"}, (1, 3, 5), (1, 3, 3), 1),
    (DepthwiseConv2D, {"kernel_size": 3, "padding": "same", "dilation_rate": 2,
                       "activation": "tanh"}, (1, 4, 5, 2), (1, 4, 5, 2), 2),
    (DepthwiseConv2D, {"kernel_size": (2, 3), "depth_multiplier": 3,
                       "data_format": "channels_first"}, (1, 2, 4, 4), (1, 6, 3, 2), 2),
    (SeparableConv1D, {"filters": 3, "kernel_size": 3, "depth_multiplier": 2}, (2, 6, 2),
     (2, 4, 3), 3),
    (SeparableConv1D, {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same",
                       "data_format": "channels_first", "use_bias": False}, (1, 3, 5),
     (1, 2, 3), 2),
    (SeparableConv2D, {"filters": 3, "kernel_size": 3, "padding": "same",
                       "activation": "relu"}, (1, 4, 4, 2), (1, 4, 4, 3), 3),
    (SeparableConv2D, {"filters": 2, "kernel_size": 2, "dilation_rate": (1, 2),
                       "depth_multiplier": 2, "data_format": "channels_first"},
     (1, 2, 4, 5), (1, 2, 3, 3), 3),
])
def test_layer(cls, kwargs, input_shape, expected, weights):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=weights,
                   expected_num_non_trainable_weights=0)


def _geometries():
    return list(itertools.product((1, 2), ("valid", "same"), [(1, 1), (2, 1), (1, 2)],
                                  ("channels_last", "channels_first")))


@pytest.mark.parametrize("rank, padding, geometry, data_format", _geometries())
def test_depthwise_matches_loop_reference(rank, padding, geometry, data_format):
    strides, dilation = geometry
    x_last = _x(2, *{1: (8,), 2: (6, 5)}[rank], 3)
    layer = DEPTHWISE[rank](kernel_size=3, strides=strides, padding=padding,
                            depth_multiplier=2, data_format=data_format,
                            dilation_rate=dilation, activation="relu",
                            bias_initializer="random_normal")
    got = np.asarray(layer(to_first(x_last, data_format)))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (*(3,) * rank, 3, 2) and bias.shape == (6,)
    expected = relu(reference_depthwise(x_last, kernel, (strides,) * rank, padding,
                                        (dilation,) * rank) + bias)
    np.testing.assert_allclose(to_last(got, data_format), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("rank, padding, geometry, data_format", _geometries())
def test_separable_matches_loop_reference(rank, padding, geometry, data_format):
    strides, dilation = geometry
    x_last = _x(2, *{1: (8,), 2: (6, 5)}[rank], 3)
    layer = SEPARABLE[rank](filters=4, kernel_size=3, strides=strides, padding=padding,
                            depth_multiplier=2, data_format=data_format,
                            dilation_rate=dilation, activation="relu",
                            bias_initializer="random_normal")
    got = np.asarray(layer(to_first(x_last, data_format)))
    depthwise, pointwise, bias = layer.get_weights()
    assert pointwise.shape == (*(1,) * rank, 6, 4)
    middle = reference_depthwise(x_last, depthwise, (strides,) * rank, padding,
                                 (dilation,) * rank)
    expected = relu(reference_conv(middle, pointwise, (1,) * rank, "valid", (1,) * rank)
                    + bias)
    np.testing.assert_allclose(to_last(got, data_format), expected, rtol=1e-4, atol=1e-5)


def test_output_shapes_and_weight_names():
    layer = DepthwiseConv2D(3, depth_multiplier=4, padding="same", strides=2)
    assert layer.compute_output_shape((None, 7, None, 3)) == (None, 4, None, 12)
    assert layer.compute_output_shape((None, 7, 7, None)) == (None, 4, 4, None)
    layer(Input(shape=(7, 7, 3)))
    assert [w.name.split("/")[-1] for w in layer.weights] == ["kernel", "bias"]
    assert layer.depthwise_kernel is layer.kernel
    sep = SeparableConv1D(5, 3)
    assert sep(Input(shape=(None, 2))).shape == (None, None, 5)
    assert [w.name.split("/")[-1] for w in sep.weights] == [
        "depthwise_kernel", "pointwise_kernel", "bias"]


def test_separate_regularizers():
    layer = SeparableConv1D(2, 2, depthwise_regularizer=regularizers.L2(1.0),
                            pointwise_regularizer=regularizers.L1(1.0))
    layer(_x(1, 4, 2))
    depthwise, pointwise, _ = layer.get_weights()
    got = sorted(float(np.asarray(loss)) for loss in layer.losses)
    np.testing.assert_allclose(got, sorted([(depthwise ** 2).sum(), np.abs(pointwise).sum()]),
                               rtol=1e-5)


PARITY_CASES = [
    ("Depthwise", 1, {"kernel_size": 3, "depth_multiplier": 2}),
    ("Depthwise", 1, {"kernel_size": 3, "strides": 2, "padding": "same"}),
    ("Depthwise", 2, {"kernel_size": 3, "depth_multiplier": 2, "activation": "relu"}),
    ("Depthwise", 2, {"kernel_size": (3, 2), "dilation_rate": 2, "padding": "same"}),
    ("Depthwise", 2, {"kernel_size": 3, "strides": 2, "data_format": "channels_first"}),
    ("Separable", 1, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2}),
    ("Separable", 1, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}),
    ("Separable", 2, {"filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    ("Separable", 2, {"filters": 4, "kernel_size": 3, "dilation_rate": 2,
                      "depth_multiplier": 3}),
    ("Separable", 2, {"filters": 4, "kernel_size": 3, "data_format": "channels_first"}),
]


@pytest.mark.parametrize("kind, rank, kwargs", PARITY_CASES)
def test_keras_parity(kind, rank, kwargs):
    keras = keras_or_skip()
    x = _x(2, *{1: (9,), 2: (7, 6)}[rank], 3)
    if kwargs.get("data_format") == "channels_first":
        x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    ours = (DEPTHWISE if kind == "Depthwise" else SEPARABLE)[rank]
    theirs = getattr(keras.layers, f"{kind}Conv{rank}D")
    assert_keras_parity(ours, theirs, kwargs, x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ours, name, kwargs", [
    (DepthwiseConv2D, "DepthwiseConv2D", {"kernel_size": 3}),
    (DepthwiseConv1D, "DepthwiseConv1D", {"kernel_size": 3}),
    (SeparableConv2D, "SeparableConv2D", {"filters": 2, "kernel_size": 3}),
    (SeparableConv1D, "SeparableConv1D", {"filters": 2, "kernel_size": 3}),
])
def test_config_has_keras_keys(ours, name, kwargs):
    keras = keras_or_skip()
    theirs = getattr(keras.layers, name)(**kwargs).get_config()
    config = ours(**kwargs).get_config()
    assert set(config) == set(theirs)
    for key in set(theirs) - {"name", "dtype"} - {k for k in theirs if "initializer" in k}:
        assert config[key] == theirs[key], key


@pytest.mark.parametrize("cls, kwargs, match", [
    (DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 0}, "depth_multiplier=0"),
    (DepthwiseConv1D, {"kernel_size": 3, "padding": "causal"}, "padding.*causal"),
    (DepthwiseConv2D, {"kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate"),
    (SeparableConv2D, {"filters": 0, "kernel_size": 3}, "filters=0"),
    (SeparableConv1D, {"filters": 2, "kernel_size": 3, "padding": "full"}, "padding.*full"),
    (SeparableConv2D, {"filters": 2, "kernel_size": 3, "pointwise_initializer": "nope"},
     "pointwise_initializer"),
])
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        cls(**kwargs)
    assert cls.__name__ in str(info.value)


def test_bad_inputs():
    layer = DepthwiseConv2D(3, name="dw")
    with pytest.raises(ValueError, match=r"'dw'.*ndim=4.*ndim=3"):
        layer(_x(1, 5, 3))
    layer(_x(1, 5, 5, 3))
    with pytest.raises(ValueError, match=r"'dw'.*axis -1.*value 3"):
        layer(_x(1, 5, 5, 4))
    with pytest.raises(ValueError, match=r"SeparableConv2D 'sep'.*too small"):
        SeparableConv2D(2, 3, name="sep")(_x(1, 2, 2, 3))
