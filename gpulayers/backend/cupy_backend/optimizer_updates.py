"""Fused multi-tensor optimizer updates on CuPy: one ``kernels/optimizers.cu`` launch per call.

Same names, signatures, contract and results as ``numpy_backend/optimizer_updates.py`` (the
reference; read its docstrings for the formulas): every parameter of the lists and its slots
are updated in place and None is returned. One launch updates every tensor of a call (one
launch per dtype when the parameters mix float32 and float64), reading each gradient,
parameter and slot once and writing each parameter and slot once, so an optimizer step costs
one launch however many parameters the model has. Scalars travel as kernel arguments.

The kernel finds the tensors through a small device table of their sizes and addresses
(``kernels/optimizers.cu`` describes it). Tables are cached by content: a training step
whose arrays come back at the same addresses (the memory pool reuses them, and a replayed
CUDA graph always does) copies nothing to the device; a new set of addresses costs one
asynchronous copy of ``8 * (1 + tensors * (arrays + 1))`` bytes. A call never waits for the
GPU.

float32 and float64 arrays run their own kernels. Other float dtypes (float16, bfloat16) and
arrays that are not C-contiguous are copied into float32 / C-contiguous working arrays and
back: correct, but two extra passes each.

Example::

    adam_update([w1, w2], [g1, g2], [m1, m2], [v1, v2], None, alpha, 0.9, 0.999, 1e-7)
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import Any

import cupy as cp
import numpy as np

from gpulayers.backend import kernels
from gpulayers.backend.cupy_backend.launch import dtype_suffix, kernel_dtype, launch
from gpulayers.backend.numpy_backend.optimizer_updates import check_rows, tensor_rows

__all__ = [
    "adadelta_update", "adagrad_update", "adam_update", "adamax_update", "nadam_update",
    "decay_weights", "rmsprop_update", "sgd_update",
]

# A grid of at most this many blocks splits the concatenated elements into one span each
# (a few elements per thread for a large model); enough blocks to fill an H100 many times.
_MAX_BLOCKS = 2048
_MAX_TABLES = 64  # cached tensor tables (a few kilobytes each)
_tables: dict[tuple[int, ...], Any] = {}

Row = list[Any]  # the arrays of one tensor, in the kernel's role order: w, g, slots...


@functools.cache
def _function(name: str, device_id: int) -> Any:
    """The compiled entry point for the current device (``device_id`` keys the cache)."""
    return kernels.get_function("optimizers", name)


def _overlap(a: Any, b: Any) -> bool:
    """Whether two device arrays' byte ranges intersect (may say yes for interleaved views
    that never touch, like ``numpy.may_share_memory``)."""
    if a is b:
        return True
    if a.size == 0 or b.size == 0:
        return False
    a_low, a_high = _bounds(a)
    b_low, b_high = _bounds(b)
    return a_low < b_high and b_low < a_high


def _bounds(array: Any) -> tuple[int, int]:
    low = high = array.data.ptr
    for extent, stride in zip(array.shape, array.strides):
        span = (extent - 1) * stride
        low, high = (low + span, high) if span < 0 else (low, high + span)
    return low, high + array.itemsize


def _working_rows(op: str, params: Sequence[Any], grads: Sequence[Any] | None,
                  slot_lists: tuple[Sequence[Any] | None, ...]
                  ) -> tuple[list[Row], list[tuple[Any, Any]]]:
    """Check the contract; return the kernel's rows (a missing optional slot is the parameter
    again, never read; no gradient role when ``grads`` is None) and the (caller's array,
    working copy) pairs that :func:`_write_back` copies home after the launch (empty for
    C-contiguous float32/64 arrays)."""
    rows = list(tensor_rows(op, params, grads, slot_lists))
    aliased = check_rows(op, rows, _overlap)
    work_rows, write_back = [], []
    for index, (param, grad, slots) in enumerate(rows):
        dtype = kernel_dtype(param.dtype, op)
        work = []
        for array in (param, *slots):
            if array is not None and (array.dtype != dtype or not array.flags.c_contiguous):
                copy = cp.ascontiguousarray(array, dtype=dtype)
                write_back.append((array, copy))
                array = copy
            work.append(array)
        slot_arrays = [work[0] if s is None else s for s in work[1:]]
        if grad is None:
            work_rows.append([work[0], *slot_arrays])
            continue
        g = cp.ascontiguousarray(grad, dtype=dtype)
        # why: threads update their elements concurrently, so a gradient sharing memory with
        # an updated array could be read after another thread wrote it: it must be a copy.
        if g is grad and index in aliased:
            g = grad.copy()
        work_rows.append([work[0], g, *slot_arrays])
    return work_rows, write_back


def _launch_rows(name: str, rows: list[Row], scalars: tuple[Any, ...]) -> None:
    """One launch of entry point ``name`` per dtype over the non-empty rows."""
    by_dtype: dict[str, list[Row]] = {}
    for row in rows:
        if row[0].size:
            by_dtype.setdefault(row[0].dtype.char, []).append(row)
    device_id = cp.cuda.runtime.getDevice()
    for group in by_dtype.values():
        table, total = _table(group, device_id)
        function = _function(f"{name}_{dtype_suffix(group[0][0].dtype)}", device_id)
        launch(function, total, (table, cp.int32(len(group)), cp.int64(total), *scalars),
               _MAX_BLOCKS)


def _table(rows: list[Row], device_id: int) -> tuple[Any, int]:
    """The device table of ``rows`` (offsets, then addresses role by role) and the element
    total; cached by content, so a repeated set of arrays copies nothing."""
    offsets = list(itertools.accumulate((row[0].size for row in rows), initial=0))
    words = (*offsets, *(row[role].data.ptr for role in range(len(rows[0])) for row in rows))
    key = (device_id, *words)
    table = _tables.get(key)
    if table is None:
        if len(_tables) >= _MAX_TABLES:
            del _tables[next(iter(_tables))]  # the oldest
        table = _tables[key] = cp.asarray(np.array(words, dtype=np.uint64))
    return table, offsets[-1]


def _write_back(pairs: list[tuple[Any, Any]]) -> None:
    for original, copy in pairs:
        cp.copyto(original, copy, casting="unsafe")


def _run(op: str, params: Sequence[Any], grads: Sequence[Any],
         slot_lists: tuple[Sequence[Any] | None, ...], scalars: tuple[Any, ...]) -> None:
    rows, back = _working_rows(op, params, grads, slot_lists)
    _launch_rows(op, rows, scalars)
    _write_back(back)


def _doubles(*values: float) -> tuple[Any, ...]:
    """Host scalars as kernel ``double`` arguments (by value: no copy to the device)."""
    return tuple(cp.float64(v) for v in values)


def _flag(slots: Sequence[Any] | None) -> Any:
    return cp.int32(slots is not None)


def sgd_update(params: Sequence[Any], grads: Sequence[Any],
               momentum_slots: Sequence[Any] | None, learning_rate: float, momentum: float,
               nesterov: bool) -> None:
    """SGD with optional (Nesterov) momentum, in place; see the NumPy reference."""
    _run("sgd_update", params, grads, (momentum_slots,),
         (_flag(momentum_slots), cp.int32(bool(nesterov)), *_doubles(learning_rate, momentum)))


def adam_update(params: Sequence[Any], grads: Sequence[Any], m: Sequence[Any],
                v: Sequence[Any], v_hat: Sequence[Any] | None, alpha: float, beta_1: float,
                beta_2: float, epsilon: float) -> None:
    """Adam (AMSGrad with ``v_hat``), in place; see the NumPy reference."""
    _run("adam_update", params, grads, (m, v, v_hat),
         (_flag(v_hat), *_doubles(alpha, 1.0 - beta_1, 1.0 - beta_2, epsilon)))


def adamax_update(params: Sequence[Any], grads: Sequence[Any], m: Sequence[Any],
                  u: Sequence[Any], learning_rate: float, beta_1: float, beta_2: float,
                  epsilon: float, correction: float) -> None:
    """Adamax, in place; see the NumPy reference."""
    _run("adamax_update", params, grads, (m, u),
         _doubles(learning_rate, 1.0 - beta_1, beta_2, epsilon, correction))


def nadam_update(params: Sequence[Any], grads: Sequence[Any], m: Sequence[Any],
                 v: Sequence[Any], learning_rate: float, beta_1: float, beta_2: float,
                 epsilon: float, mu_t: float, mu_next: float, momentum_product: float,
                 beta_2_power: float) -> None:
    """Nadam (Keras 3's momentum schedule), in place; see the NumPy reference."""
    _run("nadam_update", params, grads, (m, v), _doubles(
        learning_rate, 1.0 - beta_1, 1.0 - beta_2, epsilon, mu_next,
        1.0 - momentum_product * mu_next, 1.0 - mu_t, 1.0 - momentum_product,
        1.0 - beta_2_power))


def rmsprop_update(params: Sequence[Any], grads: Sequence[Any], velocities: Sequence[Any],
                   averages: Sequence[Any] | None, momentum_slots: Sequence[Any] | None,
                   learning_rate: float, rho: float, momentum: float, epsilon: float) -> None:
    """RMSprop (centered with ``averages``, momentum with ``momentum_slots``), in place."""
    _run("rmsprop_update", params, grads, (velocities, averages, momentum_slots),
         (_flag(averages), _flag(momentum_slots),
          *_doubles(learning_rate, rho, 1.0 - rho, momentum, epsilon)))


def adagrad_update(params: Sequence[Any], grads: Sequence[Any], accumulators: Sequence[Any],
                   learning_rate: float, epsilon: float) -> None:
    """Adagrad, in place; see the NumPy reference."""
    _run("adagrad_update", params, grads, (accumulators,), _doubles(learning_rate, epsilon))


def adadelta_update(params: Sequence[Any], grads: Sequence[Any],
                    grad_averages: Sequence[Any], delta_averages: Sequence[Any],
                    learning_rate: float, rho: float, epsilon: float) -> None:
    """Adadelta, in place; see the NumPy reference."""
    _run("adadelta_update", params, grads, (grad_averages, delta_averages),
         _doubles(learning_rate, rho, 1.0 - rho, epsilon))


def decay_weights(params: Sequence[Any], decay: float, learning_rate: float) -> None:
    """Decoupled weight decay ``w -= (w * decay) * lr``, in place; see the NumPy reference."""
    rows, back = _working_rows("decay_weights", params, None, ())
    _launch_rows("decay_weights", rows, _doubles(decay, learning_rate))
    _write_back(back)
