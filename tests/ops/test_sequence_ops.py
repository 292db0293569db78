"""extract_sequences, unfold/fold, depth_to_space/space_to_depth, rearrange: values vs
Keras 3 and plain-loop references, gradients, errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.sequence_ops import (
    depth_to_space,
    extract_sequences,
    fold,
    rearrange,
    space_to_depth,
    unfold,
)
from gpulayers.testing import requires_gpu
from gpulayers.testing.gradient_check import check_gradients

RNG = np.random.default_rng(11)
UNFOLD_CASES = [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=(2, 1), padding=1,
                                          stride=(2, 3))]


def _unfold_reference(x, kernel, dilation, padding, stride):
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2])
    oh = (h + 2 * padding[0] - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    ow = (w + 2 * padding[1] - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    out = np.zeros((n, c * kernel[0] * kernel[1], oh * ow), x.dtype)
    for ch in range(c):
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                row = (ch * kernel[0] + i) * kernel[1] + j
                for a in range(oh):
                    for b in range(ow):
                        out[:, row, a * ow + b] = xp[:, ch, a * stride[0] + i * dilation[0],
                                                     b * stride[1] + j * dilation[1]]
    return out


def test_extract_sequences_reference_and_keras():
    x = RNG.standard_normal((2, 3, 10)).astype("float32")
    got = extract_sequences(x, 4, 3)
    expected = np.stack([x[..., s:s + 4] for s in (0, 3, 6)], axis=-2)
    np.testing.assert_array_equal(np.asarray(got), expected)
    keras = keras_or_skip()
    np.testing.assert_array_equal(np.asarray(got), to_numpy(keras.ops.extract_sequences(x, 4, 3)))
    check_gradients(lambda a: extract_sequences(a, 3, 2), [RNG.standard_normal((2, 7))])
    with pytest.raises(ValueError, match="extract_sequences"):
        extract_sequences(x, 11, 1)


@pytest.mark.parametrize("case", UNFOLD_CASES)
def test_unfold_fold_reference_and_keras(case):
    x = RNG.standard_normal((2, 3, 7, 6)).astype("float32")
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    ref = _unfold_reference(x, pair(case["kernel_size"]), pair(case.get("dilation", 1)),
                            pair(case.get("padding", 0)), pair(case.get("stride", 1)))
    patches = unfold(x, **case)
    np.testing.assert_array_equal(np.asarray(patches), ref)
    # fold is unfold's adjoint: <unfold(x), p> == <x, fold(p)>
    p = RNG.standard_normal(ref.shape)
    folded = np.asarray(fold(p, (7, 6), **case))
    np.testing.assert_allclose((ref * p).sum(), (x * folded).sum(), rtol=1e-5)
    keras = keras_or_skip()
    import torch

    np.testing.assert_allclose(np.asarray(patches), to_numpy(keras.ops.unfold(
        torch.as_tensor(x), **case)), rtol=1e-6)
    np.testing.assert_allclose(folded, to_numpy(keras.ops.fold(torch.as_tensor(p), (7, 6), **case)),
                               rtol=1e-6, atol=1e-6)


def test_unfold_fold_gradients_and_errors():
    check_gradients(lambda a: unfold(a, 2, padding=1, stride=2),
                    [RNG.standard_normal((1, 2, 4, 3))])
    check_gradients(lambda a: fold(a, (4, 3), 2, padding=1, stride=2),
                    [RNG.standard_normal((1, 8, 6))])
    with pytest.raises(ValueError, match="unfold"):
        unfold(np.ones((2, 3, 4)), 2)
    with pytest.raises(ValueError, match="fold"):
        fold(np.ones((1, 7, 6)), (4, 3), 2, padding=1, stride=2)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depth_space_match_keras(data_format):
    x = RNG.standard_normal((2, 8, 4, 8)).astype("float32")
    d2s, s2d = depth_to_space(x, 2, data_format), space_to_depth(x, 2, data_format)
    np.testing.assert_array_equal(np.asarray(space_to_depth(d2s, 2, data_format)), x)
    keras = keras_or_skip()
    np.testing.assert_array_equal(np.asarray(d2s), to_numpy(keras.ops.depth_to_space(
        x, 2, data_format)))
    np.testing.assert_array_equal(np.asarray(s2d), to_numpy(keras.ops.space_to_depth(
        x, 2, data_format)))


def test_depth_to_space_reference_gradients_errors():
    x = np.arange(8).reshape(1, 1, 1, 8)  # TF's DCR order: channel = (row * b + col) * C' + c
    got = np.asarray(depth_to_space(x, 2))
    np.testing.assert_array_equal(got[0, :, :, 0], [[0, 2], [4, 6]])
    np.testing.assert_array_equal(got[0, :, :, 1], [[1, 3], [5, 7]])
    assert depth_to_space(x.astype("int16"), 2).dtype == "int16"
    check_gradients(lambda a: space_to_depth(a, 2, "channels_first"),
                    [RNG.standard_normal((1, 2, 4, 2))])
    with pytest.raises(ValueError, match="block_size"):
        depth_to_space(x, 1)
    with pytest.raises(ValueError, match="divisible"):
        space_to_depth(np.ones((1, 3, 4, 1)), 2)


@pytest.mark.parametrize("pattern,lengths", [
    ("b h w c -> b c h w", {}), ("b h w c -> (b h) w c", {}),
    ("b (h1 h) (w1 w) c -> (b h1 w1) h w c", {"h1": 2, "w1": 2}),
    ("b (h h1) (w w1) c -> b h w (c h1 w1)", {"h1": 2, "w1": 2})])
def test_rearrange_matches_keras(pattern, lengths):
    x = RNG.standard_normal((3, 4, 6, 2)).astype("float32")
    ours = rearrange(x, pattern, **lengths)
    keras = keras_or_skip()
    np.testing.assert_array_equal(np.asarray(ours), to_numpy(keras.ops.rearrange(x, pattern,
                                                                                 **lengths)))


def test_rearrange_reference_gradients_errors():
    x = RNG.standard_normal((2, 6))
    np.testing.assert_array_equal(np.asarray(rearrange(x, "a (b c) -> c a b", c=3)),
                                  x.reshape(2, 2, 3).transpose(2, 0, 1))
    check_gradients(lambda a: rearrange(a, "a (b c) -> (c a) b", b=2), [x])
    for bad in ("a b -> a", "a b c -> a b c", "a (b c) -> a b c", "a ... -> a"):
        with pytest.raises(ValueError, match="rearrange"):
            rearrange(x, bad)


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    x = RNG.standard_normal((2, 4, 6, 4)).astype("float32")

    def run(name):
        with backend.use_backend(name):
            v = Variable(x)
            with GradientTape() as tape:
                out = fold(unfold(depth_to_space(v, 2), 3, padding=1), (8, 12), 3, padding=1)
                loss = ops.sum(out * out)
            return np.asarray(out), np.asarray(tape.gradient(loss, v))

    for got, expected in zip(run("cupy"), run("numpy")):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
