"""Differentiable recurrent ops: fused LSTM/GRU cells (whole sequences: ``rnn_sequence``).

Keras 3 weight layouts (contiguous gate blocks): LSTM ``kernel (in, 4u)``,
``recurrent_kernel (u, 4u)``, ``bias (4u,)`` with gates i, f, c, o; GRU ``kernel (in, 3u)``,
``recurrent_kernel (u, 3u)`` with gates z, r, h and ``bias (2, 3u)`` (rows: input bias,
recurrent bias) when ``reset_after=True`` or ``(3u,)`` when False. The gate arithmetic of a
timestep is one fused primitive (one CUDA launch on CuPy, see ``kernels/rnn.cu``).

Activations: ``'tanh'``, ``'sigmoid'``, ``'hard_sigmoid'``, ``'relu'``, ``'linear'`` (or None).
"""

from __future__ import annotations

from typing import Any

from gpulayers import autodiff, backend
from gpulayers.ops.recurrence import GruRecurrence
from gpulayers.ops.rnn_arguments import (
    activation_name,
    check_shape,
    optional_tensor,
    same_float_dtype,
)
from gpulayers.ops.rnn_sequence import gru_sequence, lstm_sequence, simple_rnn_sequence

__all__ = ["gru_cell", "gru_sequence", "lstm_cell", "lstm_sequence", "simple_rnn_sequence"]


def lstm_cell(z: Any, c_prev: Any, activation: str | None = "tanh",
              recurrent_activation: str | None = "sigmoid") -> tuple[autodiff.Tensor, ...]:
    """Fused LSTM gates of one timestep, as one node with two outputs.

    Args:
        z: ``(N, 4u)`` pre-activations ``x@W + h_prev@U + b`` (blocks i, f, c, o).
        c_prev: ``(N, u)`` previous cell state.
        activation, recurrent_activation: activation names.

    Returns:
        ``(h, c)``, each ``(N, u)``: ``c = f*c_prev + i*act(z_c)``, ``h = o*act(c)``.

    Example::

        h, c = ops.lstm_cell(x @ W + h @ U + b, c)
    """
    op = "lstm_cell"
    z, c_prev = autodiff.convert_to_tensor(z), autodiff.convert_to_tensor(c_prev)
    same_float_dtype(op, {"z": z, "c_prev": c_prev})
    check_shape(op, "c_prev", c_prev, (None, None))
    batch, units = c_prev.shape
    check_shape(op, "z", z, (batch, 4 * units))
    act = activation_name(op, "activation", activation)
    rec = activation_name(op, "recurrent_activation", recurrent_activation)
    rnn = backend.primitives("rnn")
    h, c, saved = rnn.lstm_gates_forward(z.data, c_prev.data, act, rec)

    def vjp(grads: tuple[Any, Any]) -> tuple[Any, Any]:
        dh, dc = grads
        return rnn.lstm_gates_backward(dh, dc, c_prev.data, saved, act, rec)

    return autodiff.record((h, c), (z, c_prev), vjp, name=op)


def gru_cell(x_proj: Any, h_prev: Any, recurrent_kernel: Any, recurrent_bias: Any = None,
             activation: str | None = "tanh", recurrent_activation: str | None = "sigmoid",
             reset_after: bool = True) -> autodiff.Tensor:
    """One GRU timestep (Keras 3 GRUCell), recurrent GEMM included.

    Args:
        x_proj: ``(N, 3u)`` input projection ``x@W + b_input`` (blocks z, r, h).
        h_prev: ``(N, u)`` previous state.
        recurrent_kernel: ``(u, 3u)``.
        recurrent_bias: ``(3u,)`` (Keras ``bias[1]``) or None; only with ``reset_after=True``.
        reset_after: apply the reset gate after the recurrent GEMM (True, Keras default) or to
            ``h_prev`` before it (False).

    Returns:
        ``h (N, u) = z*h_prev + (1-z)*hh``.

    Example::

        h = ops.gru_cell(x @ W + b[0], h, U, b[1])
    """
    op = "gru_cell"
    x_proj, h_prev, kernel = (autodiff.convert_to_tensor(v)
                              for v in (x_proj, h_prev, recurrent_kernel))
    bias = optional_tensor(recurrent_bias)
    same_float_dtype(op, {"x_proj": x_proj, "h_prev": h_prev, "recurrent_kernel": kernel,
                          "recurrent_bias": bias})
    check_shape(op, "h_prev", h_prev, (None, None))
    batch, units = h_prev.shape
    check_shape(op, "x_proj", x_proj, (batch, 3 * units))
    check_shape(op, "recurrent_kernel", kernel, (units, 3 * units))
    _check_gru_recurrent_bias(op, bias, units, reset_after)
    recurrence = GruRecurrence(kernel.data, None if bias is None else bias.data,
                               activation_name(op, "activation", activation),
                               activation_name(op, "recurrent_activation", recurrent_activation),
                               bool(reset_after))
    (h,), cache = recurrence.forward(x_proj.data, (h_prev.data,))

    def vjp(dh: Any) -> tuple[Any, Any, Any, Any]:
        dx_proj, (dh_prev,), rights = recurrence.backward(None, (dh,), cache)
        d_kernel, d_bias = recurrence.weight_gradients([cache], [rights])
        return dx_proj, dh_prev, d_kernel, d_bias

    return autodiff.record(h, (x_proj, h_prev, kernel, bias), vjp, name=op)


def _check_gru_recurrent_bias(op: str, bias: Any, units: int, reset_after: bool) -> None:
    if bias is None:
        return
    if not reset_after:
        raise ValueError(f"{op}: `recurrent_bias` is only used with reset_after=True (Keras "
                         f"has no recurrent bias otherwise). Received a bias of shape "
                         f"{bias.shape} with reset_after=False")
    check_shape(op, "recurrent_bias", bias, (3 * units,))
