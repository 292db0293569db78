"""Whole-sequence LSTM, GRU and SimpleRNN ops, each recorded as ONE autodiff node.

Keras 3 weight layouts (contiguous gate blocks): LSTM ``kernel (in, 4u)``,
``recurrent_kernel (u, 4u)``, ``bias (4u,)`` with gates i, f, c, o; GRU ``kernel (in, 3u)``,
``recurrent_kernel (u, 3u)`` with gates z, r, h and ``bias (2, 3u)`` (rows: input bias,
recurrent bias) when ``reset_after=True`` or ``(3u,)`` when False; SimpleRNN ``kernel (in, u)``,
``recurrent_kernel (u, u)``, ``bias (u,)``.

Speed design: the inputs of all timesteps are projected with one GEMM before the time loop;
each step then runs one recurrent GEMM and one fused gate primitive (one CUDA launch on CuPy,
``kernels/rnn.cu``). The backward pass runs backpropagation through time with the fused
backward gates (one GEMM per step for the carried state gradient); the kernel, recurrent
kernel and bias gradients are each one big GEMM or reduction at the end.

Common arguments:
    go_backwards: process the timesteps from last to first; like Keras, the outputs come back
        in processing order (``outputs[:, 0]`` follows the last input).
    mask: ``(N, T)`` Keras timestep mask (input order). Where it is False the step is
        skipped for that row: every state keeps its previous value, so ``outputs[:, t]``
        repeats the previous state.
    recurrent_mask: ``(N, u)`` recurrent dropout mask (Keras's, fixed across timesteps): it
        multiplies the previous ``h`` where it enters the recurrent GEMM, not the state.
    Masks are constants (no gradient).
"""

from __future__ import annotations

from typing import Any

from gpulayers import autodiff, backend
from gpulayers.ops.bptt import run_backward, run_forward
from gpulayers.ops.recurrence import (
    GruRecurrence,
    LstmRecurrence,
    SimpleRecurrence,
    time_major,
    undo_time_major,
)
from gpulayers.ops.rnn_arguments import (
    activation_name,
    check_shape,
    constant_mask,
    optional_tensor,
    same_float_dtype,
)

__all__ = ["gru_sequence", "lstm_sequence", "simple_rnn_sequence"]


class _Arguments:
    """The converted and checked arguments of one sequence-op call."""

    def __init__(self, op: str, gates: int, inputs: Any, states: dict[str, Any], kernel: Any,
                 recurrent_kernel: Any, bias: Any, bias_shape: Any, mask: Any,
                 recurrent_mask: Any) -> None:
        self.op = op
        self.inputs, self.kernel, self.recurrent_kernel = (
            autodiff.convert_to_tensor(v) for v in (inputs, kernel, recurrent_kernel))
        check_shape(op, "inputs", self.inputs, (None, None, None))
        check_shape(op, "recurrent_kernel", self.recurrent_kernel, (None, None))
        batch, steps, features = self.inputs.shape
        units = self.recurrent_kernel.shape[0]
        check_shape(op, "kernel", self.kernel, (features, gates * units))
        check_shape(op, "recurrent_kernel", self.recurrent_kernel, (units, gates * units))
        if steps == 0:
            raise ValueError(f"{op}: `inputs` needs at least one timestep. Received shape "
                             f"{self.inputs.shape}")
        self.sizes = batch, steps, features, units
        self.states = [self._state(name, state) for name, state in states.items()]
        self.bias = optional_tensor(bias)
        if self.bias is not None:
            check_shape(op, "bias", self.bias, bias_shape(units))
        same_float_dtype(op, {"inputs": self.inputs, "kernel": self.kernel,
                              "recurrent_kernel": self.recurrent_kernel, "bias": self.bias,
                              **dict(zip(states, self.states))})
        self.mask = constant_mask(op, "mask", mask, (batch, steps), "batch, timesteps", bool)
        self.recurrent_mask = constant_mask(op, "recurrent_mask", recurrent_mask,
                                            (batch, units), "batch, units",
                                            self.inputs.data.dtype)

    def _state(self, name: str, state: Any) -> autodiff.Tensor:
        batch, _, _, units = self.sizes
        state = optional_tensor(state)
        if state is None:
            state = autodiff.Tensor(backend.xp().zeros((batch, units), self.inputs.data.dtype))
        check_shape(self.op, name, state, (batch, units))
        return state

    def activation(self, argument: str, value: Any) -> str:
        return activation_name(self.op, argument, value)


def _run(arguments: _Arguments, step: Any, input_bias: Any | None, go_backwards: bool,
         bias_gradient: Any) -> tuple[autodiff.Tensor, ...]:
    """Project, run the time loop and record one node with the BPTT backward.

    ``bias_gradient(d_proj_sum, d_recurrent_bias)`` assembles the bias gradient.
    """
    xp = backend.xp()
    a = arguments
    batch, steps, features, units = a.sizes
    parents = (a.inputs, *a.states, a.kernel, a.recurrent_kernel, a.bias)
    needs = autodiff.needs_grad(*parents)
    inputs_tm = time_major(a.inputs.data, go_backwards)
    mask_tm = None if a.mask is None else time_major(a.mask[..., None], go_backwards)
    flat_inputs = inputs_tm.reshape(steps * batch, features)
    x_proj = xp.matmul(flat_inputs, a.kernel.data)
    if input_bias is not None:
        x_proj += input_bias
    x_proj = x_proj.reshape(steps, batch, -1)
    outputs, states, caches = run_forward(step, x_proj, tuple(s.data for s in a.states),
                                          mask_tm)

    def vjp(grads: tuple[Any, ...]) -> tuple[Any, ...]:
        d_proj_tm, d_initial, rights = run_backward(step, caches, grads[0], tuple(grads[1:]),
                                                    mask_tm)
        d_proj = d_proj_tm.reshape(steps * batch, -1)
        d_inputs = d_kernel = None
        if needs[0]:
            d_inputs = undo_time_major(xp.matmul(d_proj, a.kernel.data.T).reshape(
                steps, batch, features), go_backwards)
        if needs[1 + len(a.states)]:
            d_kernel = xp.matmul(flat_inputs.T, d_proj)
        d_recurrent_kernel, d_recurrent_bias = step.weight_gradients(caches, rights)
        d_bias = None if a.bias is None else bias_gradient(d_proj.sum(axis=0),
                                                           d_recurrent_bias)
        return d_inputs, *d_initial, d_kernel, d_recurrent_kernel, d_bias

    return autodiff.record((outputs, *states), parents, vjp, name=a.op)


def _plain_bias(d_proj_sum: Any, _: Any) -> Any:
    return d_proj_sum


def lstm_sequence(inputs: Any, h0: Any, c0: Any, kernel: Any, recurrent_kernel: Any,
                  bias: Any = None, activation: str | None = "tanh",
                  recurrent_activation: str | None = "sigmoid", go_backwards: bool = False,
                  mask: Any = None, recurrent_mask: Any = None) -> tuple[autodiff.Tensor, ...]:
    """A whole LSTM sequence as one node (Keras 3 LSTM arithmetic).

    Args:
        inputs: ``(N, T, in)``. h0, c0: ``(N, u)`` initial states (None: zeros).
        kernel: ``(in, 4u)``; recurrent_kernel: ``(u, 4u)``; bias: ``(4u,)`` or None.
        go_backwards, mask, recurrent_mask: see the module docstring.

    Returns:
        ``(outputs (N, T, u), h_T (N, u), c_T (N, u))``.

    Example::

        outputs, h, c = ops.lstm_sequence(x, None, None, W, U, b)
    """
    a = _Arguments("lstm_sequence", 4, inputs, {"h0": h0, "c0": c0}, kernel,
                   recurrent_kernel, bias, lambda u: (4 * u,), mask, recurrent_mask)
    step = LstmRecurrence(a.recurrent_kernel.data, a.activation("activation", activation),
                          a.activation("recurrent_activation", recurrent_activation),
                          a.recurrent_mask)
    input_bias = None if a.bias is None else a.bias.data
    return _run(a, step, input_bias, go_backwards, _plain_bias)


def gru_sequence(inputs: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias: Any = None,
                 activation: str | None = "tanh", recurrent_activation: str | None = "sigmoid",
                 reset_after: bool = True, go_backwards: bool = False, mask: Any = None,
                 recurrent_mask: Any = None) -> tuple[autodiff.Tensor, ...]:
    """A whole GRU sequence as one node (Keras 3 GRU arithmetic).

    Args:
        inputs: ``(N, T, in)``. h0: ``(N, u)`` initial state (None: zeros).
        kernel: ``(in, 3u)``; recurrent_kernel: ``(u, 3u)``.
        bias: ``(2, 3u)`` (input and recurrent bias) with ``reset_after=True``, ``(3u,)`` with
            False, or None.
        go_backwards, mask, recurrent_mask: see the module docstring.

    Returns:
        ``(outputs (N, T, u), h_T (N, u))``.

    Example::

        outputs, h = ops.gru_sequence(x, None, W, U, b)
    """
    a = _Arguments("gru_sequence", 3, inputs, {"h0": h0}, kernel, recurrent_kernel, bias,
                   lambda u: (2, 3 * u) if reset_after else (3 * u,), mask, recurrent_mask)
    input_bias = recurrent_bias = None
    if a.bias is not None:
        input_bias, recurrent_bias = (a.bias.data[0], a.bias.data[1]) if reset_after else (
            a.bias.data, None)
    step = GruRecurrence(a.recurrent_kernel.data, recurrent_bias,
                         a.activation("activation", activation),
                         a.activation("recurrent_activation", recurrent_activation),
                         bool(reset_after), a.recurrent_mask)

    def bias_gradient(d_input_bias: Any, d_recurrent_bias: Any) -> Any:
        if not reset_after:
            return d_input_bias
        return backend.xp().stack([d_input_bias, d_recurrent_bias])

    return _run(a, step, input_bias, go_backwards, bias_gradient)


def simple_rnn_sequence(inputs: Any, h0: Any, kernel: Any, recurrent_kernel: Any,
                        bias: Any = None, activation: str | None = "tanh",
                        go_backwards: bool = False, mask: Any = None,
                        recurrent_mask: Any = None) -> tuple[autodiff.Tensor, ...]:
    """A whole SimpleRNN sequence as one node: ``h_t = act(x_t @ W + b + h_{t-1} @ U)``.

    Args:
        inputs: ``(N, T, in)``. h0: ``(N, u)`` initial state (None: zeros).
        kernel: ``(in, u)``; recurrent_kernel: ``(u, u)``; bias: ``(u,)`` or None.
        go_backwards, mask, recurrent_mask: see the module docstring.

    Returns:
        ``(outputs (N, T, u), h_T (N, u))``.

    Example::

        outputs, h = ops.simple_rnn_sequence(x, None, W, U, b)
    """
    a = _Arguments("simple_rnn_sequence", 1, inputs, {"h0": h0}, kernel, recurrent_kernel,
                   bias, lambda u: (u,), mask, recurrent_mask)
    step = SimpleRecurrence(a.recurrent_kernel.data, a.activation("activation", activation),
                            a.recurrent_mask)
    input_bias = None if a.bias is None else a.bias.data
    return _run(a, step, input_bias, go_backwards, _plain_bias)
