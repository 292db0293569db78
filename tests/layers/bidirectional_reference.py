"""Plain NumPy references for the Bidirectional tests: Keras 3's SimpleRNN, LSTM and GRU
equations stepped one timestep at a time in float64, with Keras's go_backwards and mask rules,
and the two directions merged by hand."""

from __future__ import annotations

import numpy as np


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# -- the reference: Keras 3's equations, one timestep at a time, float64 ----------------------
def _step(kind, weights):
    """``step(x_t, states) -> (output, states)`` for Keras 3 weight layouts (GRU with
    reset_after=True: bias rows (input, recurrent))."""
    kernel, recurrent, bias = (np.asarray(w, np.float64) for w in weights)

    def simple(x, states):
        h = np.tanh(x @ kernel + states[0] @ recurrent + bias)
        return h, [h]

    def lstm(x, states):
        h, c = states
        i, f, g, o = np.split(x @ kernel + h @ recurrent + bias, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        return h, [h, c]

    def gru(x, states):
        h = states[0]
        xz, xr, xh = np.split(x @ kernel + bias[0], 3, axis=-1)
        rz, rr, rh = np.split(h @ recurrent + bias[1], 3, axis=-1)
        z, r = _sigmoid(xz + rz), _sigmoid(xr + rr)
        h = z * h + (1 - z) * np.tanh(xh + r * rh)
        return h, [h]

    return {"SimpleRNN": simple, "LSTM": lstm, "GRU": gru}[kind]


def reference_rnn(kind, x, weights, *, go_backwards=False, mask=None, states=None,
                  zero_output_for_mask=False):
    """(outputs (N, T, u) in processing order, final states), Keras's mask rules: a masked
    step keeps the states and repeats the previous output (or outputs zeros)."""
    x = np.asarray(x, np.float64)
    n, steps = x.shape[:2]
    units = weights[1].shape[0]
    count = 2 if kind == "LSTM" else 1
    states = [np.asarray(s, np.float64) for s in states] if states is not None else [
        np.zeros((n, units)) for _ in range(count)]
    step, outputs, previous = _step(kind, weights), [], np.zeros((n, units))
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        output, new_states = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t][:, None].astype(bool)
            output = np.where(keep, output, 0.0 if zero_output_for_mask else previous)
            new_states = [np.where(keep, new, old) for new, old in zip(new_states, states)]
        outputs.append(output)
        states, previous = new_states, output
    return np.stack(outputs, axis=1), states


def reference_bidirectional(kind, x, forward_weights, backward_weights, *, merge_mode,
                            return_sequences, mask=None, states=None, backward_kind=None):
    """(merged outputs as a list, forward final states + backward final states)."""
    half = None if states is None else len(states) // 2
    forward, forward_states = reference_rnn(
        kind, x, forward_weights, mask=mask, states=None if states is None else states[:half],
        zero_output_for_mask=return_sequences)
    backward, backward_states = reference_rnn(
        backward_kind or kind, x, backward_weights, go_backwards=True, mask=mask,
        states=None if states is None else states[half:],
        zero_output_for_mask=return_sequences)
    if return_sequences:
        backward = backward[:, ::-1]  # back to input order
    else:
        forward, backward = forward[:, -1], backward[:, -1]
    merged = {"concat": lambda: [np.concatenate([forward, backward], axis=-1)],
              "sum": lambda: [forward + backward], "mul": lambda: [forward * backward],
              "ave": lambda: [(forward + backward) / 2], None: lambda: [forward, backward]}
    return merged[merge_mode](), forward_states + backward_states
