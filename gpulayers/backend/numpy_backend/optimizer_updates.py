"""Optimizer updates, one function per algorithm: the reference for ``cupy_backend``'s kernels.

Each function updates a list of tensors: ``params[i]`` and its slot arrays (``m[i]``, ...)
from ``grads[i]``, IN PLACE (the same array objects hold the new values afterwards), and
returns None. On CuPy one call is one kernel launch for the whole list (per dtype), which is
why the functions take lists: an optimizer step over every parameter of a model costs one
launch, not one per parameter. The formulas, in the exact order of operations the
optimizers in ``gpulayers.optimizers`` document, are in each docstring; scalars are Python
floats, rounded to the arrays' dtype as NumPy rounds a Python float operand.

Contract (checked for every tensor, ValueError otherwise, before anything is written): the
lists have one length (an optional slot list is None or as long as ``params``); each
parameter and its slots have one shape and one float dtype and are writeable; no two updated
arrays of a call overlap. ``grads[i]`` has ``params[i]``'s shape; it is cast to the dtype when
it differs and copied when it shares memory with an updated array. Any memory layout works
here; the CuPy kernels copy non-C-contiguous arrays in and out.

NumPy cannot fuse the ~12 elementwise operations of an update, so C-contiguous arrays are
updated in blocks of :data:`BLOCK_BYTES` per array: every operation of a block runs while the
block is still in cache, which halves the time of a 4M-element Adam step. Per tensor, two
scratch arrays are allocated: one block each (the array's size when it is not blocked).

Example::

    adam_update([w1, w2], [g1, g2], [m1, m2], [v1, v2], None,
                alpha=lr * sqrt(1 - beta_2**t) / (1 - beta_1**t),
                beta_1=0.9, beta_2=0.999, epsilon=1e-7)   # w1, m1, v1, w2, ... hold step t
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

__all__ = [
    "adadelta_update", "adagrad_update", "adam_update", "adamax_update", "nadam_update",
    "decay_weights", "rmsprop_update", "sgd_update",
]

BLOCK_BYTES = 1 << 18  # per array: a block of every operand stays within L2/L3 cache


def sgd_update(params: Sequence[Any], grads: Sequence[Any],
               momentum_slots: Sequence[Any] | None, learning_rate: float, momentum: float,
               nesterov: bool) -> None:
    """SGD: ``w -= g * lr``; with ``momentum_slots`` m: ``m = m * momentum - g * lr``, then
    ``w += m``, or with ``nesterov`` ``w += m * momentum - g * lr``."""
    _update_each("sgd_update", _sgd, params, grads, (momentum_slots,), learning_rate,
                 momentum, nesterov)


def adam_update(params: Sequence[Any], grads: Sequence[Any], m: Sequence[Any],
                v: Sequence[Any], v_hat: Sequence[Any] | None, alpha: float, beta_1: float,
                beta_2: float, epsilon: float) -> None:
    """Adam: ``m += (g - m) * (1 - beta_1)``; ``v += (g**2 - v) * (1 - beta_2)``; with
    ``v_hat`` (AMSGrad) ``v_hat = max(v_hat, v)``; ``w -= m * alpha / (sqrt(v_hat or v) +
    epsilon)``. ``alpha`` is the bias-corrected rate ``lr * sqrt(1 - beta_2**t) / (1 -
    beta_1**t)``."""
    _update_each("adam_update", _adam, params, grads, (m, v, v_hat), alpha, 1.0 - beta_1,
                 1.0 - beta_2, epsilon)


def adamax_update(params: Sequence[Any], grads: Sequence[Any], m: Sequence[Any],
                  u: Sequence[Any], learning_rate: float, beta_1: float, beta_2: float,
                  epsilon: float, correction: float) -> None:
    """Adamax: ``m += (g - m) * (1 - beta_1)``; ``u = max(beta_2 * u, |g|)``;
    ``w -= lr * m / (correction * (u + epsilon))`` with ``correction = 1 - beta_1**t``."""
    _update_each("adamax_update", _adamax, params, grads, (m, u), learning_rate, 1.0 - beta_1,
                 beta_2, epsilon, correction)


def nadam_update(params: Sequence[Any], grads: Sequence[Any], m: Sequence[Any],
                 v: Sequence[Any], learning_rate: float, beta_1: float, beta_2: float,
                 epsilon: float, mu_t: float, mu_next: float, momentum_product: float,
                 beta_2_power: float) -> None:
    """Nadam (Keras 3): m and v as in Adam, then with ``P = momentum_product`` (P_t) and
    ``beta_2_power = beta_2**t``::

        m_hat = mu_next * m / (1 - P * mu_next) + (1 - mu_t) * g / (1 - P)
        w -= m_hat * lr / (sqrt(v / (1 - beta_2_power)) + epsilon)
    """
    _update_each("nadam_update", _nadam, params, grads, (m, v), learning_rate, 1.0 - beta_1,
                 1.0 - beta_2, epsilon, mu_next, 1.0 - momentum_product * mu_next,
                 1.0 - mu_t, 1.0 - momentum_product, 1.0 - beta_2_power)


def rmsprop_update(params: Sequence[Any], grads: Sequence[Any], velocities: Sequence[Any],
                   averages: Sequence[Any] | None, momentum_slots: Sequence[Any] | None,
                   learning_rate: float, rho: float, momentum: float, epsilon: float) -> None:
    """RMSprop: ``v = rho * v + (1 - rho) * g**2``; with ``averages`` a (centered)
    ``a = rho * a + (1 - rho) * g`` and ``increment = lr * g / sqrt(v - a**2 + epsilon)``,
    else ``lr * g / sqrt(v + epsilon)``; with ``momentum_slots`` m ``m = momentum * m +
    increment; w -= m``, else ``w -= increment``."""
    _update_each("rmsprop_update", _rmsprop, params, grads,
                 (velocities, averages, momentum_slots), learning_rate, rho, momentum, epsilon)


def adagrad_update(params: Sequence[Any], grads: Sequence[Any], accumulators: Sequence[Any],
                   learning_rate: float, epsilon: float) -> None:
    """Adagrad: ``a += g**2``; ``w -= lr * g / sqrt(a + epsilon)``."""
    _update_each("adagrad_update", _adagrad, params, grads, (accumulators,), learning_rate,
                 epsilon)


def adadelta_update(params: Sequence[Any], grads: Sequence[Any],
                    grad_averages: Sequence[Any], delta_averages: Sequence[Any],
                    learning_rate: float, rho: float, epsilon: float) -> None:
    """Adadelta: ``G = rho * G + (1 - rho) * g**2``; ``delta = -(sqrt(D + epsilon) * g) /
    sqrt(G + epsilon)``; ``D = rho * D + (1 - rho) * delta**2``; ``w += lr * delta``."""
    _update_each("adadelta_update", _adadelta, params, grads, (grad_averages, delta_averages),
                 learning_rate, rho, epsilon)


def decay_weights(params: Sequence[Any], decay: float, learning_rate: float) -> None:
    """Decoupled weight decay, before an update step: ``w -= (w * decay) * lr``."""
    rows = list(tensor_rows("decay_weights", params, None, ()))
    check_rows("decay_weights", rows, _may_overlap)
    for param, _, _ in rows:
        shrink = np.multiply(param, decay)
        shrink *= learning_rate
        param -= shrink


# ---------------------------------------------------------------- checks and blocking
def tensor_rows(op: str, params: Sequence[Any], grads: Sequence[Any] | None,
                slot_lists: tuple[Sequence[Any] | None, ...]
                ) -> Iterator[tuple[Any, Any, tuple[Any | None, ...]]]:
    """``(param, grad, slots)`` of each tensor of a call: the lists checked for one length
    (ValueError naming ``op`` otherwise); a list given as None is None in every row."""
    count = len(_checked_list(op, "parameters", params, None))
    if grads is not None:
        _checked_list(op, "gradients", grads, count)
    for index, slots in enumerate(slot_lists):
        if slots is not None:
            _checked_list(op, f"slot {index + 1} arrays", slots, count)
    for i in range(count):
        yield (params[i], None if grads is None else grads[i],
               tuple(None if s is None else s[i] for s in slot_lists))


def _checked_list(op: str, what: str, arrays: Any, count: int | None) -> Sequence[Any]:
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(f"{op}: expected a list of {what}, one array per tensor. Received "
                        f"{type(arrays).__name__}")
    if count is not None and len(arrays) != count:
        raise ValueError(f"{op}: expected {count} {what}, one per parameter. Received "
                         f"{len(arrays)}")
    return arrays


def check_rows(op: str, rows: list[tuple[Any, Any, tuple[Any | None, ...]]],
               may_overlap: Callable[[Any, Any], bool]) -> set[int]:
    """Check every tensor of a call before anything is written: the parameter and its slots
    have one float dtype and shape and are writeable, the gradient (if any) has that shape,
    and no two updated arrays of the call overlap (ValueError naming ``op``). Returns the
    indices of the rows whose gradient may share memory with an updated array: those must be
    copied first, since updates read the gradients while writing."""
    for param, grad, slots in rows:
        _check_updated(op, param, [param, *(s for s in slots if s is not None)])
        if grad is not None and grad.shape != param.shape:
            raise ValueError(f"{op}: the gradient has shape {tuple(grad.shape)}, expected "
                             f"{param.shape}")
    # why: arrays can only share memory when they view one buffer, so only arrays with a
    # common root are compared (in a training step nearly every array owns its memory).
    by_root: dict[int, list[tuple[Any, int | None]]] = {}
    for index, (param, grad, slots) in enumerate(rows):
        for array in (param, *slots):
            if array is not None:
                by_root.setdefault(id(_root(array)), []).append((array, None))
        if grad is not None:
            by_root.setdefault(id(_root(grad)), []).append((grad, index))
    aliased: set[int] = set()
    for group in by_root.values():
        for k, (array, row) in enumerate(group):
            for other, other_row in group[k + 1:]:
                if row is not None and other_row is not None:
                    continue  # two gradients: both only read
                if not may_overlap(array, other):
                    continue
                if row is None and other_row is None:
                    raise ValueError(f"{op}: the parameter and slot arrays must not overlap")
                aliased.add(row if row is not None else other_row)
    return aliased


def _root(array: Any) -> Any:
    """The object whose memory ``array`` views: the first ``base`` that is not an array view
    itself (the array when it owns its memory)."""
    while array.base is not None:
        if not hasattr(array.base, "strides"):
            return array.base
        array = array.base
    return array


def _update_each(op: str, block_update: Callable[..., None], params: Sequence[Any],
                 grads: Sequence[Any], slot_lists: tuple[Sequence[Any] | None, ...],
                 *scalars: Any) -> None:
    """Check every tensor of the lists, then :func:`_update` each."""
    rows = list(tensor_rows(op, params, grads, slot_lists))
    aliased = check_rows(op, rows, _may_overlap)
    # Every gradient is made safe to read before the first tensor is written.
    readable = [grad.astype(param.dtype) if grad.dtype != param.dtype or index in aliased
                else grad for index, (param, grad, _) in enumerate(rows)]
    for (param, _, slots), grad in zip(rows, readable):
        _update(block_update, param, grad, slots, *scalars)


def _update(block_update: Callable[..., None], param: Any, grad: Any,
            slots: tuple[Any | None, ...], *scalars: Any) -> None:
    """Run ``block_update(w, g, *slots, s1, s2, *scalars)`` over the arrays, block by block
    when they are C-contiguous (s1, s2: scratch of the block's size)."""
    n = param.size
    block = max(BLOCK_BYTES // param.itemsize, 1)
    if n <= block or not all(a is None or a.flags.c_contiguous for a in (param, *slots)):
        block_update(param, grad, *slots, np.empty_like(param), np.empty_like(param),
                     *scalars)
        return
    # Views of the C-contiguous updated arrays (a strided gradient is copied flat once).
    flat = [None if a is None else a.reshape(-1) for a in (param, grad, *slots)]
    scratch = (np.empty(block, param.dtype), np.empty(block, param.dtype))
    for start in range(0, n, block):
        stop = min(start + block, n)
        block_update(*(None if a is None else a[start:stop] for a in flat),
                     *(s[:stop - start] for s in scratch), *scalars)


def _check_updated(op: str, param: Any, arrays: list[Any]) -> None:
    """The updated arrays (``param`` first): one float dtype and shape, writeable."""
    shape, dtype = param.shape, param.dtype
    if dtype.kind != "f" and dtype.name != "bfloat16":
        raise TypeError(f"{op}: expected a float array. Received dtype={dtype.name}")
    for i, array in enumerate(arrays):
        if array.shape != shape or array.dtype != dtype or not array.flags.writeable:
            _refuse(op, param, i, array)


def _refuse(op: str, param: Any, index: int, array: Any) -> None:
    name = "parameter" if index == 0 else f"slot {index}"
    if not array.flags.writeable:
        raise ValueError(f"{op}: the {name} array is read-only; it is updated in place")
    raise ValueError(f"{op}: every updated array must have the parameter's shape {param.shape} "
                     f"and dtype {param.dtype}; the {name} has shape {array.shape} and dtype "
                     f"{array.dtype}")


def _may_overlap(a: Any, b: Any) -> bool:
    return a is b or np.may_share_memory(a, b)


# ---------------------------------------------------------------- per-block updates
# Each updates its arrays in place with two scratch arrays s1, s2 of the block's shape.
def _sgd(w: Any, g: Any, m: Any | None, s1: Any, s2: Any, lr: float, momentum: float,
         nesterov: bool) -> None:
    scaled = np.multiply(g, lr, out=s1)
    if m is None:
        w -= scaled
        return
    m *= momentum
    m -= scaled
    if nesterov:
        step = np.multiply(m, momentum, out=s2)
        step -= scaled
        w += step
    else:
        w += m


def _adam(w: Any, g: Any, m: Any, v: Any, v_hat: Any | None, s1: Any, s2: Any, alpha: float,
          c1: float, c2: float, eps: float) -> None:
    _moment(m, g, c1, s1)
    _second_moment(v, g, c2, s1)
    if v_hat is not None:
        np.maximum(v_hat, v, out=v_hat)
        v = v_hat
    denominator = np.sqrt(v, out=s1)
    denominator += eps
    step = np.multiply(m, alpha, out=s2)
    step /= denominator
    w -= step


def _adamax(w: Any, g: Any, m: Any, u: Any, s1: Any, s2: Any, lr: float, c1: float,
            beta_2: float, eps: float, correction: float) -> None:
    _moment(m, g, c1, s1)
    u *= beta_2
    np.maximum(u, np.abs(g, out=s1), out=u)
    step = np.multiply(m, lr, out=s2)
    denominator = np.add(u, eps, out=s1)
    denominator *= correction
    step /= denominator
    w -= step


def _nadam(w: Any, g: Any, m: Any, v: Any, s1: Any, s2: Any, lr: float, c1: float, c2: float,
           eps: float, mu_next: float, m_divisor: float, one_minus_mu_t: float,
           g_divisor: float, v_divisor: float) -> None:
    _moment(m, g, c1, s1)
    _second_moment(v, g, c2, s1)
    m_hat = np.multiply(m, mu_next, out=s2)
    m_hat /= m_divisor
    g_term = np.multiply(g, one_minus_mu_t, out=s1)
    g_term /= g_divisor
    m_hat += g_term
    denominator = np.divide(v, v_divisor, out=s1)
    np.sqrt(denominator, out=denominator)
    denominator += eps
    m_hat *= lr
    m_hat /= denominator
    w -= m_hat


def _rmsprop(w: Any, g: Any, velocity: Any, average: Any | None, momentum_slot: Any | None,
             s1: Any, s2: Any, lr: float, rho: float, momentum: float, eps: float) -> None:
    _decay_add(velocity, np.square(g, out=s1), rho, s1)
    if average is not None:
        _decay_add(average, g, rho, s1)
        denominator = np.square(average, out=s1)
        np.subtract(velocity, denominator, out=denominator)
        denominator += eps
    else:
        denominator = np.add(velocity, eps, out=s1)
    np.sqrt(denominator, out=denominator)
    increment = np.multiply(g, lr, out=s2)
    increment /= denominator
    if momentum_slot is not None:
        momentum_slot *= momentum
        momentum_slot += increment
        increment = momentum_slot
    w -= increment


def _adagrad(w: Any, g: Any, accumulator: Any, s1: Any, s2: Any, lr: float,
             eps: float) -> None:
    accumulator += np.square(g, out=s1)
    denominator = np.add(accumulator, eps, out=s1)
    np.sqrt(denominator, out=denominator)
    step = np.multiply(g, lr, out=s2)
    step /= denominator
    w -= step


def _adadelta(w: Any, g: Any, grad_average: Any, delta_average: Any, s1: Any, s2: Any,
              lr: float, rho: float, eps: float) -> None:
    _decay_add(grad_average, np.square(g, out=s1), rho, s1)
    delta = np.add(delta_average, eps, out=s2)
    np.sqrt(delta, out=delta)
    delta *= g
    np.negative(delta, out=delta)
    denominator = np.add(grad_average, eps, out=s1)
    np.sqrt(denominator, out=denominator)
    delta /= denominator
    _decay_add(delta_average, np.square(delta, out=s1), rho, s1)
    delta *= lr
    w += delta


def _moment(moment: Any, g: Any, one_minus_beta: float, scratch: Any) -> None:
    """``moment += (g - moment) * one_minus_beta``, in place."""
    np.subtract(g, moment, out=scratch)
    scratch *= one_minus_beta
    moment += scratch


def _second_moment(moment: Any, g: Any, one_minus_beta: float, scratch: Any) -> None:
    """``moment += (g**2 - moment) * one_minus_beta``, in place."""
    np.square(g, out=scratch)
    scratch -= moment
    scratch *= one_minus_beta
    moment += scratch


def _decay_add(average: Any, value: Any, rho: float, scratch: Any) -> None:
    """``average = rho * average + (1 - rho) * value``, in place (``value`` may be
    ``scratch``)."""
    np.multiply(value, 1.0 - rho, out=scratch)
    average *= rho
    average += scratch
