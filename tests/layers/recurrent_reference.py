"""Plain-loop references for the recurrent layers, written from the Keras 3 equations.

Everything is float64 NumPy with an explicit Python loop over the timesteps. A *step* is a
function ``step(x_t, states) -> (output, new_states)``; :func:`reference_rnn` runs one over a
sequence with Keras's ``go_backwards`` and timestep-mask semantics, and the ``*_step``
makers build the SimpleRNN, LSTM and GRU steps from weights in the Keras 3 layout:

- SimpleRNN: ``h = act(x@W + b + h_prev@U)``.
- LSTM, gate blocks i, f, c, o: ``c = f*c_prev + i*act(z_c)``, ``h = o*act(c)``.
- GRU, gate blocks z, r, h: ``z = rec(x_z + h_prev@U_z)``, ``r = rec(x_r + h_prev@U_r)``;
  reset_after=True: ``hh = act(x_h + r*(h_prev@U_h + b_rh))`` with bias rows (input,
  recurrent); reset_after=False: ``hh = act(x_h + (r*h_prev)@U_h)``;
  ``h = z*h_prev + (1-z)*hh``.

Dropout masks: ``input_dropout (N, F)`` multiplies the step input, ``recurrent_dropout (N, u)``
multiplies ``h_prev`` only where it enters the recurrent matmul (never the carried state,
nor GRU's final mix).
"""

from __future__ import annotations

import numpy as np


# -- Keras 3 activations ----------------------------------------------------------------------
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def hard_sigmoid(x):
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0)


def softsign(x):
    return x / (1.0 + np.abs(x))


def elu(x):
    return np.where(x > 0, x, np.exp(np.minimum(x, 0.0)) - 1.0)


def relu(x):
    return np.maximum(x, 0.0)


def linear(x):
    return x


ACTIVATIONS = {"tanh": np.tanh, "sigmoid": sigmoid, "hard_sigmoid": hard_sigmoid,
               "softsign": softsign, "elu": elu, "relu": relu, "linear": linear}


def _f64(array):
    return None if array is None else np.asarray(array, dtype="float64")


def _dropped(state, recurrent_dropout):
    return state if recurrent_dropout is None else state * recurrent_dropout


def _input(x, input_dropout):
    return x if input_dropout is None else x * input_dropout


# -- one step of each cell ----------------------------------------------------------------------
def simple_rnn_step(kernel, recurrent_kernel, bias=None, activation=np.tanh,
                    input_dropout=None, recurrent_dropout=None):
    kernel, recurrent_kernel, bias = _f64(kernel), _f64(recurrent_kernel), _f64(bias)
    input_dropout, recurrent_dropout = _f64(input_dropout), _f64(recurrent_dropout)
    units = recurrent_kernel.shape[0]

    def step(x, states):
        x = _input(x, input_dropout)
        h_prev = states[0]
        out = np.zeros((x.shape[0], units))
        for n in range(x.shape[0]):
            total = x[n] @ kernel + _dropped(h_prev, recurrent_dropout)[n] @ recurrent_kernel
            out[n] = activation(total if bias is None else total + bias)
        return out, [out]
    return step


def lstm_step(kernel, recurrent_kernel, bias=None, activation=np.tanh,
              recurrent_activation=sigmoid, input_dropout=None, recurrent_dropout=None):
    kernel, recurrent_kernel, bias = _f64(kernel), _f64(recurrent_kernel), _f64(bias)
    input_dropout, recurrent_dropout = _f64(input_dropout), _f64(recurrent_dropout)
    u = recurrent_kernel.shape[0]

    def block(matrix, k):
        return matrix[..., k * u:(k + 1) * u]

    def step(x, states):
        x = _input(x, input_dropout)
        h_prev, c_prev = states
        left = _dropped(h_prev, recurrent_dropout)
        h, c = np.zeros_like(h_prev), np.zeros_like(c_prev)
        for n in range(x.shape[0]):
            z = [x[n] @ block(kernel, k) + left[n] @ block(recurrent_kernel, k)
                 for k in range(4)]
            if bias is not None:
                z = [z[k] + block(bias, k) for k in range(4)]
            i, f, o = (recurrent_activation(z[k]) for k in (0, 1, 3))
            c[n] = f * c_prev[n] + i * activation(z[2])
            h[n] = o * activation(c[n])
        return h, [h, c]
    return step


def gru_step(kernel, recurrent_kernel, bias=None, activation=np.tanh,
             recurrent_activation=sigmoid, reset_after=True, input_dropout=None,
             recurrent_dropout=None):
    kernel, recurrent_kernel, bias = _f64(kernel), _f64(recurrent_kernel), _f64(bias)
    input_dropout, recurrent_dropout = _f64(input_dropout), _f64(recurrent_dropout)
    u = recurrent_kernel.shape[0]
    if bias is None:
        input_bias = recurrent_bias = np.zeros(3 * u)
    elif reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros(3 * u)

    def block(matrix, k):
        return matrix[..., k * u:(k + 1) * u]

    def step(x, states):
        x = _input(x, input_dropout)
        h_prev = states[0]
        left = _dropped(h_prev, recurrent_dropout)
        h = np.zeros_like(h_prev)
        for n in range(x.shape[0]):
            x_z, x_r, x_h = (x[n] @ block(kernel, k) + block(input_bias, k) for k in range(3))
            r_z, r_r = (left[n] @ block(recurrent_kernel, k) + block(recurrent_bias, k)
                        for k in range(2))
            z = recurrent_activation(x_z + r_z)
            r = recurrent_activation(x_r + r_r)
            if reset_after:
                recurrent_h = r * (left[n] @ block(recurrent_kernel, 2)
                                   + block(recurrent_bias, 2))
            else:
                recurrent_h = (r * left[n]) @ block(recurrent_kernel, 2)
            hh = activation(x_h + recurrent_h)
            h[n] = z * h_prev[n] + (1.0 - z) * hh
        return h, [h]
    return step


def stacked_step(steps, state_counts):
    """Cells in a stack: each step's output is the next one's input within a timestep."""
    def step(x, states):
        new_states, start = [], 0
        for cell_step, count in zip(steps, state_counts):
            x, cell_states = cell_step(x, states[start:start + count])
            new_states.extend(cell_states)
            start += count
        return x, new_states
    return step


# -- the time loop -----------------------------------------------------------------------------
def reference_rnn(step, x, initial_states, *, mask=None, go_backwards=False,
                  zero_output_for_mask=False):
    """Run ``step`` over ``x (N, T, F)`` -> ``(outputs (N, T, out) in processing order,
    final states)``. Keras mask semantics: at a masked step every state keeps its value and
    the output repeats the previous output (zeros before any), or is zero with
    ``zero_output_for_mask``."""
    x = _f64(x)
    states = [_f64(s).copy() for s in initial_states]
    mask = None if mask is None else np.asarray(mask, dtype=bool)
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outputs, previous = [], None
    for t in order:
        output, new_states = step(x[:, t], states)
        if previous is None:
            previous = np.zeros_like(output)
        if mask is not None:
            output, new_states = output.copy(), [s.copy() for s in new_states]
            for n in range(x.shape[0]):
                if not mask[n, t]:
                    output[n] = 0.0 if zero_output_for_mask else previous[n]
                    for new, old in zip(new_states, states):
                        new[n] = old[n]
        outputs.append(output)
        states, previous = new_states, output
    return np.stack(outputs, axis=1), states


def _zeros(x, units, count):
    return [np.zeros((np.shape(x)[0], units)) for _ in range(count)]


def simple_rnn_reference(x, kernel, recurrent_kernel, bias=None, activation=np.tanh,
                         initial_state=None, input_dropout=None, recurrent_dropout=None,
                         **loop_options):
    step = simple_rnn_step(kernel, recurrent_kernel, bias, activation, input_dropout,
                           recurrent_dropout)
    states = initial_state or _zeros(x, np.shape(recurrent_kernel)[0], 1)
    return reference_rnn(step, x, states, **loop_options)


def lstm_reference(x, kernel, recurrent_kernel, bias=None, activation=np.tanh,
                   recurrent_activation=sigmoid, initial_state=None, input_dropout=None,
                   recurrent_dropout=None, **loop_options):
    step = lstm_step(kernel, recurrent_kernel, bias, activation, recurrent_activation,
                     input_dropout, recurrent_dropout)
    states = initial_state or _zeros(x, np.shape(recurrent_kernel)[0], 2)
    return reference_rnn(step, x, states, **loop_options)


def gru_reference(x, kernel, recurrent_kernel, bias=None, activation=np.tanh,
                  recurrent_activation=sigmoid, reset_after=True, initial_state=None,
                  input_dropout=None, recurrent_dropout=None, **loop_options):
    step = gru_step(kernel, recurrent_kernel, bias, activation, recurrent_activation,
                    reset_after, input_dropout, recurrent_dropout)
    states = initial_state or _zeros(x, np.shape(recurrent_kernel)[0], 1)
    return reference_rnn(step, x, states, **loop_options)


REFERENCES = {"SimpleRNN": simple_rnn_reference, "LSTM": lstm_reference, "GRU": gru_reference}


def layer_reference(kind, x, weights, *, use_bias=True, activation="tanh",
                    recurrent_activation="sigmoid", reset_after=True, **options):
    """The reference for layer ``kind`` ('SimpleRNN'/'LSTM'/'GRU') with ``weights`` as
    ``get_weights()`` returns them and activations given by name."""
    kernel, recurrent_kernel = weights[0], weights[1]
    bias = weights[2] if use_bias else None
    act = ACTIVATIONS[activation] if isinstance(activation, str) else activation
    if kind == "SimpleRNN":
        return simple_rnn_reference(x, kernel, recurrent_kernel, bias, act, **options)
    rec = ACTIVATIONS[recurrent_activation] if isinstance(recurrent_activation, str) else (
        recurrent_activation)
    if kind == "LSTM":
        return lstm_reference(x, kernel, recurrent_kernel, bias, act, rec, **options)
    return gru_reference(x, kernel, recurrent_kernel, bias, act, rec, reset_after, **options)
