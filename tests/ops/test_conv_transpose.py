"""ops.conv_transpose vs a scatter-form loop reference, Keras's output lengths, and errors."""

import itertools

import numpy as np
import pytest

from gpulayers import ops


def keras_output_length(n, k, s, d, padding, output_padding):
    """Keras's deconv_output_length, transcribed."""
    k = k + (k - 1) * (d - 1)
    if output_padding is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


def pad_before(length, n, k, s, d, padding):
    """TF: the transposed conv is the input gradient of a conv on `length` cells; its
    'same' padding (total // 2 before) hides that many cells of the full scatter."""
    if padding == "valid":
        return 0
    total = max((n - 1) * s + (k - 1) * d + 1 - length, 0)
    return total // 2


def reference_conv_transpose(x, w, strides, dilation, padding, output_padding):
    """Scatter form: input cell i, tap t adds x[i] @ w[t].T onto output cell i*s + t*d - pad."""
    rank = x.ndim - 2
    ksize = w.shape[:rank]
    extra = [None] * rank if output_padding is None else output_padding
    lengths = [keras_output_length(n, k, s, d, padding, e)
               for n, k, s, d, e in zip(x.shape[1:-1], ksize, strides, dilation, extra)]
    before = [pad_before(L, n, k, s, d, padding)
              for L, n, k, s, d in zip(lengths, x.shape[1:-1], ksize, strides, dilation)]
    y = np.zeros((x.shape[0], *lengths, w.shape[-2]))
    for cell in itertools.product(*map(range, x.shape[1:-1])):
        for tap in itertools.product(*map(range, ksize)):
            pos = [c * s + t * d - b for c, t, s, d, b in zip(cell, tap, strides, dilation, before)]
            if all(0 <= p < L for p, L in zip(pos, lengths)):
                y[(slice(None), *pos)] += x[(slice(None), *cell)] @ w[tap].T
    return y


CASES = [  # spatial, kernel, strides, dilation, padding, output_padding
    ((5,), (3,), (2,), (1,), "valid", None),
    ((5,), (3,), (2,), (1,), "same", None),
    ((5,), (3,), (2,), (1,), "valid", (1,)),
    ((4,), (4,), (3,), (1,), "same", (2,)),
    ((5,), (3,), (1,), (2,), "same", (1,)),      # output_padding < dilation with stride 1
    ((4,), (1,), (3,), (1,), "same", None),      # kernel smaller than the stride
    ((4,), (2,), (3,), (1,), "valid", None),
    ((3, 4), (3, 2), (2, 1), (1, 2), "same", None),
    ((3, 4), (3, 2), (2, 2), (1, 1), "valid", (1, 0)),
    ((3, 3), (2, 3), (2, 2), (1, 1), "same", (1, 1)),
    ((2, 3, 2), (2, 2, 3), (2, 1, 2), (1, 1, 1), "valid", None),
    ((2, 3, 2), (3, 2, 2), (1, 2, 2), (1, 1, 1), "same", (0, 1, 0)),
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("spatial,ksize,strides,dilation,padding,output_padding", CASES)
def test_conv_transpose_matches_scatter_reference(spatial, ksize, strides, dilation, padding,
                                                  output_padding, data_format):
    rng = np.random.default_rng(len(spatial) + sum(ksize))
    x = rng.standard_normal((2, *spatial, 3))
    w = rng.standard_normal((*ksize, 4, 3))
    expected = reference_conv_transpose(x, w, strides, dilation, padding, output_padding)
    if data_format == "channels_first":
        x, expected = np.moveaxis(x, -1, 1), np.moveaxis(expected, -1, 1)
    got = ops.conv_transpose(x, w, strides, padding, output_padding, data_format, dilation)
    assert got.shape == expected.shape
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-10, atol=1e-12)


def test_conv_transpose_is_the_adjoint_of_conv():
    """<conv(y, w), x> == <y, conv_transpose(x, w)> when conv maps the output length back."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 5, 3))
    w = rng.standard_normal((3, 3, 2, 3))
    y = np.asarray(ops.conv_transpose(x, w, strides=2, padding="same"))
    probe = rng.standard_normal(y.shape)
    forward = np.asarray(ops.conv(probe, w, strides=2, padding="same"))
    assert forward.shape == x.shape
    np.testing.assert_allclose(np.sum(forward * x), np.sum(probe * y), rtol=1e-10)


def test_conv_transpose_hand_computed():
    x = np.array([1.0, 2.0]).reshape(1, 2, 1)
    w = np.array([1.0, 10.0, 100.0]).reshape(3, 1, 1)
    got = ops.conv_transpose(x, w, strides=2)
    np.testing.assert_array_equal(np.asarray(got).ravel(), [1.0, 10.0, 102.0, 20.0, 200.0])
    same = ops.conv_transpose(x, w, strides=2, padding="same")
    np.testing.assert_array_equal(np.asarray(same).ravel(), [1.0, 10.0, 102.0, 20.0])


@pytest.mark.parametrize("call,message", [
    (lambda: ops.conv_transpose(np.zeros((1, 4, 4, 3)), np.zeros((3, 3, 8, 2))),
     r"conv_transpose: inputs have 3 channels but the kernel expects 2 \(kernel shape "
     r"\(3, 3, 8, 2\)"),
    (lambda: ops.conv_transpose(np.zeros((1, 4, 3)), np.zeros((3, 8, 3)), padding="causal"),
     "conv_transpose: `padding` must be 'valid' or 'same'. Received: padding='causal'"),
    (lambda: ops.conv_transpose(np.zeros((1, 4, 3)), np.zeros((3, 8, 3)), strides=2,
                                output_padding=2),
     "conv_transpose: `output_padding` must be smaller than the stride or the dilation"),
    (lambda: ops.conv_transpose(np.zeros((1, 4, 3)), np.zeros((3, 8, 3)), output_padding=-1),
     "conv_transpose: `output_padding` must be an int or a tuple of 1 ints, each >= 0"),
    (lambda: ops.conv_transpose(np.zeros((1, 4, 4, 3)), np.zeros((3, 8, 3))),
     "conv_transpose: a 1D kernel of shape .* needs inputs of rank 3"),
])
def test_conv_transpose_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
