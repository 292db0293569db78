"""Fourier transforms: values against NumPy and Keras 3, dtypes, gradients (adjoints) against
central differences, errors, and CuPy-vs-NumPy agreement."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.fft import fft, fft2, ifft2, irfft, istft, rfft, stft
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(5)
RE, IM = RNG.standard_normal((2, 3, 6)), RNG.standard_normal((2, 3, 6))
SIGNAL = RNG.standard_normal((2, 40))
STFT_CASES = [  # sequence_length, sequence_stride, fft_length, window, center
    (8, 4, 8, "hann", True), (6, 2, 8, "hamming", True), (8, 3, 8, None, False),
    (5, 2, 8, np.arange(5.0) + 1, False), (8, 2, 8, "hann", False),
]


def _pair(result):
    return [np.asarray(t) for t in result]


def test_complex_transforms_match_numpy():
    z = RE + 1j * IM
    for ours, expected in [(fft((RE, IM)), np.fft.fft(z)), (fft2((RE, IM)), np.fft.fft2(z)),
                           (ifft2((RE, IM)), np.fft.ifft2(z))]:
        real, imag = _pair(ours)
        np.testing.assert_allclose(real + 1j * imag, expected, atol=1e-12)


@pytest.mark.parametrize("n", [None, 4, 7, 9])
def test_real_transforms_match_numpy(n):
    real, imag = _pair(rfft(RE, n))
    np.testing.assert_allclose(real + 1j * imag, np.fft.rfft(RE, n), atol=1e-12)
    np.testing.assert_allclose(irfft((RE, IM), n), np.fft.irfft(RE + 1j * IM, n), atol=1e-12)


def test_stft_frames_by_hand_and_istft_round_trip():
    # center=False, no window: frame t is signal[t*stride : t*stride + fft_length]
    real, imag = _pair(stft(SIGNAL, 8, 3, 8, window=None, center=False))
    frames = np.stack([SIGNAL[:, t * 3:t * 3 + 8] for t in range(11)], axis=1)
    np.testing.assert_allclose(real + 1j * imag, np.fft.rfft(frames), atol=1e-12)
    spectrum = stft(SIGNAL, 8, 2, 8)
    np.testing.assert_allclose(istft(spectrum, 8, 2, 8), SIGNAL, atol=1e-12)


@pytest.mark.parametrize("name", ["fft", "fft2", "ifft2"])
def test_complex_transforms_match_keras(name):
    keras = keras_or_skip()
    re32, im32 = RE.astype("float32"), IM.astype("float32")
    for ours, theirs in zip(globals()[name]((re32, im32)), getattr(keras.ops, name)((re32, im32))):
        np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-5, atol=1e-5)
        assert ours.dtype == str(theirs.dtype).replace("torch.", "")


@pytest.mark.parametrize("n", [None, 4, 7])
def test_real_transforms_match_keras(n):
    keras = keras_or_skip()
    re32, im32 = RE.astype("float32"), IM.astype("float32")
    for ours, theirs in zip(rfft(re32, n), keras.ops.rfft(re32, n)):
        np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-5, atol=1e-5)
        assert ours.dtype == "float32" == str(theirs.dtype).replace("torch.", "")
    ours, theirs = irfft((re32, im32), n), keras.ops.irfft((re32, im32), n)
    np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-5, atol=1e-5)
    assert ours.dtype == "float32"


@pytest.mark.parametrize("case", STFT_CASES, ids=str)
def test_stft_istft_match_keras(case):
    keras = keras_or_skip()
    sl, ss, fl, window, center = case
    theirs = keras.ops.stft(SIGNAL, sl, ss, fl, window, center)
    for got, expected in zip(stft(SIGNAL, sl, ss, fl, window, center), theirs):
        np.testing.assert_allclose(np.asarray(got), to_numpy(expected), atol=1e-9)
    spectrum = tuple(to_numpy(t) for t in theirs)
    for length in [None, 30]:
        got = istft(spectrum, sl, ss, fl, length, window, center)
        expected = keras.ops.istft(spectrum, sl, ss, fl, length, window, center)
        np.testing.assert_allclose(np.asarray(got), to_numpy(expected), atol=1e-9)


def test_dtypes():
    assert [t.dtype for t in rfft(np.arange(4, dtype="int32"))] == [backend.floatx()] * 2
    assert [t.dtype for t in fft((np.ones(4, "float16"), np.ones(4, "float16")))] == [
        "float16", "float16"]
    assert irfft((np.ones(3), np.ones(3))).dtype == "float64"


@pytest.mark.parametrize("name", ["fft", "fft2", "ifft2"])
def test_complex_transform_gradients(name):
    check_gradients(lambda r, i: globals()[name]((r, i)), [RE, IM])


@pytest.mark.parametrize("n", [None, 4, 7, 9])
def test_real_transform_gradients(n):
    check_gradients(lambda x: rfft(x, n), [RE])
    check_gradients(lambda r, i: irfft((r, i), n), [RE, IM])


@pytest.mark.parametrize("case", STFT_CASES, ids=str)
def test_stft_istft_gradients(case):
    sl, ss, fl, window, center = case
    check_gradients(lambda s: stft(s, sl, ss, fl, window, center), [SIGNAL[:, :20]])
    real, imag = _pair(stft(SIGNAL[:, :20], sl, ss, fl, window, center))
    check_gradients(lambda r, i: istft((r, i), sl, ss, fl, None, window, center), [real, imag])


def test_errors_name_the_op():
    with pytest.raises(ValueError, match="fft: expected `x` to be a tuple"):
        fft(RE)
    with pytest.raises(ValueError, match="fft2: the real and imaginary parts must have"):
        fft2((RE, IM[..., :3]))
    with pytest.raises(ValueError, match="ifft2: expected tensors of rank >= 2"):
        ifft2((np.ones(3), np.ones(3)))
    with pytest.raises(ValueError, match="irfft: both parts must be float"):
        irfft((np.ones(3, "int32"), np.ones(3, "int32")))
    with pytest.raises(TypeError, match="stft: expected float32 or float64"):
        stft(np.ones(16, "int32"), 4, 2, 4)
    with pytest.raises(ValueError, match="stft: `fft_length` must be >="):
        stft(SIGNAL, 8, 2, 4)
    with pytest.raises(ValueError, match="stft: a string `window` must be"):
        stft(SIGNAL, 8, 2, 8, window="kaiser")
    with pytest.raises(ValueError, match="istft: `sequence_stride` must be a positive"):
        istft((RE, IM), 4, 0, 4)


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    def run(name):
        with backend.use_backend(name):
            re, im, sig = Variable(RE), Variable(IM), Variable(SIGNAL)
            with GradientTape() as tape:
                outs = [*fft((re, im)), *fft2((re, im)), *ifft2((re, im)), *rfft(re, 7),
                        irfft((re, im), 7), *stft(sig, 6, 2, 8, "hamming"),
                        istft(stft(sig, 8, 2, 8), 8, 2, 8)]
                loss = sum(ops.sum(o * o) for o in outs)
            grads = tape.gradient(loss, [re, im, sig])
            return [np.asarray(o) for o in outs + list(grads)]
    for got, expected in zip(run("cupy"), run("numpy")):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
