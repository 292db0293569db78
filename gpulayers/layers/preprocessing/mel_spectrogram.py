"""MelSpectrogram (Keras 3): STFT magnitudes warped onto the mel scale, in decibels."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import owner, positive_int
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.stft_kernels import (
    check_window,
    dft_kernels,
    window_config,
    window_values,
)

__all__ = ["MelSpectrogram"]

# HTK mel scale: mel(f) = 1127 * ln(1 + f / 700) (= 2595 * log10(1 + f / 700)).
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(hertz: Tensor) -> Tensor:
    return _MEL_HIGH_FREQUENCY_Q * ops.log(1.0 + hertz / _MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins: int, num_spectrogram_bins: int,
                                sampling_rate: float, lower_edge_hertz: float,
                                upper_edge_hertz: float, dtype: str = "float32") -> Tensor:
    """``(num_spectrogram_bins, num_mel_bins)`` triangular filters (peak 1) mapping linear
    bins over ``[0, sampling_rate / 2]`` onto mel bands spanning ``[lower, upper]`` Hz; the
    DC bin gets no weight (TensorFlow's and Keras's matrix)."""
    nyquist = sampling_rate / 2.0
    linear = ops.linspace(0.0, nyquist, num_spectrogram_bins, dtype="float64")[1:]
    bins_mel = ops.expand_dims(_hertz_to_mel(linear), 1)
    edges = ops.linspace(float(_hertz_to_mel(ops.convert_to_tensor(float(lower_edge_hertz)))),
                         float(_hertz_to_mel(ops.convert_to_tensor(float(upper_edge_hertz)))),
                         num_mel_bins + 2, dtype="float64")
    lower, center, upper = (ops.reshape(edges[i:i + num_mel_bins], (1, num_mel_bins))
                            for i in range(3))
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = ops.maximum(0.0, ops.minimum(lower_slopes, upper_slopes))
    return ops.cast(ops.pad(weights, [[1, 0], [0, 0]]), dtype)


class MelSpectrogram(Layer):
    """Mel spectrogram of 1D signals ``(batch, samples)`` or ``(samples,)``.

    The signal is reflect-padded by ``fft_length // 2`` at both ends (centered frames, as
    ``torch.stft(center=True)``), cut into frames ``sequence_stride`` apart, each windowed by
    a periodic ``window`` of ``sequence_length`` samples (centered in ``fft_length``) and
    transformed by a DFT of ``fft_length`` points, computed as a strided convolution with
    cos/sin kernels. The magnitudes raised to ``mag_exp`` are multiplied by triangular mel
    filters and, with ``power_to_db``, turned into ``10 log10(max(x, min_power) / ref_power)``
    clipped at ``top_db`` below the maximum of the whole batch.

    Args:
        fft_length: DFT size.
        sequence_stride: hop between frames.
        sequence_length: window length (default fft_length), at most fft_length.
        window: ``'hann'``, ``'hamming'``, a 1D array of sequence_length values, or None.
        sampling_rate: samples per second of the signal.
        num_mel_bins: number of mel bands.
        min_freq / max_freq: band range in Hz (max default ``sampling_rate / 2``).
        power_to_db: output decibels instead of powers.
        top_db: the dynamic range kept below the maximum, in dB.
        mag_exp: 1 for magnitudes, 2 for powers.
        min_power: floor before the logarithm. ref_power: 0 dB reference.

    Output: ``(batch, num_mel_bins, frames)`` (or ``(num_mel_bins, frames)``), with
    ``frames = 1 + samples // sequence_stride`` for an even fft_length.

    Example::

        MelSpectrogram(fft_length=512, sequence_stride=128, num_mel_bins=64)(audio)
    """

    def __init__(self, fft_length: int = 2048, sequence_stride: int = 512,
                 sequence_length: int | None = None, window: Any = "hann",
                 sampling_rate: float = 16000, num_mel_bins: int = 128, min_freq: float = 20.0,
                 max_freq: float | None = None, power_to_db: bool = True, top_db: float = 80.0,
                 mag_exp: float = 2.0, min_power: float = 1e-10, ref_power: float = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        who = owner(self)
        self.fft_length = positive_int(who, "fft_length", fft_length)
        self.sequence_stride = positive_int(who, "sequence_stride", sequence_stride)
        self.sequence_length = positive_int(who, "sequence_length",
                                            sequence_length or fft_length)
        if self.fft_length < self.sequence_length:
            raise ValueError(f"{who}: `fft_length` must be greater than or equal to "
                             f"`sequence_length`. Received: sequence_length="
                             f"{self.sequence_length}, fft_length={self.fft_length}")
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ValueError(f"{who}: a string `window` must be 'hann' or 'hamming'. "
                             f"Received: window={window!r}")
        check_window(who, window, self.sequence_length)
        self.window = window
        if sampling_rate <= 0:
            raise ValueError(f"{who}: `sampling_rate` must be positive. "
                             f"Received: sampling_rate={sampling_rate!r}")
        self.sampling_rate = sampling_rate
        self.num_mel_bins = positive_int(who, "num_mel_bins", num_mel_bins)
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        if not 0 <= self.min_freq < self.max_freq:
            raise ValueError(f"{who}: expected 0 <= min_freq < max_freq. Received: "
                             f"min_freq={min_freq!r}, max_freq={self.max_freq!r}")
        self.power_to_db = bool(power_to_db)
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power

    def _work_dtype(self) -> str:
        # As Keras: the transform runs in float32 unless the layer computes in float64.
        return self.compute_dtype if self.compute_dtype in ("float32", "float64") else "float32"

    def build(self, input_shape: Any) -> None:
        dtype = self._work_dtype()
        window = window_values(self.window, self.sequence_length, True, "float64")
        left = (self.fft_length - self.sequence_length) // 2
        window = ops.pad(window, [[left, self.fft_length - self.sequence_length - left]])
        bins = self.fft_length // 2 + 1
        # Constants of the transform, not weights (Keras's layer has none).
        self._dft_real, self._dft_imag = dft_kernels(window, bins, self.fft_length, dtype)
        self._mel_matrix = linear_to_mel_weight_matrix(
            self.num_mel_bins, bins, self.sampling_rate, self.min_freq, self.max_freq, dtype)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        who = owner(self)
        if inputs.ndim not in (1, 2):
            raise ValueError(f"{who}: expected signals (batch, samples) or (samples,). "
                             f"Received: shape={tuple(inputs.shape)}")
        if "float" not in inputs.dtype:
            raise TypeError(f"{who}: expected float inputs. Received: dtype={inputs.dtype}")
        pad = self.fft_length // 2
        if inputs.shape[-1] <= pad:
            raise ValueError(f"{who}: centered frames reflect-pad the signal by fft_length "
                             f"// 2 = {pad}, so it needs more than {pad} samples. "
                             f"Received: shape={tuple(inputs.shape)}")
        signal = ops.cast(inputs, self._work_dtype())
        signal = ops.reshape(signal, (-1, signal.shape[-1], 1))
        signal = ops.pad(signal, [[0, 0], [pad, pad], [0, 0]], mode="reflect")
        real = ops.conv(signal, self._dft_real, strides=self.sequence_stride, padding="valid",
                        data_format="channels_last")
        imag = ops.conv(signal, self._dft_imag, strides=self.sequence_stride, padding="valid",
                        data_format="channels_last")
        spectrum = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        outputs = ops.matmul(spectrum, self._mel_matrix)  # (batch, frames, mels)
        if self.power_to_db:
            outputs = self._decibels(outputs)
        outputs = ops.swapaxes(outputs, -1, -2)
        if inputs.ndim == 1:
            outputs = outputs[0]
        return ops.cast(outputs, self.compute_dtype)

    def _decibels(self, power: Tensor) -> Tensor:
        log_spec = 10.0 * ops.log10(ops.maximum(power, self.min_power))
        reference = max(abs(float(self.ref_power)), self.min_power)
        log_spec = log_spec - 10.0 * ops.log10(ops.convert_to_tensor(reference,
                                                                     dtype=power.dtype))
        # The floor follows the loudest value of the whole batch, as in Keras.
        return ops.maximum(log_spec, ops.max(log_spec) - self.top_db)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        samples = input_shape[-1]
        frames = None if samples is None else 1 + (
            samples + 2 * (self.fft_length // 2) - self.fft_length) // self.sequence_stride
        return (*input_shape[:-1], self.num_mel_bins, frames)

    def get_config(self) -> dict[str, Any]:
        window = window_config(self.window)
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}
