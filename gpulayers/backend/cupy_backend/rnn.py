"""Fused LSTM/GRU gate arithmetic on CuPy: one ``kernels/rnn.cu`` launch per call.

Same names, signatures and results as ``numpy_backend/rnn.py`` (the reference; read its
docstrings for shapes). Each launch runs one thread per (batch row, unit) computing every gate
of that unit. The activation pair is a compile-time choice (``-DGL_ACTIVATION``,
``-DGL_RECURRENT_ACTIVATION``), so each pair compiles once and is cached by the loader.
Supported dtypes: float32 and float64.

Example::

    h, c, saved = lstm_gates_forward(z, c_prev, "tanh", "sigmoid")
"""

from __future__ import annotations

import functools
from typing import Any

import cupy as cp

from gpulayers.backend import kernels
from gpulayers.backend.cupy_backend.launch import dtype_suffix, launch
from gpulayers.backend.numpy_backend.rnn import ACTIVATIONS, activation_code

__all__ = [
    "ACTIVATIONS", "activation_code", "gru_candidate_backward", "gru_candidate_forward",
    "gru_gates_backward", "gru_gates_forward", "gru_reset_gates_backward",
    "gru_reset_gates_forward", "lstm_gates_backward", "lstm_gates_forward",
    "simple_rnn_backward", "simple_rnn_forward",
]

_MAX_BLOCKS = 65535


def _dtype_suffix(array: Any) -> str:
    suffix = dtype_suffix(array.dtype)
    if suffix is None:
        raise TypeError(f"Fused recurrent gates on CuPy support float32 and float64. "
                        f"Received dtype {array.dtype.name}")
    return suffix


@functools.cache
def _function(name: str, activation: int, recurrent_activation: int, device_id: int) -> Any:
    """The compiled kernel for the current device (``device_id`` keys the cache), memoised
    here too because the per-step launch path is host-bound at small sizes."""
    defines = {"GL_ACTIVATION": activation, "GL_RECURRENT_ACTIVATION": recurrent_activation}
    return kernels.get_function("rnn", name, defines=defines)


def _launch(name: str, reference: Any, activation: str, recurrent_activation: str,
            args: tuple[Any, ...]) -> None:
    """Launch kernel ``name`` for ``reference``'s dtype over ``(batch, units)`` threads.

    ``args`` are the kernel arguments before the trailing ``batch, units``; reference is
    ``(N, u)``-shaped (it sets the grid).
    """
    codes = activation_code(activation), activation_code(recurrent_activation)
    suffix = _dtype_suffix(reference)
    batch, units = reference.shape
    total = batch * units
    if total == 0:
        return
    function = _function(f"{name}_{suffix}", *codes, cp.cuda.Device().id)
    launch(function, total, (*args, cp.int32(batch), cp.int32(units)), _MAX_BLOCKS)


def _prepare(dtype: Any, *arrays: Any) -> list[Any]:
    """C-contiguous arrays of ``dtype`` (no copy when they already are)."""
    return [cp.ascontiguousarray(a, dtype=dtype) for a in arrays]


def _empty(dtype: Any, *shapes: tuple[int, int]) -> list[Any]:
    """Uninitialised C-contiguous output arrays (separate allocations: views cost more)."""
    return [cp.empty(shape, dtype) for shape in shapes]


def _optional(array: Any | None, fallback: Any, dtype: Any) -> tuple[Any, Any]:
    """(array to pass, flag): a missing optional input passes ``fallback`` with flag 0."""
    if array is None:
        return fallback, cp.int32(0)
    return cp.ascontiguousarray(array, dtype=dtype), cp.int32(1)


def lstm_gates_forward(z: Any, c_prev: Any, activation: str = "tanh",
                       recurrent_activation: str = "sigmoid",
                       z_recurrent: Any | None = None) -> tuple[Any, Any, Any]:
    """LSTM gates of one timestep -> ``(h, c, saved)``; see the NumPy reference."""
    z, c_prev = _prepare(z.dtype, z, c_prev)
    z_recurrent, has_recurrent = _optional(z_recurrent, z, z.dtype)
    batch, units = c_prev.shape
    h, c, saved = _empty(z.dtype, (batch, units), (batch, units), (batch, 5 * units))
    _launch("lstm_gates_forward", c_prev, activation, recurrent_activation,
            (z, z_recurrent, has_recurrent, c_prev, h, c, saved))
    return h, c, saved


def lstm_gates_backward(dh: Any, dc: Any, c_prev: Any, saved: Any, activation: str = "tanh",
                        recurrent_activation: str = "sigmoid",
                        dh_recurrent: Any | None = None) -> tuple[Any, Any]:
    """Backward of the LSTM gates -> ``(dz, dc_prev)``; see the NumPy reference."""
    dtype = saved.dtype
    dh, dc, c_prev, saved = _prepare(dtype, dh, dc, c_prev, saved)
    dh_recurrent, has_recurrent = _optional(dh_recurrent, dh, dtype)
    batch, units = c_prev.shape
    dz, dc_prev = _empty(dtype, (batch, 4 * units), (batch, units))
    _launch("lstm_gates_backward", c_prev, activation, recurrent_activation,
            (dh, dh_recurrent, has_recurrent, dc, c_prev, saved, dz, dc_prev))
    return dz, dc_prev


def gru_gates_forward(x_proj: Any, h_proj: Any, h_prev: Any, activation: str = "tanh",
                      recurrent_activation: str = "sigmoid",
                      recurrent_bias: Any | None = None) -> tuple[Any, Any]:
    """GRU (reset_after=True) gates of one timestep -> ``(h, saved)``."""
    dtype = x_proj.dtype
    x_proj, h_proj, h_prev = _prepare(dtype, x_proj, h_proj, h_prev)
    recurrent_bias, has_bias = _optional(recurrent_bias, x_proj, dtype)
    batch, units = h_prev.shape
    h, saved = _empty(dtype, (batch, units), (batch, 4 * units))
    _launch("gru_gates_forward", h_prev, activation, recurrent_activation,
            (x_proj, h_proj, recurrent_bias, has_bias, h_prev, h, saved))
    return h, saved


def gru_gates_backward(dh: Any, h_prev: Any, saved: Any, activation: str = "tanh",
                       recurrent_activation: str = "sigmoid",
                       dh_recurrent: Any | None = None) -> tuple[Any, Any, Any]:
    """Backward of the GRU (reset_after=True) gates -> ``(dx_proj, dh_proj, dh_prev_direct)``."""
    dtype = saved.dtype
    dh, h_prev, saved = _prepare(dtype, dh, h_prev, saved)
    dh_recurrent, has_recurrent = _optional(dh_recurrent, dh, dtype)
    batch, units = h_prev.shape
    dx_proj, dh_proj, dh_prev_direct = _empty(dtype, (batch, 3 * units), (batch, 3 * units),
                                              (batch, units))
    _launch("gru_gates_backward", h_prev, activation, recurrent_activation,
            (dh, dh_recurrent, has_recurrent, h_prev, saved, dx_proj, dh_proj, dh_prev_direct))
    return dx_proj, dh_proj, dh_prev_direct


def gru_reset_gates_forward(x_proj: Any, h_proj_zr: Any, h_prev: Any, activation: str = "tanh",
                            recurrent_activation: str = "sigmoid") -> tuple[Any, Any]:
    """Stage 1 of a reset_after=False GRU step -> ``(zr, reset_h)``."""
    dtype = x_proj.dtype
    x_proj, h_proj_zr, h_prev = _prepare(dtype, x_proj, h_proj_zr, h_prev)
    batch, units = h_prev.shape
    zr, reset_h = _empty(dtype, (batch, 2 * units), (batch, units))
    _launch("gru_reset_gates_forward", h_prev, activation, recurrent_activation,
            (x_proj, h_proj_zr, h_prev, zr, reset_h))
    return zr, reset_h


def gru_candidate_forward(x_proj: Any, candidate_proj: Any, zr: Any, h_prev: Any,
                          activation: str = "tanh",
                          recurrent_activation: str = "sigmoid") -> tuple[Any, Any]:
    """Stage 2 of a reset_after=False GRU step -> ``(h, hh)``."""
    dtype = x_proj.dtype
    x_proj, candidate_proj, zr, h_prev = _prepare(dtype, x_proj, candidate_proj, zr, h_prev)
    batch, units = h_prev.shape
    h, hh = _empty(dtype, (batch, units), (batch, units))
    _launch("gru_candidate_forward", h_prev, activation, recurrent_activation,
            (x_proj, candidate_proj, zr, h_prev, h, hh))
    return h, hh


def gru_candidate_backward(dh: Any, h_prev: Any, zr: Any, hh: Any, activation: str = "tanh",
                           recurrent_activation: str = "sigmoid",
                           dh_recurrent: Any | None = None) -> tuple[Any, Any, Any]:
    """Backward of stage 2 -> ``(d_candidate, dz, dh_prev_direct)``."""
    dtype = zr.dtype
    dh, h_prev, zr, hh = _prepare(dtype, dh, h_prev, zr, hh)
    dh_recurrent, has_recurrent = _optional(dh_recurrent, dh, dtype)
    batch, units = h_prev.shape
    d_candidate, dz, dh_prev_direct = _empty(dtype, (batch, units), (batch, units),
                                             (batch, units))
    _launch("gru_candidate_backward", h_prev, activation, recurrent_activation,
            (dh, dh_recurrent, has_recurrent, h_prev, zr, hh, d_candidate, dz, dh_prev_direct))
    return d_candidate, dz, dh_prev_direct


def gru_reset_gates_backward(dz: Any, d_reset_h: Any, h_prev: Any, zr: Any,
                             activation: str = "tanh",
                             recurrent_activation: str = "sigmoid") -> tuple[Any, Any]:
    """Backward of stage 1 -> ``(dzr, dh_prev_reset)``."""
    dtype = zr.dtype
    dz, d_reset_h, h_prev, zr = _prepare(dtype, dz, d_reset_h, h_prev, zr)
    batch, units = h_prev.shape
    dzr, dh_prev_reset = _empty(dtype, (batch, 2 * units), (batch, units))
    _launch("gru_reset_gates_backward", h_prev, activation, recurrent_activation,
            (dz, d_reset_h, h_prev, zr, dzr, dh_prev_reset))
    return dzr, dh_prev_reset


def simple_rnn_forward(x_proj: Any, h_proj: Any, activation: str = "tanh",
                       recurrent_activation: str = "sigmoid") -> Any:
    """One SimpleRNN timestep -> ``h = act(x_proj + h_proj)``."""
    activation_code(recurrent_activation)
    dtype = x_proj.dtype
    x_proj, h_proj = _prepare(dtype, x_proj, h_proj)
    (h,) = _empty(dtype, x_proj.shape)
    # The gate activation is unused: "sigmoid" keeps one compiled variant per activation.
    _launch("simple_rnn_forward", h, activation, "sigmoid", (x_proj, h_proj, h))
    return h


def simple_rnn_backward(dh: Any, h: Any, activation: str = "tanh",
                        recurrent_activation: str = "sigmoid",
                        dh_recurrent: Any | None = None) -> Any:
    """Backward of the SimpleRNN step -> ``dz`` (gradient of the pre-activation)."""
    activation_code(recurrent_activation)
    dtype = h.dtype
    dh, h = _prepare(dtype, dh, h)
    dh_recurrent, has_recurrent = _optional(dh_recurrent, dh, dtype)
    (dz,) = _empty(dtype, h.shape)
    _launch("simple_rnn_backward", h, activation, "sigmoid",
            (dh, dh_recurrent, has_recurrent, h, dz))
    return dz
