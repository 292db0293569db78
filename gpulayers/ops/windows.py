"""Window functions for signal processing: bartlett, blackman, hamming, hanning, kaiser.

Each returns a 1-d ``floatx()`` tensor of ``x`` points (Keras 3 ``keras.ops`` names, NumPy's
definitions); they are constants, with no gradient. CuPy provides the same five functions.

Example::

    ops.hanning(5)          # [0. , 0.5, 1. , 0.5, 0. ]
    ops.kaiser(4, beta=2.0)
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.axes import as_int

__all__ = ["bartlett", "blackman", "hamming", "hanning", "kaiser"]


def _window(name: str, x: Any, *args: float) -> Tensor:
    length = as_int(x.item() if isinstance(x, Tensor) else x, name, "x")
    window = getattr(backend.xp(), name)(length, *args)
    return Tensor(window.astype(backend.floatx()))


def bartlett(x: int) -> Tensor:
    """The triangular Bartlett window of ``x`` points (``x <= 0`` gives an empty tensor)."""
    return _window("bartlett", x)


def blackman(x: int) -> Tensor:
    """The Blackman window of ``x`` points (three cosine terms, low leakage)."""
    return _window("blackman", x)


def hamming(x: int) -> Tensor:
    """The Hamming window of ``x`` points: ``0.54 - 0.46 cos(2 pi n / (x - 1))``."""
    return _window("hamming", x)


def hanning(x: int) -> Tensor:
    """The Hann window of ``x`` points: ``0.5 - 0.5 cos(2 pi n / (x - 1))``."""
    return _window("hanning", x)


def kaiser(x: int, beta: float) -> Tensor:
    """The Kaiser window of ``x`` points with shape parameter ``beta`` (0: rectangular).

    Example: ``kaiser(5, 0.0)`` is all ones.
    """
    if isinstance(beta, Tensor):
        beta = beta.item()
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) and not hasattr(
            beta, "__float__"):
        raise TypeError(f"kaiser: `beta` must be a number. Received: beta={beta!r}")
    return _window("kaiser", x, float(beta))
