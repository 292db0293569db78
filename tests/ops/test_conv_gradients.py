"""Gradients of the convolution ops against central finite differences (float64)."""

import numpy as np
import pytest

from gpulayers import GradientTape, Variable, ops
from gpulayers.testing import check_gradients

CONV_CASES = [  # input shape, kernel shape, kwargs
    ((2, 6, 2), (3, 2, 3), dict(padding="causal", dilation_rate=2)),
    ((2, 7, 2), (3, 2, 2), dict(padding="valid", strides=2)),
    ((1, 4, 5, 4), (3, 2, 2, 4), dict(padding="same", strides=2, data_format="channels_first")),
    ((1, 6, 5, 2), (2, 2, 2, 3), dict(padding="valid", dilation_rate=2)),
    ((1, 3, 4, 3, 2), (2, 2, 2, 2, 2), dict(padding="same")),
    ((1, 5, 4, 4, 4), (2, 2, 2, 2, 2), dict(padding="valid", strides=2)),
]


@pytest.mark.parametrize("x_shape,w_shape,kwargs", CONV_CASES)
def test_conv_gradients(x_shape, w_shape, kwargs):
    rng = np.random.default_rng(len(x_shape))
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    check_gradients(lambda a, b: ops.conv(a, b, **kwargs), [x, w])


@pytest.mark.parametrize("x_shape,w_shape,kwargs", [
    ((2, 6, 2), (3, 2, 2), dict(padding="same", dilation_rate=2)),
    ((1, 5, 4, 3), (3, 2, 3, 2), dict(padding="same", strides=2)),
    ((1, 2, 3, 4, 4), (2, 2, 2, 2, 1), dict(padding="valid", data_format="channels_first")),
])
def test_depthwise_conv_gradients(x_shape, w_shape, kwargs):
    rng = np.random.default_rng(len(x_shape))
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    check_gradients(lambda a, b: ops.depthwise_conv(a, b, **kwargs), [x, w])


def test_separable_conv_gradients():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 5, 4, 2))
    depthwise, pointwise = rng.standard_normal((2, 3, 2, 2)), rng.standard_normal((1, 1, 4, 3))
    check_gradients(lambda a, b, c: ops.separable_conv(a, b, c, strides=2, padding="same"),
                    [x, depthwise, pointwise])


@pytest.mark.parametrize("x_shape,w_shape,kwargs", [
    ((2, 3, 2), (3, 2, 2), dict(strides=2, padding="valid", output_padding=1)),
    ((1, 3, 2, 2), (3, 2, 3, 2), dict(strides=2, padding="same")),
    ((1, 2, 3, 3), (2, 2, 2, 2), dict(strides=2, padding="same", data_format="channels_first")),
    ((1, 3, 2), (2, 2, 2), dict(padding="valid", dilation_rate=2)),
    ((1, 2, 2, 2, 2), (2, 2, 2, 2, 2), dict(strides=2, padding="valid")),
])
def test_conv_transpose_gradients(x_shape, w_shape, kwargs):
    rng = np.random.default_rng(len(x_shape))
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    check_gradients(lambda a, b: ops.conv_transpose(a, b, **kwargs), [x, w])


def test_only_needed_gradients_are_computed_and_dtypes_kept():
    """A frozen kernel gets no gradient; float32 operands give float32 gradients."""
    x = Variable(np.ones((1, 5, 2), "float32"), name="x")
    frozen = Variable(np.ones((3, 2, 4), "float32"), trainable=False, name="frozen")
    with GradientTape() as tape:
        loss = ops.conv(x, frozen, padding="same")
    grad_x, grad_w = tape.gradient(loss, [x, frozen])
    assert grad_w is None and grad_x.dtype == "float32"
    np.testing.assert_allclose(np.asarray(grad_x)[0, :, 0], [8.0, 12.0, 12.0, 12.0, 8.0])
