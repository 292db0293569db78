"""The time loop of the fused sequence ops, forward and backward through time (raw arrays).

:func:`run_forward` steps a recurrence (:mod:`gpulayers.ops.recurrence`) over time-major
input projections; :func:`run_backward` walks the saved caches in reverse. Both handle Keras's
timestep mask: where ``mask[t]`` is False for a batch row, every state keeps its previous
value (the step's result is discarded), so the gradient of a masked step flows straight to the
previous step.

Example::

    outputs, states, caches = run_forward(step, x_proj_tm, (h0, c0), mask_tm)
    dx_proj_tm, d_initial_states, rights = run_backward(step, caches, d_outputs, d_states,
                                                        mask_tm)
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend

__all__ = ["run_backward", "run_forward"]


def run_forward(step: Any, x_proj_tm: Any, states: tuple[Any, ...],
                mask_tm: Any | None) -> tuple[Any, tuple[Any, ...], list[Any]]:
    """Run ``step`` over every timestep.

    Args:
        step: a recurrence with ``forward(x_proj, states) -> (states, cache)``.
        x_proj_tm: ``(T, N, G)`` input projections in processing order.
        states: the initial states, each ``(N, u_k)``.
        mask_tm: ``(T, N, 1)`` bool timestep mask in processing order, or None.

    Returns:
        ``(outputs (N, T, u), final states, caches)`` where ``outputs[:, t]`` is the first
        state after step ``t``.
    """
    xp = backend.xp()
    outputs, caches = [], []
    for t in range(x_proj_tm.shape[0]):
        new_states, cache = step.forward(x_proj_tm[t], states)
        if mask_tm is not None:
            new_states = tuple(xp.where(mask_tm[t], new, old)
                               for new, old in zip(new_states, states))
        states = new_states
        outputs.append(states[0])
        caches.append(cache)
    return xp.stack(outputs, axis=1), states, caches


def run_backward(step: Any, caches: list[Any], d_outputs: Any, d_states: tuple[Any, ...],
                 mask_tm: Any | None) -> tuple[Any, tuple[Any, ...], list[Any]]:
    """Backpropagation through time for :func:`run_forward`.

    Args:
        caches: from the forward. d_outputs: ``(N, T, u)`` gradient of the outputs.
        d_states: gradients of the final states.
        mask_tm: the forward's mask.

    Returns:
        ``(dx_proj_tm (T, N, G), gradients of the initial states, rights per step)``; the
        rights feed ``step.weight_gradients``.
    """
    xp = backend.xp()
    d_outputs_tm = xp.ascontiguousarray(xp.swapaxes(d_outputs, 0, 1))
    steps = len(caches)
    dx_proj, rights = [None] * steps, [None] * steps
    for t in reversed(range(steps)):
        d_output = d_outputs_tm[t]
        if mask_tm is not None:
            d_states = (d_states[0] + d_output, *d_states[1:])
            d_output = None
            kept = tuple(xp.where(mask_tm[t], 0, d) for d in d_states)
            d_states = tuple(xp.where(mask_tm[t], d, 0) for d in d_states)
        dx_proj[t], d_states, rights[t] = step.backward(d_output, d_states, caches[t])
        if mask_tm is not None:
            d_states = tuple(d + k for d, k in zip(d_states, kept))
    return xp.stack(dx_proj), d_states, rights
