"""STFTSpectrogram and MelSpectrogram: numpy.fft.rfft references, Keras 3 parity, the standard
layer checks (float64 gradients w.r.t. the signal and the DFT kernels), config, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers.layers.preprocessing.mel_spectrogram import MelSpectrogram
from gpulayers.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from gpulayers.testing.layer_test import run_layer_test

RNG = np.random.default_rng(7)
SIGNAL = RNG.standard_normal((2, 40, 3)).astype("float32")


def _window(name, length, periodic):
    if name is None:
        return np.ones(length)
    if isinstance(name, list):
        return np.asarray(name, dtype="float64")
    make = {"hann": np.hanning, "hamming": np.hamming, "blackman": np.blackman}[name]
    return make(length + 1)[:-1] if periodic else make(length)


def _stft_reference(x, mode="log", frame_length=256, frame_step=None, fft_length=None,
                    window="hann", periodic=False, scaling="density", padding="valid",
                    expand_dims=False, data_format="channels_last"):
    """Frames cut by hand, windowed, transformed with numpy.fft.rfft."""
    x = x.astype("float64")
    if data_format == "channels_first":
        x = x.transpose(0, 2, 1)
    step = frame_step or frame_length // 2
    fft_length = fft_length or int(2 ** np.ceil(np.log2(frame_length)))
    steps = x.shape[1]
    if padding == "same":  # TensorFlow/Keras 'same': the extra zero goes at the end
        frames = -(-steps // step)
        total = max((frames - 1) * step + frame_length - steps, 0)
        x = np.pad(x, [(0, 0), (total // 2, total - total // 2), (0, 0)])
    else:
        frames = (steps - frame_length) // step + 1
    win = _window(window, frame_length, periodic)
    scale = 1.0
    if window is not None:
        scale = {"density": np.sqrt((win ** 2).sum()), "spectrum": np.abs(win).sum(),
                 None: 1.0}[scaling]
    framed = np.stack([x[:, i * step:i * step + frame_length] for i in range(frames)], 1)
    spectrum = np.fft.rfft(framed * win[:, None] / scale, n=fft_length, axis=2)
    # spectrum: (batch, frames, bins, channels)
    power = np.abs(spectrum) ** 2
    out = {"real": spectrum.real, "imag": spectrum.imag, "angle": np.angle(spectrum),
           "stft": np.concatenate([spectrum.real, spectrum.imag], axis=2),
           "magnitude": np.sqrt(np.maximum(power, 1e-7)),
           "log": np.log(np.maximum(np.sqrt(np.maximum(power, 1e-7)), 1e-7))}.get(mode)
    if mode == "psd":
        out = power.copy()
        out[:, :, 1:-1] *= 2
    if data_format == "channels_last":
        if expand_dims:
            return out
        return out.transpose(0, 1, 3, 2).reshape(out.shape[0], out.shape[1], -1)
    out = out.transpose(0, 3, 1, 2)  # (batch, channels, frames, bins)
    if expand_dims:
        return out
    return out.transpose(0, 1, 3, 2).reshape(out.shape[0], -1, out.shape[2])


def _assert_spectra_close(mode, got, expected, rtol, atol):
    if mode == "angle":  # phases equal modulo 2 pi (+-pi where the imaginary part is ~0)
        got, expected = np.exp(1j * got), np.exp(1j * expected)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


STFT_CASES = [
    {"frame_length": 16},
    {"mode": "magnitude", "frame_length": 8, "frame_step": 3, "fft_length": 16,
     "padding": "same"},
    {"mode": "psd", "frame_length": 10, "window": "hamming", "periodic": True,
     "scaling": "spectrum"},
    {"mode": "stft", "frame_length": 8, "expand_dims": True},
    {"mode": "angle", "frame_length": 8, "window": None},
    {"mode": "real", "frame_length": 7, "data_format": "channels_first", "scaling": None},
    {"mode": "imag", "frame_length": 8, "expand_dims": True, "data_format": "channels_first",
     "window": "blackman"},
    {"mode": "log", "frame_length": 6, "frame_step": 6, "padding": "same",
     "data_format": "channels_first", "window": [0.1, 0.5, 1.0, 1.0, 0.5, 0.1]},
]


def _signal_for(kwargs):
    return SIGNAL.transpose(0, 2, 1) if kwargs.get("data_format") == "channels_first" else (
        SIGNAL)


@pytest.mark.parametrize("kwargs", STFT_CASES)
def test_stft_matches_rfft_reference(kwargs):
    x = _signal_for(kwargs)
    got = np.asarray(STFTSpectrogram(**kwargs)(x))
    expected = _stft_reference(x, **kwargs)
    assert got.shape == expected.shape
    _assert_spectra_close(kwargs.get("mode", "log"), got, expected, rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("kwargs", STFT_CASES)
def test_stft_keras_parity(kwargs):
    keras = keras_or_skip()
    x = _signal_for(kwargs)
    theirs = keras.layers.STFTSpectrogram(**kwargs)
    expected = to_numpy(theirs(x))
    ours = STFTSpectrogram(**kwargs)
    ours(x)
    keras_weights = theirs.get_weights()
    assert [w.name.split("/")[-1] for w in ours.weights] == [
        w.path.split("/")[-1] for w in theirs.weights]
    assert len(ours.trainable_weights) == len(theirs.trainable_weights)
    for mine, their in zip(ours.get_weights(), keras_weights):
        np.testing.assert_allclose(mine, their, rtol=1e-5, atol=3e-6)  # same DFT kernels
    perturbed = [w + RNG.standard_normal(w.shape).astype("float32") * 0.01
                 for w in keras_weights]  # trained kernels: the layout must match too
    theirs.set_weights(perturbed)
    ours.set_weights(perturbed)
    _assert_spectra_close(kwargs.get("mode", "log"), np.asarray(ours(x)), to_numpy(theirs(x)),
                          rtol=1e-4, atol=2e-5)
    _assert_spectra_close(kwargs.get("mode", "log"), np.asarray(
        STFTSpectrogram(**kwargs)(x)), expected, rtol=1e-4, atol=2e-5)
    assert ours.compute_output_shape(x.shape) == tuple(theirs.compute_output_shape(x.shape))
    assert ours.compute_output_shape((None, *x.shape[1:])) == tuple(
        theirs.compute_output_shape((None, *x.shape[1:])))
    config = ours.get_config()
    keras_config = theirs.get_config()
    assert set(config) == set(keras_config)
    for key in set(config) - {"name", "dtype"}:
        assert config[key] == keras_config[key], key


@pytest.mark.parametrize("kwargs", [
    {"mode": "log", "frame_length": 4, "frame_step": 2},
    {"mode": "psd", "frame_length": 4, "frame_step": 3, "padding": "same", "window": None},
    # The phase of the DC and Nyquist bins (imaginary part exactly 0) jumps between 0 and
    # pi: finite differences are meaningless there, so 'angle' is checked without them.
    {"mode": "angle", "frame_length": 4, "expand_dims": True, "window": "hamming"},
    {"mode": "stft", "frame_length": 4, "data_format": "channels_first"},
])
def test_stft_layer_checks_and_gradients(kwargs):
    shape = (1, 2, 10) if kwargs.get("data_format") == "channels_first" else (1, 10, 2)
    run_layer_test(STFTSpectrogram, kwargs, input_shape=shape,
                   expected_num_trainable_weights=2, supports_masking=False,
                   run_gradient_check=kwargs["mode"] != "angle")


def test_stft_kernels_can_be_frozen_and_real_mode_has_one_kernel():
    layer = STFTSpectrogram(mode="real", frame_length=8, trainable=False)
    layer(SIGNAL)
    assert [w.name.split("/")[-1] for w in layer.weights] == ["real_kernel"]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mode": "power"}, "mode"),
    ({"frame_step": 20, "frame_length": 16}, "frame_step"),
    ({"frame_step": 0, "frame_length": 16}, "frame_step"),
    ({"fft_length": 8, "frame_length": 16}, "fft_length"),
    ({"scaling": "energy"}, "scaling"),
    ({"padding": "causal"}, "padding"),
    ({"window": "kaiser-ish"}, "window"),
    ({"window": [1.0, 2.0], "frame_length": 4}, "window"),
    ({"data_format": "channels_middle"}, "data_format"),
])
def test_stft_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=f"'stft_bad'.*{match}"):
        STFTSpectrogram(**kwargs, name="stft_bad")


def test_stft_bad_inputs_raise_and_fft_length_warns():
    layer = STFTSpectrogram(frame_length=8, name="stft_in")
    with pytest.raises(ValueError, match="'stft_in'.*rank 3"):
        layer(SIGNAL[0])
    with pytest.raises(TypeError, match="'stft_in'.*float"):
        STFTSpectrogram(frame_length=8, name="stft_in")(SIGNAL.astype("int32"))
    with pytest.warns(UserWarning, match="power of two"):
        STFTSpectrogram(frame_length=8, fft_length=12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        STFTSpectrogram(frame_length=8, fft_length=16)


# -- MelSpectrogram ----------------------------------------------------------------------------
AUDIO = RNG.standard_normal((2, 200)).astype("float32")


def _mel_reference(x, fft_length=2048, sequence_stride=512, sequence_length=None,
                   window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                   max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0,
                   min_power=1e-10, ref_power=1.0):
    """Centered frames by hand, numpy.fft.rfft, HTK triangles computed point by point."""
    x = np.atleast_2d(x.astype("float64"))
    length = sequence_length or fft_length
    max_freq = max_freq or sampling_rate // 2
    win = _window(window, length, periodic=True)
    left = (fft_length - length) // 2
    win = np.pad(win, (left, fft_length - length - left))
    padded = np.pad(x, [(0, 0), (fft_length // 2, fft_length // 2)], mode="reflect")
    frames = 1 + (padded.shape[1] - fft_length) // sequence_stride
    framed = np.stack([padded[:, i * sequence_stride:i * sequence_stride + fft_length]
                       for i in range(frames)], 1)
    spec = np.abs(np.fft.rfft(framed * win, axis=-1)) ** mag_exp
    mel = lambda f: 1127.0 * np.log(1.0 + f / 700.0)  # noqa: E731
    edges = np.linspace(mel(min_freq), mel(max_freq), num_mel_bins + 2)
    freqs = mel(np.linspace(0, sampling_rate / 2, fft_length // 2 + 1))
    filters = np.zeros((fft_length // 2 + 1, num_mel_bins))
    for m in range(num_mel_bins):
        for k in range(1, fft_length // 2 + 1):  # the DC bin stays 0
            rise = (freqs[k] - edges[m]) / (edges[m + 1] - edges[m])
            fall = (edges[m + 2] - freqs[k]) / (edges[m + 2] - edges[m + 1])
            filters[k, m] = max(0.0, min(rise, fall))
    out = spec @ filters
    if power_to_db:
        out = 10 * np.log10(np.maximum(out, min_power)) - 10 * np.log10(
            max(abs(ref_power), min_power))
        out = np.maximum(out, out.max() - top_db)
    return out.transpose(0, 2, 1)


MEL_CASES = [
    {"fft_length": 64, "sequence_stride": 16, "num_mel_bins": 10, "sampling_rate": 8000},
    {"fft_length": 64, "sequence_stride": 20, "sequence_length": 40, "window": "hamming",
     "num_mel_bins": 8, "power_to_db": False, "mag_exp": 1.0, "min_freq": 100,
     "max_freq": 3000},
    {"fft_length": 32, "sequence_stride": 8, "num_mel_bins": 6, "window": None,
     "top_db": 20.0, "ref_power": 2.0},
]


@pytest.mark.parametrize("kwargs", MEL_CASES)
def test_mel_matches_rfft_reference(kwargs):
    got = np.asarray(MelSpectrogram(**kwargs)(AUDIO))
    expected = _mel_reference(AUDIO, **kwargs)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    single = np.asarray(MelSpectrogram(**kwargs)(AUDIO[0]))  # an unbatched signal
    if not kwargs.get("power_to_db", True):  # (dB floors follow the whole batch's maximum)
        np.testing.assert_allclose(single, got[0], rtol=1e-5, atol=1e-6)
    assert single.shape == got.shape[1:]


@pytest.mark.parametrize("kwargs", MEL_CASES)
def test_mel_keras_parity(kwargs):
    keras = keras_or_skip()
    theirs = keras.layers.MelSpectrogram(**kwargs)
    expected = to_numpy(theirs(AUDIO))
    ours = MelSpectrogram(**kwargs)
    got = np.asarray(ours(AUDIO))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    assert ours.weights == [] and theirs.weights == []
    assert ours.compute_output_shape(AUDIO.shape) == tuple(
        theirs.compute_output_shape(AUDIO.shape))
    config, keras_config = ours.get_config(), theirs.get_config()
    assert set(config) == set(keras_config)
    for key in set(config) - {"name", "dtype"}:
        assert config[key] == keras_config[key], key


@pytest.mark.parametrize("kwargs", [
    {"fft_length": 8, "sequence_stride": 4, "num_mel_bins": 3, "sampling_rate": 100,
     "min_freq": 5.0, "power_to_db": False},
    {"fft_length": 8, "sequence_stride": 3, "sequence_length": 6, "num_mel_bins": 3,
     "sampling_rate": 100, "min_freq": 5.0, "window": "hamming", "top_db": 300.0},
])
def test_mel_layer_checks_and_gradients(kwargs):
    run_layer_test(MelSpectrogram, kwargs, input_shape=(2, 20),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_mel_errors():
    for kwargs, match in [({"fft_length": 16, "sequence_length": 32}, "sequence_length"),
                          ({"window": "blackman"}, "window"),
                          ({"num_mel_bins": 0}, "num_mel_bins"),
                          ({"sequence_stride": 0}, "sequence_stride"),
                          ({"min_freq": 9000.0}, "min_freq"),
                          ({"sampling_rate": 0}, "sampling_rate"),
                          ({"fft_length": 16, "window": [1.0, 2.0]}, "window")]:
        with pytest.raises(ValueError, match=f"'mel_bad'.*{match}"):
            MelSpectrogram(**kwargs, name="mel_bad")
    layer = MelSpectrogram(fft_length=16, sequence_stride=4, name="mel_in")
    with pytest.raises(ValueError, match="'mel_in'.*samples"):
        layer(AUDIO[None])
    with pytest.raises(ValueError, match="'mel_in'.*more than 8"):
        layer(AUDIO[:, :8])
    with pytest.raises(TypeError, match="'mel_in'.*float"):
        MelSpectrogram(fft_length=16, name="mel_in")(AUDIO.astype("int32"))
