"""Conv1D/2D/3DTranspose: layer checks, a plain-loop scatter reference, Keras 3 parity, errors."""

import itertools

import numpy as np
import pytest
from conv_reference import reference_conv_transpose, relu, to_first, to_last
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers.layers import Conv1DTranspose, Conv2DTranspose, Conv3DTranspose, Input
from gpulayers.testing import run_layer_test

CLASSES = {1: Conv1DTranspose, 2: Conv2DTranspose, 3: Conv3DTranspose}
rng = np.random.default_rng(1)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


@pytest.mark.parametrize("cls, kwargs, input_shape, expected", [
    (Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2}, (2, 4, 3), (2, 9, 2)),
    (Conv1DTranspose, {"filters": 2, "kernel_size": 3, "padding": "same", "dilation_rate": 2,
                       "data_format": "channels_first"}, (1, 3, 4), (1, 2, 4)),
    (Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                       "output_padding": 1, "activation": "relu"}, (1, 3, 2, 2), (1, 6, 4, 2)),
    (Conv2DTranspose, {"filters": 3, "kernel_size": (2, 3), "use_bias": False,
                       "data_format": "channels_first"}, (2, 2, 3, 2), (2, 3, 4, 4)),
    (Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": (2, 1, 1)},
     (1, 2, 2, 3, 2), (1, 4, 3, 4, 2)),
])
def test_conv_transpose_layer(cls, kwargs, input_shape, expected):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1,
                   expected_num_non_trainable_weights=0)


def _geometries():
    for rank, padding, (strides, dilation, output_padding), data_format in itertools.product(
            (1, 2, 3), ("valid", "same"),
            [(1, 1, None), (2, 1, None), (3, 1, None), (2, 1, 1), (3, 1, 2), (1, 2, None),
             (1, 2, 0)],
            ("channels_last", "channels_first")):
        if rank == 3 and (strides == 3 or data_format == "channels_first"):
            continue  # keep the 3D loop reference cheap
        yield rank, padding, strides, dilation, output_padding, data_format


@pytest.mark.parametrize("rank, padding, strides, dilation, output_padding, data_format",
                         list(_geometries()))
def test_conv_transpose_matches_loop_reference(rank, padding, strides, dilation,
                                               output_padding, data_format):
    spatial = {1: (5,), 2: (4, 3), 3: (3, 2, 3)}[rank]
    x_last = _x(2, *spatial, 3)
    layer = CLASSES[rank](filters=4, kernel_size=3, strides=strides, padding=padding,
                          output_padding=output_padding, dilation_rate=dilation,
                          data_format=data_format, activation="relu",
                          bias_initializer="random_normal")
    got = np.asarray(layer(to_first(x_last, data_format)))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (*(3,) * rank, 4, 3)
    extra = None if output_padding is None else (output_padding,) * rank
    expected = relu(reference_conv_transpose(x_last, kernel, (strides,) * rank, padding,
                                             extra, (dilation,) * rank) + bias)
    np.testing.assert_allclose(to_last(got, data_format), expected, rtol=1e-4, atol=1e-5)
    in_shape = to_first(x_last, data_format).shape
    assert layer.compute_output_shape((None, *in_shape[1:])) == (None, *got.shape[1:])


def test_output_shape_with_unknown_dims():
    layer = Conv2DTranspose(4, 3, strides=2, padding="same")
    assert layer.compute_output_shape((None, None, 5, 3)) == (None, None, 10, 4)
    y = Conv1DTranspose(2, 3, strides=2)(Input(shape=(None, 3)))
    assert y.shape == (None, None, 2)


PARITY_CASES = [
    (1, {"filters": 3, "kernel_size": 3, "strides": 2}),
    (1, {"filters": 3, "kernel_size": 4, "strides": 2, "padding": "same"}),
    (1, {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"}),
    (2, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1}),
    (2, {"filters": 3, "kernel_size": (3, 2), "strides": (2, 3), "output_padding": (1, 2)}),
    (2, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
         "data_format": "channels_first", "activation": "relu"}),
    (2, {"filters": 2, "kernel_size": 3, "dilation_rate": 2}),
    (3, {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"}),
    (3, {"filters": 2, "kernel_size": 3, "data_format": "channels_first"}),
]


@pytest.mark.parametrize("rank, kwargs", PARITY_CASES)
def test_keras_parity(rank, kwargs):
    keras = keras_or_skip()
    spatial = {1: (6,), 2: (4, 5), 3: (3, 4, 3)}[rank]
    x = _x(2, *spatial, 3)
    if kwargs.get("data_format") == "channels_first":
        x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    theirs = getattr(keras.layers, f"Conv{rank}DTranspose")
    assert_keras_parity(CLASSES[rank], theirs, kwargs, x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_config_has_keras_keys(rank):
    keras = keras_or_skip()
    kwargs = {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1}
    theirs = getattr(keras.layers, f"Conv{rank}DTranspose")(**kwargs).get_config()
    ours = CLASSES[rank](**kwargs).get_config()
    assert set(ours) == set(theirs)
    for key in ("filters", "kernel_size", "strides", "padding", "output_padding",
                "data_format", "dilation_rate", "activation", "use_bias"):
        assert ours[key] == theirs[key], key


def test_conv3d_transpose_positional_order_is_keras():
    layer = Conv3DTranspose(2, 3, 2, "same", "channels_first")
    assert layer.data_format == "channels_first" and layer.output_padding is None


@pytest.mark.parametrize("kwargs, match", [
    ({"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 2}, "output_padding"),
    ({"filters": 2, "kernel_size": 3, "output_padding": 1}, "output_padding"),
    ({"filters": 2, "kernel_size": 3, "output_padding": -1}, "output_padding=-1"),
    ({"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding.*causal"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate"),
    ({"filters": -1, "kernel_size": 3}, "filters=-1"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        Conv2DTranspose(**kwargs)
    assert "Conv2DTranspose" in str(info.value)


def test_bad_inputs():
    layer = Conv2DTranspose(2, 3, name="up")
    with pytest.raises(ValueError, match=r"'up'.*ndim=4.*ndim=5"):
        layer(_x(1, 2, 2, 2, 3))
    layer(_x(1, 4, 4, 3))
    with pytest.raises(ValueError, match=r"'up'.*axis -1.*value 3"):
        layer(_x(1, 4, 4, 5))
