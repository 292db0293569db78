"""Window functions and the real-input DFT written as 1D convolution kernels: what
STFTSpectrogram and MelSpectrogram share to turn framed signals into frequency bins."""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor

__all__ = ["WINDOW_NAMES", "check_window", "dft_kernels", "window_config", "window_values"]

# Generalized cosine windows w[n] = sum_k (-1)^k a_k cos(2 pi k n / M), with scipy's names
# and aliases; M is length - 1 (symmetric) or length (periodic, i.e. for spectral analysis).
_COSINE_COEFFICIENTS = {
    "hann": (0.5, 0.5), "han": (0.5, 0.5),
    "hamming": (0.54, 0.46), "hamm": (0.54, 0.46), "ham": (0.54, 0.46),
    "blackman": (0.42, 0.5, 0.08), "black": (0.42, 0.5, 0.08), "blk": (0.42, 0.5, 0.08),
    "boxcar": (1.0,), "box": (1.0,), "ones": (1.0,), "rect": (1.0,), "rectangular": (1.0,),
}
WINDOW_NAMES = tuple(_COSINE_COEFFICIENTS)


def check_window(who: str, window: Any, length: int | None = None) -> None:
    """Raise a ValueError naming ``who`` unless ``window`` is None, a known window name or a
    1D sequence (of ``length`` values, when given)."""
    if window is None:
        return
    if isinstance(window, str):
        if window not in _COSINE_COEFFICIENTS:
            raise ValueError(f"{who}: `window` must be None, one of {WINDOW_NAMES} or a 1D "
                             f"array of window values. Received: window={window!r}")
        return
    shape = tuple(ops.convert_to_tensor(window).shape)
    if len(shape) != 1 or (length is not None and shape[0] != length):
        raise ValueError(f"{who}: the shape of `window` must be ({length},) (the frame "
                         f"length). Received: window shape={shape}")


def window_config(window: Any) -> Any:
    """``window`` as a config value: a name, None or a list of floats."""
    if window is None or isinstance(window, (str, list)):
        return window
    if isinstance(window, tuple):
        return list(window)
    return ops.convert_to_tensor(window).numpy().tolist()


def window_values(window: Any, length: int, periodic: bool, dtype: str) -> Tensor:
    """The ``(length,)`` window: a named cosine window (symmetric, or periodic when
    ``periodic``), the given values, or ones for None."""
    if window is None:
        return ops.ones((length,), dtype=dtype)
    if not isinstance(window, str):
        return ops.cast(ops.convert_to_tensor(window), dtype)
    coefficients = _COSINE_COEFFICIENTS[window]
    if length == 1 or len(coefficients) == 1:
        return ops.ones((length,), dtype=dtype)
    period = length if periodic else length - 1
    n = ops.arange(length, dtype="float64")
    values = ops.zeros((length,), dtype="float64")
    for k, a in enumerate(coefficients):
        values = values + ((-1) ** k * a) * ops.cos(n * (2.0 * math.pi * k / period))
    return ops.cast(values, dtype)


def dft_kernels(window: Tensor, num_bins: int, period: int, dtype: str) -> tuple[Tensor, Tensor]:
    """Real and imaginary DFT kernels, each ``(taps, 1, num_bins)`` with taps the window's
    length: ``window[t] * cos(-2 pi t k / period)`` and ``window[t] * sin(...)``, so a
    stride-``hop`` convolution of a ``(batch, steps, 1)`` signal gives the real and imaginary
    parts of the FFT (length ``period``) of each windowed frame, bins ``k < num_bins``."""
    taps = window.shape[0]
    time = ops.reshape(ops.arange(taps, dtype="float64"), (taps, 1, 1))
    freq = ops.reshape(ops.arange(num_bins, dtype="float64"), (1, 1, num_bins))
    angles = time * freq * (-2.0 * math.pi / period)
    weights = ops.reshape(ops.cast(window, "float64"), (taps, 1, 1))
    return (ops.cast(ops.cos(angles) * weights, dtype),
            ops.cast(ops.sin(angles) * weights, dtype))
