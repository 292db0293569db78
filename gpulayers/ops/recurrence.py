"""Raw-array recurrence steps behind :mod:`gpulayers.ops.rnn` (no autodiff here).

One class per cell kind does the arithmetic of one timestep, forward and backward, with the
fused gate primitives of ``backend.primitives("rnn")`` (one CUDA launch each on CuPy) and one
recurrent GEMM per step:

- :class:`LstmRecurrence`: states ``(h, c)``.
- :class:`GruRecurrence`: state ``(h,)``, both ``reset_after`` variants.
- :class:`SimpleRecurrence`: state ``(h,)``.

The common interface (used by :mod:`gpulayers.ops.bptt`)::

    states, cache = step.forward(x_proj, states)
    dx_proj, d_prev_states, rights = step.backward(d_output, d_states, cache)
    d_recurrent_kernel, d_recurrent_bias = step.weight_gradients(caches, rights_per_step)

``x_proj`` is the step's input projection ``x @ W`` (plus the input bias). ``d_output`` (or
None) is the gradient of the step's output ``h`` from outside the recurrence and ``d_states``
the gradient carried back from later steps; both are passed to the fused backward, which adds
them. ``recurrent_mask`` (Keras's recurrent dropout mask, ``(N, u)``) multiplies ``h_prev``
where it enters the recurrent GEMMs only, as in Keras 3; the states themselves are not dropped.
The recurrent-kernel gradient of all steps is one GEMM per kernel block: ``left.T @ right``
where each cache's ``lefts`` are the GEMM's left operands and ``rights`` the gradients of its
outputs.
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend

__all__ = ["GruRecurrence", "LstmRecurrence", "SimpleRecurrence", "time_major",
           "undo_time_major"]


def time_major(inputs: Any, go_backwards: bool) -> Any:
    """``(N, T, ...)`` -> contiguous ``(T, N, ...)`` in processing order (reversed if
    backwards)."""
    steps_first = backend.xp().swapaxes(inputs, 0, 1)
    return backend.xp().ascontiguousarray(steps_first[::-1] if go_backwards else steps_first)


def undo_time_major(steps_first: Any, go_backwards: bool) -> Any:
    """Inverse of :func:`time_major`: ``(T, N, ...)`` processing order -> ``(N, T, ...)``."""
    ordered = steps_first[::-1] if go_backwards else steps_first
    return backend.xp().ascontiguousarray(backend.xp().swapaxes(ordered, 0, 1))


class Recurrence:
    """Shared parts of the step classes: kernels, recurrent dropout, weight gradients.

    Args:
        kernels: the recurrent kernel blocks, each ``(u, k)``, multiplied by the GEMM lefts.
        activation, recurrent_activation: validated activation names.
        recurrent_mask: ``(N, u)`` recurrent dropout mask or None.
        recurrent_bias: ``(3u,)`` (GRU, reset_after=True) or None; its gradient is the sum
            of the first block's rights.
    """

    state_count = 1

    def __init__(self, kernels: tuple[Any, ...], activation: str, recurrent_activation: str,
                 recurrent_mask: Any | None = None, recurrent_bias: Any | None = None) -> None:
        self.rnn = backend.primitives("rnn")
        self.kernels = kernels
        self.activations = (activation, recurrent_activation)
        self.recurrent_mask = recurrent_mask
        self.recurrent_bias = recurrent_bias

    def dropped(self, array: Any) -> Any:
        """``array * recurrent_mask`` (the array itself without recurrent dropout)."""
        return array if self.recurrent_mask is None else array * self.recurrent_mask

    def through_kernel(self, right: Any, group: int = 0) -> Any:
        """Gradient w.r.t. a GEMM's (dropped) left operand, mapped back to ``h_prev``."""
        return self.dropped(backend.xp().matmul(right, self.kernels[group].T))

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


def _output_and_carried(d_output: Any | None, d_carried: Any) -> tuple[Any, Any | None]:
    """The (dh, dh_recurrent) pair for a fused backward, which adds the two."""
    return (d_carried, None) if d_output is None else (d_output, d_carried)


class LstmRecurrence(Recurrence):
    """One LSTM timestep (Keras 3 LSTMCell), states ``(h, c)``.

    Example::

        step = LstmRecurrence(U, "tanh", "sigmoid")
        (h, c), cache = step.forward(x @ W + b, (h, c))
    """

    state_count = 2

    def __init__(self, recurrent_kernel: Any, activation: str, recurrent_activation: str,
                 recurrent_mask: Any | None = None) -> None:
        super().__init__((recurrent_kernel,), activation, recurrent_activation, recurrent_mask)

    def forward(self, x_proj: Any, states: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any]:
        h_prev, c_prev = states
        left = self.dropped(h_prev)
        h, c, saved = self.rnn.lstm_gates_forward(
            x_proj, c_prev, *self.activations,
            z_recurrent=backend.xp().matmul(left, self.kernels[0]))
        return (h, c), ((left,), (c_prev, saved))

    def backward(self, d_output: Any | None, d_states: tuple[Any, ...],
                 cache: Any) -> tuple[Any, tuple[Any, ...], tuple[Any, ...]]:
        dh, dc = d_states
        _, (c_prev, saved) = cache
        dh, dh_recurrent = _output_and_carried(d_output, dh)
        dz, dc_prev = self.rnn.lstm_gates_backward(dh, dc, c_prev, saved, *self.activations,
                                                   dh_recurrent=dh_recurrent)
        return dz, (self.through_kernel(dz), dc_prev), (dz,)


class SimpleRecurrence(Recurrence):
    """One SimpleRNN timestep: ``h = act(x_proj + h_prev @ U)``.

    Example::

        step = SimpleRecurrence(U, "tanh")
        (h,), cache = step.forward(x @ W + b, (h,))
    """

    def __init__(self, recurrent_kernel: Any, activation: str,
                 recurrent_mask: Any | None = None) -> None:
        super().__init__((recurrent_kernel,), activation, "sigmoid", recurrent_mask)

    def forward(self, x_proj: Any, states: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any]:
        left = self.dropped(states[0])
        h = self.rnn.simple_rnn_forward(x_proj, backend.xp().matmul(left, self.kernels[0]),
                                        *self.activations)
        return (h,), ((left,), h)

    def backward(self, d_output: Any | None, d_states: tuple[Any, ...],
                 cache: Any) -> tuple[Any, tuple[Any, ...], tuple[Any, ...]]:
        dh, dh_recurrent = _output_and_carried(d_output, d_states[0])
        dz = self.rnn.simple_rnn_backward(dh, cache[1], *self.activations,
                                          dh_recurrent=dh_recurrent)
        return dz, (self.through_kernel(dz),), (dz,)


class GruRecurrence(Recurrence):
    """One GRU timestep (Keras 3 GRUCell arithmetic), state ``(h,)``.

    Args:
        recurrent_kernel: ``(u, 3u)`` array, blocks z, r, h.
        recurrent_bias: ``(3u,)`` array (Keras ``bias[1]``, reset_after=True only) or None.
        activation, recurrent_activation: validated activation names.
        reset_after: Keras's ``reset_after``.
        recurrent_mask: ``(N, u)`` recurrent dropout mask or None.

    Example::

        step = GruRecurrence(U, b[1], "tanh", "sigmoid", reset_after=True)
        (h,), cache = step.forward(x @ W + b[0], (h_prev,))
    """

    def __init__(self, recurrent_kernel: Any, recurrent_bias: Any | None, activation: str,
                 recurrent_activation: str, reset_after: bool,
                 recurrent_mask: Any | None = None) -> None:
        xp = backend.xp()
        units = recurrent_kernel.shape[0]
        if reset_after:
            kernels = (recurrent_kernel,)
        else:  # z, r from h_prev; the candidate from r * h_prev
            kernels = (xp.ascontiguousarray(recurrent_kernel[:, :2 * units]),
                       xp.ascontiguousarray(recurrent_kernel[:, 2 * units:]))
        super().__init__(kernels, activation, recurrent_activation, recurrent_mask,
                         recurrent_bias)
        self.reset_after = reset_after

    def forward(self, x_proj: Any, states: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any]:
        matmul = backend.xp().matmul
        h_prev = states[0]
        left = self.dropped(h_prev)
        if self.reset_after:
            h, saved = self.rnn.gru_gates_forward(
                x_proj, matmul(left, self.kernels[0]), h_prev, *self.activations,
                recurrent_bias=self.recurrent_bias)
            return (h,), ((left,), (h_prev, saved))
        # Stage 1 sees the dropped state: its reset_h = r * left feeds the candidate GEMM.
        zr, reset_h = self.rnn.gru_reset_gates_forward(
            x_proj, matmul(left, self.kernels[0]), left, *self.activations)
        h, candidate = self.rnn.gru_candidate_forward(
            x_proj, matmul(reset_h, self.kernels[1]), zr, h_prev, *self.activations)
        return (h,), ((left, reset_h), (h_prev, zr, candidate))

    def backward(self, d_output: Any | None, d_states: tuple[Any, ...],
                 cache: Any) -> tuple[Any, tuple[Any, ...], tuple[Any, ...]]:
        xp = backend.xp()
        lefts, saved = cache
        dh, dh_recurrent = _output_and_carried(d_output, d_states[0])
        if self.reset_after:
            h_prev, gates = saved
            dx_proj, dh_proj, dh_prev = self.rnn.gru_gates_backward(
                dh, h_prev, gates, *self.activations, dh_recurrent=dh_recurrent)
            return dx_proj, (dh_prev + self.through_kernel(dh_proj),), (dh_proj,)
        h_prev, zr, candidate = saved
        d_candidate, dz, dh_prev = self.rnn.gru_candidate_backward(
            dh, h_prev, zr, candidate, *self.activations, dh_recurrent=dh_recurrent)
        d_reset_h = xp.matmul(d_candidate, self.kernels[1].T)
        dzr, d_left_reset = self.rnn.gru_reset_gates_backward(
            dz, d_reset_h, lefts[0], zr, *self.activations)
        d_left = d_left_reset + xp.matmul(dzr, self.kernels[0].T)
        dh_prev = dh_prev + self.dropped(d_left)
        return xp.concatenate([dzr, d_candidate], axis=-1), (dh_prev,), (dzr, d_candidate)
