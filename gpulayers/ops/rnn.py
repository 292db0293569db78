"""Differentiable recurrent ops: fused LSTM/GRU cells and whole-sequence LSTM/GRU.

Keras 3 weight layouts (contiguous gate blocks): LSTM ``kernel (in, 4u)``,
``recurrent_kernel (u, 4u)``, ``bias (4u,)`` with gates i, f, c, o; GRU ``kernel (in, 3u)``,
``recurrent_kernel (u, 3u)`` with gates z, r, h and ``bias (2, 3u)`` (rows: input bias,
recurrent bias) when ``reset_after=True`` or ``(3u,)`` when False. The gate arithmetic of a
timestep is one fused primitive (one CUDA launch on CuPy, see ``kernels/rnn.cu``).

The sequence ops project the inputs of all timesteps with one GEMM, then run one recurrent GEMM
and one fused gate call per step, and record ONE node whose backward runs backpropagation
through time with the fused backward gates (one GEMM per step for the carried dh; dW, dU and
the biases as one big GEMM/reduction each at the end).

``go_backwards=True`` processes the sequence from the last timestep to the first and, like
Keras, returns the outputs in processing order (``outputs[:, 0]`` follows the last input).

Activations: ``'tanh'``, ``'sigmoid'``, ``'hard_sigmoid'``, ``'relu'``, ``'linear'`` (or None).
"""

from __future__ import annotations

from typing import Any

from gpulayers import autodiff, backend
from gpulayers.ops.recurrence import GruRecurrence, time_major, undo_time_major

__all__ = ["gru_cell", "gru_sequence", "lstm_cell", "lstm_sequence"]


def activation_name(op: str, argument: str, value: Any) -> str:
    """Validated activation name (None means ``'linear'``, as in Keras)."""
    name = "linear" if value is None else value
    known = backend.primitives("rnn").ACTIVATIONS
    if not isinstance(name, str) or name not in known:
        raise ValueError(f"{op}: `{argument}` must be one of {known} or None. "
                         f"Received: {argument}={value!r}")
    return name


def optional_tensor(value: Any) -> autodiff.Tensor | None:
    """None stays None; anything else becomes a Tensor."""
    return None if value is None else autodiff.convert_to_tensor(value)


def check_shape(op: str, argument: str, tensor: autodiff.Tensor,
                expected: tuple[int | None, ...]) -> None:
    """ValueError unless ``tensor`` has ``len(expected)`` dims matching (None: any size)."""
    shape = tensor.shape
    if len(shape) != len(expected) or any(
            want is not None and got != want for got, want in zip(shape, expected)):
        wanted = tuple("?" if want is None else want for want in expected)
        raise ValueError(f"{op}: `{argument}` must have shape {wanted}. Received shape {shape}")


def same_float_dtype(op: str, tensors: dict[str, autodiff.Tensor | None]) -> None:
    """TypeError unless every given tensor has the same floating dtype."""
    given = {name: t.dtype for name, t in tensors.items() if t is not None}
    dtypes = set(given.values())
    if len(dtypes) != 1 or not next(iter(dtypes)).startswith("float"):
        raise TypeError(f"{op}: all arguments must share one float dtype. Received dtypes "
                        f"{given}")


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
    h, cache = recurrence.forward(x_proj.data, h_prev.data)

    def vjp(dh: Any) -> tuple[Any, Any, Any, Any]:
        dx_proj, dh_prev, rights = recurrence.backward(dh, None, cache)
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


def _sequence_inputs(op: str, gates: int, inputs: Any, kernel: Any, recurrent_kernel: Any,
                     states: dict[str, Any]) -> tuple[Any, ...]:
    """Convert and validate the shared arguments of the sequence ops.

    Returns ``(inputs, kernel, recurrent_kernel, states)`` as Tensors (missing states become
    zeros) and the sizes ``(batch, steps, features, units)``.
    """
    inputs, kernel, recurrent_kernel = (autodiff.convert_to_tensor(v)
                                        for v in (inputs, kernel, recurrent_kernel))
    check_shape(op, "inputs", inputs, (None, None, None))
    check_shape(op, "recurrent_kernel", recurrent_kernel, (None, None))
    batch, steps, features = inputs.shape
    units = recurrent_kernel.shape[0]
    check_shape(op, "kernel", kernel, (features, gates * units))
    check_shape(op, "recurrent_kernel", recurrent_kernel, (units, gates * units))
    if steps == 0:
        raise ValueError(f"{op}: `inputs` needs at least one timestep. Received shape "
                         f"{inputs.shape}")
    converted = {}
    for name, state in states.items():
        state = optional_tensor(state)
        if state is None:
            state = autodiff.Tensor(backend.xp().zeros((batch, units), inputs.data.dtype))
        check_shape(op, name, state, (batch, units))
        converted[name] = state
    return inputs, kernel, recurrent_kernel, converted, (batch, steps, features, units)


def _project_inputs(inputs_tm: Any, kernel: Any, bias: Any | None) -> Any:
    """``(T, N, F) @ (F, G) + bias`` as one GEMM -> ``(T, N, G)``."""
    steps, batch, features = inputs_tm.shape
    projection = backend.xp().matmul(inputs_tm.reshape(steps * batch, features), kernel)
    if bias is not None:
        projection += bias
    return projection.reshape(steps, batch, kernel.shape[1])


def _input_gradients(d_proj: Any, inputs_tm: Any, kernel: Any, go_backwards: bool,
                     need_inputs: bool, need_kernel: bool) -> tuple[Any, Any]:
    """Gradients of the inputs ``(N, T, F)`` and of the kernel from ``d_proj (T*N, G)``."""
    xp = backend.xp()
    steps, batch, features = inputs_tm.shape
    d_inputs = d_kernel = None
    if need_inputs:
        d_inputs_tm = xp.matmul(d_proj, kernel.T).reshape(steps, batch, features)
        d_inputs = undo_time_major(d_inputs_tm, go_backwards)
    if need_kernel:
        d_kernel = xp.matmul(inputs_tm.reshape(steps * batch, features).T, d_proj)
    return d_inputs, d_kernel


def lstm_sequence(inputs: Any, h0: Any, c0: Any, kernel: Any, recurrent_kernel: Any,
                  bias: Any = None, activation: str | None = "tanh",
                  recurrent_activation: str | None = "sigmoid",
                  go_backwards: bool = False) -> tuple[autodiff.Tensor, ...]:
    """A whole LSTM sequence as one node (Keras 3 LSTM arithmetic).

    Args:
        inputs: ``(N, T, in)``. h0, c0: ``(N, u)`` initial states (None: zeros).
        kernel: ``(in, 4u)``; recurrent_kernel: ``(u, 4u)``; bias: ``(4u,)`` or None.
        go_backwards: process the timesteps in reverse (outputs in processing order).

    Returns:
        ``(outputs (N, T, u), h_T (N, u), c_T (N, u))``.

    Example::

        outputs, h, c = ops.lstm_sequence(x, None, None, W, U, b)
    """
    op = "lstm_sequence"
    inputs, kernel, recurrent_kernel, states, sizes = _sequence_inputs(
        op, 4, inputs, kernel, recurrent_kernel, {"h0": h0, "c0": c0})
    h0, c0 = states["h0"], states["c0"]
    batch, steps, features, units = sizes
    bias = optional_tensor(bias)
    if bias is not None:
        check_shape(op, "bias", bias, (4 * units,))
    same_float_dtype(op, {"inputs": inputs, "h0": h0, "c0": c0, "kernel": kernel,
                          "recurrent_kernel": recurrent_kernel, "bias": bias})
    act = activation_name(op, "activation", activation)
    rec = activation_name(op, "recurrent_activation", recurrent_activation)
    parents = (inputs, h0, c0, kernel, recurrent_kernel, bias)
    needs = autodiff.needs_grad(*parents)
    xp, rnn = backend.xp(), backend.primitives("rnn")
    kernel_u = recurrent_kernel.data
    inputs_tm = time_major(inputs.data, go_backwards)
    z_inputs = _project_inputs(inputs_tm, kernel.data, None if bias is None else bias.data)
    h, c = h0.data, c0.data
    hs, cs, saveds = [], [c], []
    for step in range(steps):
        h, c, saved = rnn.lstm_gates_forward(z_inputs[step], c, act, rec,
                                             z_recurrent=xp.matmul(h, kernel_u))
        hs.append(h)
        cs.append(c)
        saveds.append(saved)
    outputs = xp.stack(hs, axis=1)

    def vjp(grads: tuple[Any, Any, Any]) -> tuple[Any, ...]:
        d_outputs, dh, dc = grads
        d_outputs_tm = xp.ascontiguousarray(d_outputs.transpose(1, 0, 2))
        dzs = [None] * steps
        for step in reversed(range(steps)):
            dzs[step], dc = rnn.lstm_gates_backward(d_outputs_tm[step], dc, cs[step],
                                                    saveds[step], act, rec, dh_recurrent=dh)
            dh = xp.matmul(dzs[step], kernel_u.T)
        d_z = xp.stack(dzs).reshape(steps * batch, 4 * units)
        h_prevs = xp.stack([h0.data, *hs[:-1]]).reshape(steps * batch, units)
        d_inputs, d_kernel = _input_gradients(d_z, inputs_tm, kernel.data, go_backwards,
                                              needs[0], needs[3])
        d_bias = None if bias is None else d_z.sum(axis=0)
        return d_inputs, dh, dc, d_kernel, xp.matmul(h_prevs.T, d_z), d_bias

    return autodiff.record((outputs, h, c), parents, vjp, name=op)


def gru_sequence(inputs: Any, h0: Any, kernel: Any, recurrent_kernel: Any, bias: Any = None,
                 activation: str | None = "tanh", recurrent_activation: str | None = "sigmoid",
                 reset_after: bool = True,
                 go_backwards: bool = False) -> tuple[autodiff.Tensor, ...]:
    """A whole GRU sequence as one node (Keras 3 GRU arithmetic).

    Args:
        inputs: ``(N, T, in)``. h0: ``(N, u)`` initial state (None: zeros).
        kernel: ``(in, 3u)``; recurrent_kernel: ``(u, 3u)``.
        bias: ``(2, 3u)`` (input and recurrent bias) with ``reset_after=True``, ``(3u,)`` with
            False, or None.
        go_backwards: process the timesteps in reverse (outputs in processing order).

    Returns:
        ``(outputs (N, T, u), h_T (N, u))``.

    Example::

        outputs, h = ops.gru_sequence(x, None, W, U, b)
    """
    op = "gru_sequence"
    inputs, kernel, recurrent_kernel, states, sizes = _sequence_inputs(
        op, 3, inputs, kernel, recurrent_kernel, {"h0": h0})
    h0 = states["h0"]
    batch, steps, features, units = sizes
    bias = optional_tensor(bias)
    if bias is not None:
        check_shape(op, "bias", bias, (2, 3 * units) if reset_after else (3 * units,))
    same_float_dtype(op, {"inputs": inputs, "h0": h0, "kernel": kernel,
                          "recurrent_kernel": recurrent_kernel, "bias": bias})
    input_bias = recurrent_bias = None
    if bias is not None:
        input_bias, recurrent_bias = (bias.data[0], bias.data[1]) if reset_after else (
            bias.data, None)
    recurrence = GruRecurrence(recurrent_kernel.data, recurrent_bias,
                               activation_name(op, "activation", activation),
                               activation_name(op, "recurrent_activation", recurrent_activation),
                               bool(reset_after))
    parents = (inputs, h0, kernel, recurrent_kernel, bias)
    needs = autodiff.needs_grad(*parents)
    xp = backend.xp()
    inputs_tm = time_major(inputs.data, go_backwards)
    x_proj = _project_inputs(inputs_tm, kernel.data, input_bias)
    h, hs, caches = h0.data, [], []
    for step in range(steps):
        h, cache = recurrence.forward(x_proj[step], h)
        hs.append(h)
        caches.append(cache)
    outputs = xp.stack(hs, axis=1)

    def vjp(grads: tuple[Any, Any]) -> tuple[Any, ...]:
        d_outputs, dh = grads
        d_outputs_tm = xp.ascontiguousarray(d_outputs.transpose(1, 0, 2))
        d_x_proj, rights = [None] * steps, [None] * steps
        for step in reversed(range(steps)):
            d_x_proj[step], dh, rights[step] = recurrence.backward(d_outputs_tm[step], dh,
                                                                  caches[step])
        d_proj = xp.stack(d_x_proj).reshape(steps * batch, 3 * units)
        d_inputs, d_kernel = _input_gradients(d_proj, inputs_tm, kernel.data, go_backwards,
                                              needs[0], needs[2])
        d_recurrent_kernel, d_recurrent_bias = recurrence.weight_gradients(caches, rights)
        d_bias = None
        if bias is not None:
            d_input_bias = d_proj.sum(axis=0)
            d_bias = xp.stack([d_input_bias, d_recurrent_bias]) if reset_after else d_input_bias
        return d_inputs, dh, d_kernel, d_recurrent_kernel, d_bias

    return autodiff.record((outputs, h), parents, vjp, name=op)
