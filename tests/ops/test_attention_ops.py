"""nn functions: dot_product_attention, layer/rms_normalization, psnr, adaptive pooling —
values and dtypes vs Keras 3, hand-written NumPy references, float64 gradients, errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.adaptive_pooling import adaptive_average_pool, adaptive_max_pool
from gpulayers.ops.attention_ops import dot_product_attention
from gpulayers.ops.normalization_ops import layer_normalization, rms_normalization
from gpulayers.ops.signal_quality import psnr
from gpulayers.testing import requires_gpu
from gpulayers.testing.gradient_check import check_gradients

RNG = np.random.default_rng(7)


def _qkv(heads=4, kv_heads=2, dtype="float32"):
    q = RNG.standard_normal((2, 3, heads, 5)).astype(dtype)
    k = RNG.standard_normal((2, 4, kv_heads, 5)).astype(dtype)
    v = RNG.standard_normal((2, 4, kv_heads, 5)).astype(dtype)
    return q, k, v


def _reference_attention(q, k, v, mask=None, bias=None, scale=None, causal=False):
    groups = q.shape[2] // k.shape[2]
    k, v = np.repeat(k, groups, axis=2), np.repeat(v, groups, axis=2)
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    out = np.zeros(q.shape, "float64")
    for b in range(q.shape[0]):
        for n in range(q.shape[2]):
            logits = q[b, :, n] @ k[b, :, n].T * scale
            if bias is not None:
                full = np.broadcast_to(bias, (q.shape[0], q.shape[2]) + logits.shape)
                logits = logits + full[b, n]
            keep = np.ones(logits.shape, bool)
            if mask is not None:
                keep &= np.broadcast_to(mask, (q.shape[0], q.shape[2]) + logits.shape)[b, n]
            if causal:
                keep &= np.tril(np.ones(logits.shape, bool))
            logits = np.where(keep, logits, -1e30)
            w = np.exp(logits - logits.max(-1, keepdims=True))
            out[b, :, n] = (w / w.sum(-1, keepdims=True)) @ v[b, :, n]
    return out


@pytest.mark.parametrize("kwargs", [{}, {"is_causal": True}, {"scale": 0.3}, {"mask": True},
                                    {"mask": True, "is_causal": True}, {"bias": True}])
def test_attention_matches_reference_and_keras(kwargs):
    q, k, v = _qkv()
    kwargs = dict(kwargs)
    if kwargs.get("mask"):
        kwargs["mask"] = RNG.random((2, 1, 3, 4)) > 0.3
    if kwargs.get("bias"):
        kwargs["bias"] = RNG.standard_normal((1, 4, 3, 4)).astype("float32")
    ours = dot_product_attention(q, k, v, **kwargs)
    expected = _reference_attention(q, k, v, kwargs.get("mask"), kwargs.get("bias"),
                                    kwargs.get("scale"), kwargs.get("is_causal", False))
    np.testing.assert_allclose(np.asarray(ours), expected, rtol=1e-5, atol=1e-5)
    keras = keras_or_skip()
    theirs = keras.ops.dot_product_attention(q, k, v, **kwargs)
    np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-5, atol=1e-5)
    assert ours.dtype == str(theirs.dtype).replace("torch.", "")


def test_attention_dtype_promotion_and_flash_flag():
    q, k, v = _qkv(4, 4)
    out = dot_product_attention(q.astype("float16"), k.astype("float32"), v, flash_attention=True)
    assert out.dtype == "float32" and out.shape == q.shape


def test_attention_gradients():
    q, k, v = _qkv(4, 2, "float64")
    bias = RNG.standard_normal((1, 1, 3, 4))
    check_gradients(lambda a, b, c, d: dot_product_attention(a, b, c, bias=d, is_causal=True),
                    [q, k, v, bias])


def test_attention_errors():
    q, k, v = _qkv()
    with pytest.raises(ValueError, match="4D"):
        dot_product_attention(q[0], k, v)
    with pytest.raises(ValueError, match="only one of"):
        dot_product_attention(q, k, v, bias=np.zeros((1,)), mask=np.ones((1,), bool))
    with pytest.raises(ValueError, match="multiple of K"):
        dot_product_attention(q, k[:, :, :1].repeat(3, axis=2), v[:, :, :1].repeat(3, axis=2))


@pytest.mark.parametrize("axis", [-1, (1, 2)])
def test_normalizations_match_numpy_and_keras(axis):
    x = RNG.standard_normal((3, 4, 5)).astype("float32")
    shape = (5,) if axis == -1 else (4, 5)
    gamma, beta = (RNG.standard_normal(shape).astype("float32") for _ in range(2))
    axes = (2,) if axis == -1 else axis
    centered = x - x.mean(axes, keepdims=True)
    ln_ref = centered / np.sqrt(x.var(axes, keepdims=True) + 1e-3) * gamma + beta
    rms_ref = x / np.sqrt((x * x).mean(axes, keepdims=True) + 1e-3) * gamma
    ln = layer_normalization(x, gamma, beta, axis=axis, epsilon=1e-3)
    rms = rms_normalization(x, gamma, axis=axis, epsilon=1e-3)
    np.testing.assert_allclose(np.asarray(ln), ln_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(rms), rms_ref, rtol=1e-5, atol=1e-5)
    keras = keras_or_skip()
    np.testing.assert_allclose(np.asarray(ln), to_numpy(keras.ops.layer_normalization(
        x, gamma, beta, axis=axis, epsilon=1e-3)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(rms), to_numpy(keras.ops.rms_normalization(
        x, gamma, axis=axis, epsilon=1e-3)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "float64", "int32"])
def test_normalization_dtypes_match_keras(dtype):
    keras = keras_or_skip()
    x = (RNG.standard_normal((2, 6)) * 3).astype(dtype)
    for ours, theirs in ((layer_normalization(x), keras.ops.layer_normalization(x)),
                         (rms_normalization(x), keras.ops.rms_normalization(x))):
        assert ours.dtype == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_allclose(np.asarray(ours, "float64"), to_numpy(theirs).astype("float64"),
                                   rtol=2e-3, atol=2e-3)


def test_normalization_gradients_and_errors():
    x = RNG.standard_normal((2, 3, 4))
    g, b = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    check_gradients(lambda a, c, d: layer_normalization(a, c, d, axis=(1, 2)), [x, g, b])
    check_gradients(lambda a, c: rms_normalization(a, c, axis=(1, 2)), [x, g])
    with pytest.raises(ValueError, match="layer_normalization"):
        layer_normalization(x, axis=5)
    with pytest.raises(ValueError, match="rms_normalization"):
        rms_normalization(x, np.ones((7,)), axis=(1, 2))


def test_psnr_matches_numpy_and_keras():
    x, y = RNG.random((2, 3, 4)).astype("float32"), RNG.random((2, 3, 4)).astype("float32")
    expected = 20 * np.log10(1.0) - 10 * np.log10(np.mean((x - y) ** 2))
    np.testing.assert_allclose(float(psnr(x, y, 1.0)), expected, rtol=1e-5)
    keras = keras_or_skip()
    np.testing.assert_allclose(float(psnr(x, y, 2.0)), float(keras.ops.psnr(x, y, 2.0)), rtol=1e-5)
    check_gradients(lambda a, b: psnr(a, b, 1.0), [x.astype("float64"), y.astype("float64")])
    with pytest.raises(ValueError, match="psnr"):
        psnr(x, y[0], 1.0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_adaptive_pools_match_keras(data_format):
    keras = keras_or_skip()
    x = RNG.standard_normal((2, 7, 9, 3)).astype("float32")
    for ours, theirs in ((adaptive_average_pool, keras.ops.adaptive_average_pool),
                         (adaptive_max_pool, keras.ops.adaptive_max_pool)):
        np.testing.assert_allclose(np.asarray(ours(x, (3, 4), data_format=data_format)),
                                   to_numpy(theirs(x, (3, 4), data_format=data_format)),
                                   rtol=1e-6, atol=1e-6)


def test_adaptive_pool_reference_gradients_errors():
    x = np.arange(10.0).reshape(1, 10, 1)
    # cells [0, 4), [3, 7), [6, 10): hand-computed bins of 10 -> 3
    np.testing.assert_allclose(np.asarray(adaptive_average_pool(x, 3))[0, :, 0], [1.5, 4.5, 7.5])
    np.testing.assert_allclose(np.asarray(adaptive_max_pool(x, 3))[0, :, 0], [3, 6, 9])
    check_gradients(lambda a: adaptive_average_pool(a, (2, 3)), [RNG.standard_normal((1, 5, 4, 2))])
    with pytest.raises(ValueError, match="adaptive_max_pool"):
        adaptive_max_pool(x, (2, 2))


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    q, k, v = _qkv()

    def run(name):
        with backend.use_backend(name):
            tensors = [Variable(a) for a in (q, k, v)]
            with GradientTape() as tape:
                out = dot_product_attention(*tensors, is_causal=True)
                loss = ops.sum(out * out) + ops.sum(layer_normalization(tensors[0])) ** 2
            return [np.asarray(out)] + [np.asarray(g) for g in tape.gradient(loss, tensors)]

    for got, expected in zip(run("cupy"), run("numpy")):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
