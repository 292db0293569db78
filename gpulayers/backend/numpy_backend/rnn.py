"""Fused LSTM/GRU gate arithmetic on NumPy: the reference for ``kernels/rnn.cu``.

Gate layout is Keras 3's (contiguous blocks): LSTM pre-activations ``(N, 4u)`` are i, f, c, o;
GRU projections ``(N, 3u)`` are z, r, h. Every function here has a twin with the same name and
signature in ``cupy_backend/rnn.py`` that launches one CUDA kernel per call (one thread per
(batch row, unit), all gates of that unit). Arrays in, arrays out; no autodiff.

Activation names: ``'linear'``, ``'tanh'``, ``'sigmoid'``, ``'hard_sigmoid'`` (Keras 3:
``clip(x / 6 + 0.5, 0, 1)``), ``'relu'``. Backward passes use each derivative written in terms
of the activation's output ``y``, so only outputs need saving.

Example::

    h, c, saved = lstm_gates_forward(z, c_prev, "tanh", "sigmoid")
    dz, dc_prev = lstm_gates_backward(dh, dc, c_prev, saved, "tanh", "sigmoid")
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "ACTIVATIONS", "activation_code", "gru_candidate_backward", "gru_candidate_forward",
    "gru_gates_backward", "gru_gates_forward", "gru_reset_gates_backward",
    "gru_reset_gates_forward", "lstm_gates_backward", "lstm_gates_forward",
    "simple_rnn_backward", "simple_rnn_forward",
]

# Position in this tuple = the code passed to the CUDA kernels as -DGL_ACTIVATION=k.
ACTIVATIONS = ("linear", "tanh", "sigmoid", "hard_sigmoid", "relu")


def activation_code(name: str) -> int:
    """Index of an activation name in :data:`ACTIVATIONS`; ValueError for unknown names."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown recurrent-cell activation {name!r}: expected one of "
                         f"{ACTIVATIONS}")
    return ACTIVATIONS.index(name)


def _activate(name: str, x: Any) -> Any:
    activation_code(name)
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":  # 0.5 * tanh(0.5 * x) + 0.5: no overflow warnings for large |x|
        y = np.multiply(x, 0.5)  # then in place: one temporary instead of four
        np.tanh(y, out=y)
        y *= 0.5
        y += 0.5
        return y
    if name == "hard_sigmoid":  # clip(x / 6 + 0.5, 0, 1)
        y = np.divide(x, 6)
        y += 0.5
        return np.clip(y, 0, 1, out=y)
    if name == "relu":
        return np.maximum(x, 0)
    return x


def _slope(name: str, y: Any) -> Any:
    """Derivative of activation ``name`` at the input whose output is ``y``."""
    activation_code(name)
    if name == "tanh":
        return 1 - y * y
    if name == "sigmoid":
        return y * (1 - y)
    if name == "hard_sigmoid":
        return ((y > 0) & (y < 1)).astype(y.dtype) / 6
    if name == "relu":
        return (y > 0).astype(y.dtype)
    return np.ones_like(y)


def _blocks(array: Any, count: int) -> list[Any]:
    """The ``count`` equal column blocks of ``array``, as views: plain slices cost a fraction
    of ``numpy.split`` (about 1 against 17 us), which matters at one call per timestep."""
    width = array.shape[-1] // count
    return [array[..., k * width:(k + 1) * width] for k in range(count)]


def _plus(array: Any, extra: Any | None) -> Any:
    return array if extra is None else array + extra


def lstm_gates_forward(z: Any, c_prev: Any, activation: str = "tanh",
                       recurrent_activation: str = "sigmoid",
                       z_recurrent: Any | None = None) -> tuple[Any, Any, Any]:
    """LSTM gates of one timestep.

    Args:
        z: ``(N, 4u)`` pre-activations ``x@W + h@U + b``, blocks i, f, c, o.
        c_prev: ``(N, u)`` previous cell state.
        activation, recurrent_activation: names (see module docstring).
        z_recurrent: optional ``(N, 4u)`` added to ``z`` (lets a caller skip one add).

    Returns:
        ``h (N, u)``, ``c (N, u)`` and ``saved (N, 5u)`` = activated i, f, g, o and act(c).
    """
    z = _plus(z, z_recurrent)
    z_i, z_f, z_c, z_o = _blocks(z, 4)
    i = _activate(recurrent_activation, z_i)
    f = _activate(recurrent_activation, z_f)
    g = _activate(activation, z_c)
    o = _activate(recurrent_activation, z_o)
    c = f * c_prev + i * g
    act_c = _activate(activation, c)
    return o * act_c, c, np.concatenate([i, f, g, o, act_c], axis=-1)


def lstm_gates_backward(dh: Any, dc: Any, c_prev: Any, saved: Any, activation: str = "tanh",
                        recurrent_activation: str = "sigmoid",
                        dh_recurrent: Any | None = None) -> tuple[Any, Any]:
    """Backward of :func:`lstm_gates_forward`.

    Args:
        dh, dc: ``(N, u)`` gradients of h and c; ``dh_recurrent`` (optional) is added to dh.
        c_prev: ``(N, u)``; saved: ``(N, 5u)`` from the forward.

    Returns:
        ``dz (N, 4u)`` (gradient of the pre-activations) and ``dc_prev (N, u)``.
    """
    i, f, g, o, act_c = _blocks(saved, 5)
    dh = _plus(dh, dh_recurrent)
    dc_total = dc + dh * o * _slope(activation, act_c)
    dz_i = dc_total * g * _slope(recurrent_activation, i)
    dz_f = dc_total * c_prev * _slope(recurrent_activation, f)
    dz_c = dc_total * i * _slope(activation, g)
    dz_o = dh * act_c * _slope(recurrent_activation, o)
    return np.concatenate([dz_i, dz_f, dz_c, dz_o], axis=-1), dc_total * f


def gru_gates_forward(x_proj: Any, h_proj: Any, h_prev: Any, activation: str = "tanh",
                      recurrent_activation: str = "sigmoid",
                      recurrent_bias: Any | None = None) -> tuple[Any, Any]:
    """GRU gates of one timestep, ``reset_after=True`` (Keras 3 default).

    Args:
        x_proj: ``(N, 3u)`` ``x@W + b[0]``, blocks z, r, h.
        h_proj: ``(N, 3u)`` ``h_prev@U`` (with or without ``b[1]``).
        h_prev: ``(N, u)``.
        recurrent_bias: optional ``(3u,)`` ``b[1]``, added to h_proj here.

    Returns:
        ``h (N, u)`` and ``saved (N, 4u)`` = z, r, hh (candidate) and the h block of
        ``h_proj + recurrent_bias``.
    """
    h_proj = _plus(h_proj, recurrent_bias)
    x_z, x_r, x_h = _blocks(x_proj, 3)
    h_z, h_r, recurrent_h = _blocks(h_proj, 3)
    z = _activate(recurrent_activation, x_z + h_z)
    r = _activate(recurrent_activation, x_r + h_r)
    hh = _activate(activation, x_h + r * recurrent_h)
    h = z * h_prev + (1 - z) * hh
    return h, np.concatenate([z, r, hh, recurrent_h], axis=-1)


def gru_gates_backward(dh: Any, h_prev: Any, saved: Any, activation: str = "tanh",
                       recurrent_activation: str = "sigmoid",
                       dh_recurrent: Any | None = None) -> tuple[Any, Any, Any]:
    """Backward of :func:`gru_gates_forward`.

    Returns:
        ``dx_proj (N, 3u)``, ``dh_proj (N, 3u)`` (also the gradient of ``recurrent_bias`` per
        row) and ``dh_prev_direct = dh * z (N, u)``; the caller adds ``dh_proj @ U.T`` to it.
    """
    z, r, hh, recurrent_h = _blocks(saved, 4)
    dh = _plus(dh, dh_recurrent)
    d_candidate = dh * (1 - z) * _slope(activation, hh)
    dz = dh * (h_prev - hh) * _slope(recurrent_activation, z)
    dr = d_candidate * recurrent_h * _slope(recurrent_activation, r)
    dx_proj = np.concatenate([dz, dr, d_candidate], axis=-1)
    dh_proj = np.concatenate([dz, dr, d_candidate * r], axis=-1)
    return dx_proj, dh_proj, dh * z


def gru_reset_gates_forward(x_proj: Any, h_proj_zr: Any, h_prev: Any, activation: str = "tanh",
                            recurrent_activation: str = "sigmoid") -> tuple[Any, Any]:
    """Stage 1 of a ``reset_after=False`` GRU step: the update and reset gates.

    Args:
        x_proj: ``(N, 3u)`` ``x@W + b`` (its first 2u columns are used).
        h_proj_zr: ``(N, 2u)`` ``h_prev @ U[:, :2u]``.
        h_prev: ``(N, u)``. ``activation`` is unused here (kept for a uniform signature).

    Returns:
        ``zr (N, 2u)`` activated z and r, and ``reset_h = r * h_prev (N, u)``.
    """
    activation_code(activation)
    units = h_prev.shape[-1]
    zr = _activate(recurrent_activation, x_proj[:, :2 * units] + h_proj_zr)
    return zr, zr[:, units:] * h_prev


def gru_candidate_forward(x_proj: Any, candidate_proj: Any, zr: Any, h_prev: Any,
                          activation: str = "tanh",
                          recurrent_activation: str = "sigmoid") -> tuple[Any, Any]:
    """Stage 2 of a ``reset_after=False`` GRU step: candidate and new state.

    Args:
        x_proj: ``(N, 3u)`` (its last u columns are used).
        candidate_proj: ``(N, u)`` ``reset_h @ U[:, 2u:]``.
        zr: ``(N, 2u)`` from stage 1; h_prev: ``(N, u)``.

    Returns:
        ``h (N, u)`` and ``hh (N, u)`` the activated candidate.
    """
    activation_code(recurrent_activation)
    units = h_prev.shape[-1]
    z = zr[:, :units]
    hh = _activate(activation, x_proj[:, 2 * units:] + candidate_proj)
    return z * h_prev + (1 - z) * hh, hh


def gru_candidate_backward(dh: Any, h_prev: Any, zr: Any, hh: Any, activation: str = "tanh",
                           recurrent_activation: str = "sigmoid",
                           dh_recurrent: Any | None = None) -> tuple[Any, Any, Any]:
    """Backward of :func:`gru_candidate_forward`.

    Returns:
        ``d_candidate (N, u)`` (gradient of the candidate pre-activation, i.e. of
        ``x_proj[:, 2u:]`` and ``candidate_proj``), ``dz (N, u)`` (of the activated update
        gate) and ``dh_prev_direct = dh * z (N, u)``.
    """
    activation_code(recurrent_activation)
    units = h_prev.shape[-1]
    z = zr[:, :units]
    dh = _plus(dh, dh_recurrent)
    return dh * (1 - z) * _slope(activation, hh), dh * (h_prev - hh), dh * z


def gru_reset_gates_backward(dz: Any, d_reset_h: Any, h_prev: Any, zr: Any,
                             activation: str = "tanh",
                             recurrent_activation: str = "sigmoid") -> tuple[Any, Any]:
    """Backward of :func:`gru_reset_gates_forward`.

    Args:
        dz: ``(N, u)`` gradient of the activated update gate; d_reset_h: ``(N, u)`` of
        ``r * h_prev``.

    Returns:
        ``dzr (N, 2u)`` gradient of the z and r pre-activations (= of ``x_proj[:, :2u]`` and
        ``h_proj_zr``) and ``dh_prev_reset = d_reset_h * r (N, u)``.
    """
    activation_code(activation)
    units = h_prev.shape[-1]
    z, r = zr[:, :units], zr[:, units:]
    dzr = np.concatenate([dz * _slope(recurrent_activation, z),
                          d_reset_h * h_prev * _slope(recurrent_activation, r)], axis=-1)
    return dzr, d_reset_h * r


def simple_rnn_forward(x_proj: Any, h_proj: Any, activation: str = "tanh",
                       recurrent_activation: str = "sigmoid") -> Any:
    """One SimpleRNN timestep: ``h = act(x_proj + h_proj)``, all ``(N, u)``.

    ``recurrent_activation`` is unused (kept for the uniform signature of this module).
    """
    activation_code(recurrent_activation)
    return _activate(activation, x_proj + h_proj)


def simple_rnn_backward(dh: Any, h: Any, activation: str = "tanh",
                        recurrent_activation: str = "sigmoid",
                        dh_recurrent: Any | None = None) -> Any:
    """Backward of :func:`simple_rnn_forward`: ``dz = (dh + dh_recurrent) * act'`` at ``h``."""
    activation_code(recurrent_activation)
    return _plus(dh, dh_recurrent) * _slope(activation, h)
