"""STFTSpectrogram (Keras 3): short-time Fourier transforms as a strided 1D convolution."""

from __future__ import annotations

import math
import warnings
from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import checked_data_format, owner, positive_int
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.stft_kernels import (
    check_window,
    dft_kernels,
    window_config,
    window_values,
)

__all__ = ["STFTSpectrogram"]

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Spectrogram of each channel of a ``(batch, time, channels)`` signal.

    Frames of ``frame_length`` samples, ``frame_step`` apart, are windowed and transformed
    by a DFT of ``fft_length`` points, written as a convolution with two kernels
    ``real_kernel`` and ``imag_kernel`` ``(frame_length, 1, fft_length // 2 + 1)``: the
    window times ``cos`` / ``sin`` of ``-2 pi t k / fft_length``, divided by the window's
    ``sqrt(sum w^2)`` (scaling ``'density'``) or ``sum |w|`` (``'spectrum'``). As in Keras
    they are trainable weights (a learnable front end); set ``trainable=False`` to freeze.

    Args:
        mode: ``'log'`` (log magnitude, default), ``'magnitude'``, ``'psd'`` (power, the
            non-DC/Nyquist bins doubled), ``'real'``, ``'imag'``, ``'angle'`` (phase) or
            ``'stft'`` (real parts then imaginary parts, concatenated per channel).
        frame_length: samples per frame.
        frame_step: hop between frames (default ``frame_length // 2``), in
            ``[1, frame_length]``.
        fft_length: DFT size, at least frame_length (default: the next power of two).
        window: a window name (``'hann'``, ``'hamming'``, ``'blackman'``, ``'boxcar'`` and
            scipy's aliases), a 1D array of ``frame_length`` values, or None (no window and
            no scaling).
        periodic: use the periodic (DFT-even) form of a named window.
        scaling: ``'density'``, ``'spectrum'`` or None.
        padding: ``'valid'`` or ``'same'`` (of the framing convolution).
        expand_dims: keep channels and frequencies on separate axes.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input: floats ``(batch, time, channels)`` (channels_first ``(batch, channels, time)``).
    Output (``F = fft_length // 2 + 1``, doubled in ``'stft'`` mode, ``T'`` frames):
    ``(batch, T', channels * F)`` or with expand_dims ``(batch, T', F, channels)``;
    channels_first ``(batch, channels * F, T')`` or ``(batch, channels, T', F)``.

    Example::

        STFTSpectrogram(frame_length=256, frame_step=128, mode="magnitude")(audio)
    """

    def __init__(self, mode: str = "log", frame_length: int = 256,
                 frame_step: int | None = None, fft_length: int | None = None,
                 window: Any = "hann", periodic: bool = False, scaling: str | None = "density",
                 padding: str = "valid", expand_dims: bool = False,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        who = owner(self)
        self.frame_length = positive_int(who, "frame_length", frame_length)
        if frame_step is not None and not 1 <= positive_int(
                who, "frame_step", frame_step) <= self.frame_length:
            raise ValueError(f"{who}: `frame_step` should be a positive integer not greater "
                             f"than `frame_length`. Received frame_step={frame_step}, "
                             f"frame_length={frame_length}")
        if fft_length is not None and positive_int(who, "fft_length",
                                                   fft_length) < self.frame_length:
            raise ValueError(f"{who}: `fft_length` should be not less than `frame_length`. "
                             f"Received fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and fft_length & (fft_length - 1):
            warnings.warn(f"{who}: `fft_length` is recommended to be a power of two. "
                          f"Received fft_length={fft_length}", stacklevel=2)
        if mode not in _MODES:
            raise ValueError(f"{who}: `mode` must be one of {_MODES}. Received: mode={mode!r}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"{who}: `scaling` must be None, 'density' or 'spectrum'. "
                             f"Received scaling={scaling!r}")
        if padding not in ("valid", "same"):
            raise ValueError(f"{who}: `padding` must be 'valid' or 'same'. "
                             f"Received: padding={padding!r}")
        check_window(who, window, self.frame_length)
        self.mode = mode
        self.frame_step = frame_step
        self._frame_step = frame_step or self.frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(self.frame_length)))
        self.window = window
        self.periodic = bool(periodic)
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = bool(expand_dims)
        self.data_format = checked_data_format(who, data_format)
        self.real_kernel: Any = None
        self.imag_kernel: Any = None

    def _check_rank(self, shape: tuple) -> None:
        if len(shape) != 3:
            raise ValueError(f"{owner(self)}: expected an input of rank 3 (batch, time, "
                             f"channels) or, channels_first, (batch, channels, time). "
                             f"Received: shape={tuple(shape)}")

    def build(self, input_shape: Any) -> None:
        self._check_rank(tuple(input_shape))
        num_bins = self._fft_length // 2 + 1
        for side in ("real", "imag"):
            if self.mode == {"real": "imag", "imag": "real"}.get(side):
                continue  # 'real' mode needs no imaginary kernel, and conversely
            setattr(self, f"{side}_kernel", self.add_weight(
                name=f"{side}_kernel", shape=(self.frame_length, 1, num_bins),
                initializer=self._kernel_initializer(side)))
        self.built = True

    def _kernel_initializer(self, side: str) -> Any:
        def initializer(shape: Any, dtype: Any = None) -> Any:
            window = window_values(self.window, self.frame_length, self.periodic, "float64")
            # Keras's DFT period: 2 * (bins - 1), i.e. fft_length rounded down to even.
            kernels = dft_kernels(window, shape[-1], 2 * (shape[-1] - 1), "float64")
            kernel = kernels[0 if side == "real" else 1]
            if self.window is not None and self.scaling == "density":
                kernel = kernel / ops.sqrt(ops.sum(ops.square(window)))
            elif self.window is not None and self.scaling == "spectrum":
                kernel = kernel / ops.sum(ops.abs(window))
            return ops.cast(kernel, dtype or self.compute_dtype).data

        return initializer

    def _frames_dft(self, inputs: Tensor, kernel: Tensor) -> Tensor:
        """``(batch, channels, frames, bins)``: one kernel convolved over every channel."""
        if self.data_format == "channels_last":
            inputs = ops.transpose(inputs, (0, 2, 1))
        batch, channels, steps = inputs.shape
        signals = ops.reshape(inputs, (batch * channels, steps, 1))
        outputs = ops.conv(signals, ops.cast(kernel, inputs.dtype), strides=self._frame_step,
                           padding=self.padding, data_format="channels_last")
        return ops.reshape(outputs, (batch, channels, outputs.shape[1], outputs.shape[2]))

    def _arrange(self, outputs: Tensor) -> Tensor:
        batch, channels, frames, bins = outputs.shape
        if self.data_format == "channels_last":
            if self.expand_dims:
                return ops.transpose(outputs, (0, 2, 3, 1))
            return ops.reshape(ops.transpose(outputs, (0, 2, 1, 3)),
                               (batch, frames, channels * bins))
        if self.expand_dims:
            return outputs
        return ops.reshape(ops.transpose(outputs, (0, 1, 3, 2)), (batch, channels * bins, frames))

    def call(self, inputs: Tensor) -> Tensor:
        self._check_rank(tuple(inputs.shape))
        if inputs.dtype not in ("float16", "float32", "float64"):
            raise TypeError(f"{owner(self)}: expected float16, float32 or float64 inputs. "
                            f"Received: inputs.dtype={inputs.dtype}")
        real = None if self.mode == "imag" else self._frames_dft(inputs, self.real_kernel)
        imag = None if self.mode == "real" else self._frames_dft(inputs, self.imag_kernel)
        if self.mode == "real":
            return self._arrange(real)
        if self.mode == "imag":
            return self._arrange(imag)
        if self.mode == "angle":
            return self._arrange(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._arrange(ops.concatenate([real, imag], axis=-1))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":
            # One-sided power: every bin but DC and Nyquist also stands for its mirror.
            mirrored = ops.pad(power[..., 1:-1], [[0, 0], [0, 0], [0, 0], [1, 1]])
            return self._arrange(power + mirrored)
        magnitude = self._arrange(ops.sqrt(ops.maximum(power, backend.epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return ops.log(ops.maximum(magnitude, backend.epsilon()))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        batch = input_shape[0]
        channels, steps = ((input_shape[2], input_shape[1]) if self.data_format ==
                           "channels_last" else (input_shape[1], input_shape[2]))
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        if steps is None:
            frames = None
        elif self.padding == "same":
            frames = -(-steps // self._frame_step)
        else:
            frames = max(0, -(-(steps - self.frame_length + 1) // self._frame_step))
        if self.expand_dims:
            return ((batch, frames, bins, channels) if self.data_format == "channels_last"
                    else (batch, channels, frames, bins))
        flat = None if channels is None else channels * bins
        return ((batch, frames, flat) if self.data_format == "channels_last"
                else (batch, flat, frames))

    def get_config(self) -> dict[str, Any]:
        window = window_config(self.window)
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}
