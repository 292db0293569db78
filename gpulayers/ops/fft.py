"""Fourier transforms (Keras 3 ``keras.ops`` names): fft, fft2, ifft2, rfft, irfft, stft,
istft.

gpulayers has no complex dtype; as in Keras, a complex tensor is a ``(real, imag)`` pair of
float tensors of the same shape. Every transform is linear, so its gradient is its adjoint:
``fft``'s is ``n * ifft``, ``rfft``'s an ``fft`` of the zero-padded half spectrum, and so on.
float16 computes in complex64 and is cast back; integer input to ``rfft`` gives floatx.

Example::

    real, imag = ops.rfft(signal)                        # (..., n // 2 + 1) each
    signal = ops.irfft((real, imag), fft_length=n)
    real, imag = ops.stft(audio, 256, 64, 256)           # (..., frames, 129)
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.arithmetic import divide, multiply
from gpulayers.ops.broadcasting import reduce_grad_to_input
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.indexing import take
from gpulayers.ops.reordering import pad

__all__ = ["fft", "fft2", "ifft2", "irfft", "istft", "rfft", "stft"]


def _complex_pair(name: str, x: Any, min_rank: int) -> tuple[Tensor, Tensor, Any]:
    """The (real, imag) tensors of a complex pair and their value as a complex array."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name}: expected `x` to be a tuple of two tensors (real, imag). "
                         f"Received: {type(x).__name__}")
    real, imag = (to_operand_tensor(part, name) for part in x)
    if real.shape != imag.shape:
        raise ValueError(f"{name}: the real and imaginary parts must have the same shape. "
                         f"Received: x[0].shape={real.shape}, x[1].shape={imag.shape}")
    if not (real.dtype.startswith("float") and imag.dtype.startswith("float")):
        raise ValueError(f"{name}: both parts must be float tensors. Received dtypes "
                         f"{real.dtype} and {imag.dtype}")
    if real.ndim < min_rank:
        raise ValueError(f"{name}: expected tensors of rank >= {min_rank}. Received shape "
                         f"{real.shape}")
    xp = backend.xp()
    dtype = xp.result_type(real.data.dtype, imag.data.dtype, xp.complex64)
    return real, imag, real.data.astype(dtype) + 1j * imag.data.astype(dtype)


def _fit_last_axis(a: Any, length: int) -> Any:
    """Crop or zero-pad the last axis of ``a`` to ``length``."""
    xp = backend.xp()
    if a.shape[-1] >= length:
        return a[..., :length]
    widths = [(0, 0)] * (a.ndim - 1) + [(0, length - a.shape[-1])]
    return xp.pad(a, widths)


def _complex_transform(name: str, x: Any, min_rank: int, forward: Any,
                       adjoint: Any) -> tuple[Tensor, Tensor]:
    real, imag, z = _complex_pair(name, x, min_rank)
    out = forward(z)
    dtype = real.data.dtype

    def vjp(grads: tuple[Any, Any]) -> tuple[Any, Any]:
        g = adjoint(grads[0].astype(z.real.dtype) + 1j * grads[1].astype(z.real.dtype))
        return reduce_grad_to_input(g.real, real), reduce_grad_to_input(g.imag, imag)

    outputs = (out.real.astype(dtype), out.imag.astype(dtype))
    return record(outputs, (real, imag), vjp, name=name)


def fft(x: tuple[Any, Any]) -> tuple[Tensor, Tensor]:
    """Discrete Fourier transform along the last axis of the complex pair ``x = (real,
    imag)``; returns the ``(real, imag)`` pair of the result (same shape)."""
    xp = backend.xp()
    return _complex_transform("fft", x, 1, lambda z: xp.fft.fft(z, axis=-1),
                              lambda g: xp.fft.ifft(g, axis=-1) * g.shape[-1])


def fft2(x: tuple[Any, Any]) -> tuple[Tensor, Tensor]:
    """2-D discrete Fourier transform over the last two axes of ``x = (real, imag)``."""
    xp = backend.xp()
    return _complex_transform("fft2", x, 2, lambda z: xp.fft.fft2(z, axes=(-2, -1)),
                              lambda g: xp.fft.ifft2(g, axes=(-2, -1))
                              * (g.shape[-1] * g.shape[-2]))


def ifft2(x: tuple[Any, Any]) -> tuple[Tensor, Tensor]:
    """Inverse 2-D discrete Fourier transform over the last two axes of ``(real, imag)``."""
    xp = backend.xp()
    return _complex_transform("ifft2", x, 2, lambda z: xp.fft.ifft2(z, axes=(-2, -1)),
                              lambda g: xp.fft.fft2(g, axes=(-2, -1))
                              / (g.shape[-1] * g.shape[-2]))


def _fft_length(name: str, fft_length: Any, default: int) -> int:
    if fft_length is None:
        return default
    if isinstance(fft_length, bool) or not isinstance(fft_length, int) or fft_length < 1:
        raise ValueError(f"{name}: `fft_length` must be a positive integer. Received: "
                         f"fft_length={fft_length!r}")
    return fft_length


def rfft(x: Any, fft_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Fourier transform of a real signal along the last axis: the ``fft_length // 2 + 1``
    non-negative frequencies, as a ``(real, imag)`` pair. The signal is cropped or
    zero-padded to ``fft_length`` (default: its length)."""
    xp = backend.xp()
    tensor = to_operand_tensor(x, "rfft")
    if tensor.ndim < 1:
        raise ValueError(f"rfft: expected a tensor of rank >= 1. Received shape {tensor.shape}")
    dtype = tensor.dtype if tensor.dtype.startswith("float") else backend.floatx()
    compute = "float32" if dtype == "float16" else dtype
    length = tensor.shape[-1]
    n = _fft_length("rfft", fft_length, length)
    out = xp.fft.rfft(tensor.data.astype(compute), n=n, axis=-1)

    def vjp(grads: tuple[Any, Any]) -> tuple[Any]:
        # The adjoint of the half-spectrum DFT: Re(fft(conj(G) zero-padded to n)).
        g = grads[0].astype(compute) - 1j * grads[1].astype(compute)
        signal = xp.fft.fft(g, n=n, axis=-1).real
        return (reduce_grad_to_input(_fit_last_axis(signal, length), tensor),)

    return record((out.real.astype(dtype), out.imag.astype(dtype)), (tensor,), vjp,
                  name="rfft")


def irfft(x: tuple[Any, Any], fft_length: int | None = None) -> Tensor:
    """Inverse of :func:`rfft`: a real signal of length ``fft_length`` (default
    ``2 * (bins - 1)``; pass it for odd lengths) from the ``(real, imag)`` half spectrum,
    which is cropped or zero-padded to ``fft_length // 2 + 1`` bins. The imaginary parts of
    the zero (and, for even lengths, the Nyquist) frequency are ignored."""
    xp = backend.xp()
    real, imag, z = _complex_pair("irfft", x, 1)
    bins = real.shape[-1]
    n = _fft_length("irfft", fft_length, 2 * (bins - 1))
    if n < 1:
        raise ValueError(f"irfft: cannot infer `fft_length` from {bins} bin(s); pass "
                         "fft_length")
    out = xp.fft.irfft(z, n=n, axis=-1)

    def vjp(grad: Any) -> tuple[Any, Any]:
        h = xp.fft.rfft(grad.astype(out.dtype), n=n, axis=-1)
        weight = xp.full(h.shape[-1], 2.0 / n, dtype=out.dtype)
        weight[0] = 1.0 / n
        if n % 2 == 0:
            weight[-1] = 1.0 / n
        h_imag = h.imag.copy()
        h_imag[..., 0] = 0.0  # ignored in the forward pass
        if n % 2 == 0:
            h_imag[..., -1] = 0.0
        grad_real = _fit_last_axis(h.real * weight, bins)
        grad_imag = _fit_last_axis(h_imag * weight, bins)
        return reduce_grad_to_input(grad_real, real), reduce_grad_to_input(grad_imag, imag)

    return record(out.astype(real.data.dtype), (real, imag), vjp, name="irfft")


# --- short-time transforms ------------------------------------------------------------------

def _window(name: str, window: Any, sequence_length: int, fft_length: int,
            dtype: str) -> Any:
    """The analysis window as an array centred in ``fft_length`` samples (None: no window)."""
    xp = backend.xp()
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f"{name}: a string `window` must be 'hann' or 'hamming'. "
                             f"Received: window={window!r}")
        # periodic windows, as torch.hann_window / hamming_window(periodic=True)
        phase = 2.0 * math.pi * xp.arange(sequence_length, dtype="float64") / sequence_length
        alpha = 0.5 if window == "hann" else 0.54
        values = alpha - (1.0 - alpha) * xp.cos(phase)
    else:
        values = to_operand_tensor(window, name).data.astype("float64")
        if values.shape != (sequence_length,):
            raise ValueError(f"{name}: `window` must have shape ({sequence_length},) "
                             f"(sequence_length). Received shape {tuple(values.shape)}")
    left = (fft_length - sequence_length) // 2
    return xp.pad(values, (left, fft_length - sequence_length - left)).astype(dtype)


def _stft_arguments(name: str, sequence_length: Any, sequence_stride: Any,
                    fft_length: Any) -> None:
    for label, value in (("sequence_length", sequence_length),
                         ("sequence_stride", sequence_stride), ("fft_length", fft_length)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name}: `{label}` must be a positive integer. Received: "
                             f"{label}={value!r}")
    if fft_length < sequence_length:
        raise ValueError(f"{name}: `fft_length` must be >= `sequence_length`. Received: "
                         f"sequence_length={sequence_length}, fft_length={fft_length}")


def stft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int,
         window: Any = "hann", center: bool = True) -> tuple[Tensor, Tensor]:
    """Short-time Fourier transform along the last axis (float32/float64 input).

    Frames of ``fft_length`` samples every ``sequence_stride`` samples are multiplied by
    ``window`` (``'hann'``, ``'hamming'``, a tensor of length ``sequence_length`` or None,
    centred in the frame) and transformed with :func:`rfft`. With ``center`` the signal is
    first reflect-padded by ``fft_length // 2`` on both sides. Returns a ``(real, imag)``
    pair of shape ``(..., frames, fft_length // 2 + 1)``.
    """
    tensor = to_operand_tensor(x, "stft")
    if tensor.dtype not in ("float32", "float64"):
        raise TypeError(f"stft: expected float32 or float64 input. Received: {tensor.dtype}")
    _stft_arguments("stft", sequence_length, sequence_stride, fft_length)
    win = _window("stft", window, sequence_length, fft_length, tensor.dtype)
    signal = tensor
    if center:
        widths = [(0, 0)] * (tensor.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        signal = pad(tensor, widths, mode="reflect")
    samples = signal.shape[-1]
    if samples < fft_length:
        raise ValueError(f"stft: the signal ({samples} samples after padding) is shorter "
                         f"than fft_length={fft_length}")
    xp = backend.xp()
    frames = 1 + (samples - fft_length) // sequence_stride
    index = (xp.arange(frames)[:, None] * sequence_stride + xp.arange(fft_length)[None, :])
    framed = take(signal, index, axis=-1 % signal.ndim)
    if win is not None:
        framed = multiply(framed, win)
    return rfft(framed, fft_length)


def _overlap_add(frames: Tensor, stride: int) -> Tensor:
    """Sum frames ``(..., F, L)`` placed every ``stride`` samples: ``(..., (F-1)*stride + L)``.

    Frame samples are grouped into ``ceil(L / stride)`` blocks of ``stride`` so the sum is a
    few shifted slice additions rather than a loop over frames.
    """
    xp = backend.xp()
    a = frames.data
    count, length = a.shape[-2:]
    blocks = -(-length // stride)
    padded = xp.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, blocks * stride - length)])
    padded = padded.reshape(a.shape[:-1] + (blocks, stride))
    out = xp.zeros(a.shape[:-2] + (count + blocks - 1, stride), dtype=a.dtype)
    for j in range(blocks):
        out[..., j:j + count, :] += padded[..., :, j, :]
    size = (count - 1) * stride + length
    result = out.reshape(a.shape[:-2] + (-1,))[..., :size]

    def vjp(grad: Any) -> tuple[Any]:
        full = xp.pad(grad, [(0, 0)] * (grad.ndim - 1) + [(0, out.shape[-2] * stride - size)])
        full = full.reshape(out.shape)
        pieces = xp.stack([full[..., j:j + count, :] for j in range(blocks)], axis=-2)
        framed = pieces.reshape(a.shape[:-1] + (blocks * stride,))[..., :length]
        return (reduce_grad_to_input(framed, frames),)

    return record(result, (frames,), vjp, name="overlap_add")


def istft(x: tuple[Any, Any], sequence_length: int, sequence_stride: int, fft_length: int,
          length: int | None = None, window: Any = "hann", center: bool = True) -> Tensor:
    """Inverse of :func:`stft` from its ``(real, imag)`` pair ``(..., frames, bins)``: each
    frame is :func:`irfft`-ed, windowed and overlap-added, normalised by the overlapping
    squared windows. ``length`` crops (or zero-pads) the output; use the same arguments as
    for :func:`stft` to reconstruct the signal."""
    _stft_arguments("istft", sequence_length, sequence_stride, fft_length)
    real, _, _ = _complex_pair("istft", x, 2)
    dtype = real.dtype
    win = _window("istft", window, sequence_length, fft_length, dtype)
    frames = irfft(x, fft_length)                                     # (..., F, fft_length)
    count = frames.shape[-2]
    xp = backend.xp()
    start = fft_length // 2 if center else 0
    if sequence_length == fft_length and center and win is not None:
        # torch.istft: divide by the overlap-added squared window, sample by sample
        signal = _overlap_add(multiply(frames, win), sequence_stride)
        envelope = _overlap_add(Tensor(xp.broadcast_to(win * win, (count, fft_length))),
                                sequence_stride).data
        end = signal.shape[-1] - start if length is None else start + length
        kept = envelope[start:min(end, envelope.shape[-1])]
        if kept.size and float(xp.abs(kept).min()) < 1e-11:
            raise ValueError("istft: the overlap-added window is zero somewhere (the NOLA "
                             "condition fails): choose a smaller sequence_stride")
        signal = divide(signal, xp.where(envelope < 1e-11, 1.0, envelope).astype(dtype))
        if end > signal.shape[-1]:  # torch.istft zero-pads up to `length`
            widths = [(0, 0)] * (signal.ndim - 1) + [(0, end - signal.shape[-1])]
            signal = pad(signal, widths)
    else:
        # Keras's own path (tf.signal.inverse_stft_window_fn): a window normalised by the
        # squared-window sum over frames that overlap each sample position.
        if win is not None:
            blocks = -(-fft_length // sequence_stride)
            squares = xp.pad(win * win, (0, blocks * sequence_stride - fft_length))
            denominator = xp.tile(squares.reshape(blocks, sequence_stride).sum(axis=0),
                                  blocks)[:fft_length]
            frames = multiply(frames, (win / denominator).astype(dtype))
        signal = _overlap_add(frames, sequence_stride)
        end = (start + length if length is not None
               else signal.shape[-1] - start if center else signal.shape[-1])
    return signal[..., start:end]
