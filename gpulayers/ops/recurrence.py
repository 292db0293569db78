"""Raw-array recurrence helpers behind :mod:`gpulayers.ops.rnn` (no autodiff here).

:class:`GruRecurrence` is the per-timestep GRU arithmetic (recurrent GEMMs + fused gate
primitives) shared by ``gru_cell`` and ``gru_sequence``, forward and backward, for both
``reset_after`` variants. ``time_major`` / ``undo_time_major`` reorder ``(N, T, F)`` batches
into contiguous ``(T, N, F)`` processing order and back.
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend

__all__ = ["GruRecurrence", "time_major", "undo_time_major"]


def time_major(inputs: Any, go_backwards: bool) -> Any:
    """``(N, T, F)`` -> contiguous ``(T, N, F)`` in processing order (reversed if backwards)."""
    steps_first = inputs.transpose(1, 0, 2)
    return backend.xp().ascontiguousarray(steps_first[::-1] if go_backwards else steps_first)


def undo_time_major(steps_first: Any, go_backwards: bool) -> Any:
    """Inverse of :func:`time_major`: ``(T, N, F)`` processing order -> ``(N, T, F)``."""
    ordered = steps_first[::-1] if go_backwards else steps_first
    return backend.xp().ascontiguousarray(ordered.transpose(1, 0, 2))


class GruRecurrence:
    """One GRU timestep on raw arrays (Keras 3 GRUCell arithmetic), forward and backward.

    Args:
        recurrent_kernel: ``(u, 3u)`` array, blocks z, r, h.
        recurrent_bias: ``(3u,)`` array (Keras ``bias[1]``, reset_after=True only) or None.
        activation, recurrent_activation: validated activation names.
        reset_after: Keras's ``reset_after``.

    ``forward(x_proj, h_prev) -> (h, cache)``; ``backward(dh, dh_recurrent, cache) ->
    (dx_proj, dh_prev, rights)``; ``weight_gradients(caches, rights_per_step) ->
    (d_recurrent_kernel, d_recurrent_bias)`` sums the recurrent-kernel gradient of all steps
    with one GEMM per gate group: ``left.T @ right`` where ``cache[0]`` holds the GEMM's left
    operands (``h_prev``; and ``r*h_prev`` when reset_after=False) and ``rights`` the gradients
    of its outputs.

    Example::

        step = GruRecurrence(U, b[1], "tanh", "sigmoid", reset_after=True)
        h, cache = step.forward(x @ W + b[0], h_prev)
    """

    def __init__(self, recurrent_kernel: Any, recurrent_bias: Any | None, activation: str,
                 recurrent_activation: str, reset_after: bool) -> None:
        xp = backend.xp()
        self.rnn = backend.primitives("rnn")
        self.activations = (activation, recurrent_activation)
        self.reset_after = reset_after
        self.recurrent_bias = recurrent_bias
        units = recurrent_kernel.shape[0]
        if reset_after:
            self.kernels = (recurrent_kernel,)
        else:  # z, r from h_prev; the candidate from r * h_prev
            self.kernels = (xp.ascontiguousarray(recurrent_kernel[:, :2 * units]),
                            xp.ascontiguousarray(recurrent_kernel[:, 2 * units:]))

    def forward(self, x_proj: Any, h_prev: Any) -> tuple[Any, tuple[Any, ...]]:
        """``x_proj (N, 3u)`` (input bias included), ``h_prev (N, u)`` -> ``(h, cache)``."""
        matmul = backend.xp().matmul
        if self.reset_after:
            h, saved = self.rnn.gru_gates_forward(
                x_proj, matmul(h_prev, self.kernels[0]), h_prev, *self.activations,
                recurrent_bias=self.recurrent_bias)
            return h, ((h_prev,), saved)
        zr, reset_h = self.rnn.gru_reset_gates_forward(
            x_proj, matmul(h_prev, self.kernels[0]), h_prev, *self.activations)
        h, candidate = self.rnn.gru_candidate_forward(
            x_proj, matmul(reset_h, self.kernels[1]), zr, h_prev, *self.activations)
        return h, ((h_prev, reset_h), (zr, candidate))

    def backward(self, dh: Any, dh_recurrent: Any | None,
                 cache: tuple[Any, ...]) -> tuple[Any, Any, tuple[Any, ...]]:
        """Gradients of one step: ``dh`` (+ ``dh_recurrent``) -> ``(dx_proj, dh_prev, rights)``.

        ``dh_prev`` is complete (the recurrent GEMMs' share included); ``rights`` feed
        :meth:`weight_gradients`.
        """
        xp = backend.xp()
        lefts, saved = cache
        h_prev = lefts[0]
        if self.reset_after:
            dx_proj, dh_proj, dh_prev = self.rnn.gru_gates_backward(
                dh, h_prev, saved, *self.activations, dh_recurrent=dh_recurrent)
            return dx_proj, dh_prev + xp.matmul(dh_proj, self.kernels[0].T), (dh_proj,)
        zr, candidate = saved
        d_candidate, dz, dh_prev = self.rnn.gru_candidate_backward(
            dh, h_prev, zr, candidate, *self.activations, dh_recurrent=dh_recurrent)
        d_reset_h = xp.matmul(d_candidate, self.kernels[1].T)
        dzr, dh_prev_reset = self.rnn.gru_reset_gates_backward(
            dz, d_reset_h, h_prev, zr, *self.activations)
        dh_prev = dh_prev + dh_prev_reset + xp.matmul(dzr, self.kernels[0].T)
        return xp.concatenate([dzr, d_candidate], axis=-1), dh_prev, (dzr, d_candidate)

    def weight_gradients(self, caches: list[tuple[Any, ...]],
                         rights: list[tuple[Any, ...]]) -> tuple[Any, Any | None]:
        """Recurrent-kernel (and recurrent-bias) gradients summed over all steps given."""
        xp = backend.xp()
        blocks, d_bias = [], None
        for group in range(len(self.kernels)):
            left = xp.concatenate([cache[0][group] for cache in caches], axis=0)
            right = xp.concatenate([step[group] for step in rights], axis=0)
            blocks.append(xp.matmul(left.T, right))
            if group == 0 and self.recurrent_bias is not None:
                d_bias = right.sum(axis=0)
        d_kernel = blocks[0] if len(blocks) == 1 else xp.concatenate(blocks, axis=1)
        return d_kernel, d_bias
