"""Fused optimizer updates on CuPy: one ``kernels/optimizers.cu`` launch per call.

Same names, signatures, contract and results as ``numpy_backend/optimizer_updates.py`` (the
reference; read its docstrings for the formulas): ``param`` and the slots are updated in
place and None is returned. One launch reads the gradient, the parameter and each slot once
and writes the parameter and the slots once. Scalars travel as kernel arguments, so a call
never copies between host and device and never waits for the GPU.

float32 and float64 arrays run their own kernels. Other float dtypes (float16, bfloat16) and
arrays that are not C-contiguous are copied into float32 / C-contiguous working arrays and
back: correct, but two extra passes each.

Example::

    adam_update(w, g, m, v, None, alpha, 0.9, 0.999, 1e-7)
"""

from __future__ import annotations

import functools
from typing import Any

import cupy as cp

from gpulayers.backend import kernels
from gpulayers.backend.cupy_backend.launch import dtype_suffix, kernel_dtype, launch

__all__ = [
    "adadelta_update", "adagrad_update", "adam_update", "adamax_update", "nadam_update",
    "rmsprop_update", "sgd_update",
]

_MAX_BLOCKS = 65535


@functools.cache
def _function(name: str, device_id: int) -> Any:
    """The compiled entry point for the current device (``device_id`` keys the cache),
    memoised here because one step launches once per parameter."""
    return kernels.get_function("optimizers", name)


def _check(param: Any, grad: Any, updated: list[Any], op: str) -> None:
    """The reference's contract: one shape and dtype, no overlap among the updated arrays."""
    shape, dtype = param.shape, param.dtype
    for i, array in enumerate(updated):
        if array.shape != shape or array.dtype != dtype:
            name = "parameter" if i == 0 else f"slot {i}"
            raise ValueError(f"{op}: every updated array must have the parameter's shape "
                             f"{shape} and dtype {dtype}; the {name} has shape "
                             f"{array.shape} and dtype {array.dtype}")
        for other in updated[i + 1:]:
            if _overlap(array, other):
                raise ValueError(f"{op}: the parameter and slot arrays must not overlap")
    if grad.shape != shape:
        raise ValueError(f"{op}: the gradient has shape {tuple(grad.shape)}, expected {shape}")


def _overlap(a: Any, b: Any) -> bool:
    """Whether two device arrays' byte ranges intersect (may say yes for interleaved views
    that never touch, like ``numpy.may_share_memory``). Two distinct arrays that own their
    memory (no ``base``: Variables, slots, fresh gradients) never overlap."""
    if a is b:
        return True
    if (a.base is None and b.base is None) or a.size == 0 or b.size == 0:
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


def _prepare(op: str, param: Any, grad: Any, slots: tuple[Any | None, ...]
             ) -> tuple[Any, Any, list[Any | None], list[tuple[Any, Any]]]:
    """Check the contract; return the arrays the kernel works on: ``(param, grad, slots,
    write_back)``, where ``write_back`` lists the (caller's array, working copy) pairs that
    :func:`_write_back` copies home after the launch (empty for C-contiguous float32/64)."""
    updated = [param, *(s for s in slots if s is not None)]
    _check(param, grad, updated, op)
    dtype = kernel_dtype(param.dtype, op)
    write_back = []
    work: list[Any | None] = []
    for array in (param, *slots):
        if array is not None and (array.dtype != dtype or not array.flags.c_contiguous):
            copy = cp.ascontiguousarray(array, dtype=dtype)
            write_back.append((array, copy))
            array = copy
        work.append(array)
    g = cp.ascontiguousarray(grad, dtype=dtype)
    # why: the kernel's pointers are __restrict__ (no aliasing), so a gradient sharing memory
    # with an updated array must be a separate copy.
    if any(a is not None and _overlap(g, a) for a in work):
        g = g.copy()
    return work[0], g, work[1:], write_back


def _launch(name: str, param: Any, args: tuple[Any, ...]) -> None:
    """Run entry point ``name`` for ``param``'s dtype on ``(param, *args, n)``."""
    n = param.size
    if n == 0:
        return
    function = _function(f"{name}_{dtype_suffix(param.dtype)}", cp.cuda.Device().id)
    launch(function, n, (param, *args, cp.int64(n)), _MAX_BLOCKS)


def _write_back(pairs: list[tuple[Any, Any]]) -> None:
    for original, copy in pairs:
        cp.copyto(original, copy, casting="unsafe")


def _doubles(*values: float) -> tuple[Any, ...]:
    """Host scalars as kernel ``double`` arguments (by value: no copy to the device)."""
    return tuple(cp.float64(v) for v in values)


def _optional(slot: Any | None, param: Any) -> tuple[Any, Any]:
    """(pointer, flag) of an optional slot: a missing one passes ``param``, never read."""
    return (param, cp.int32(0)) if slot is None else (slot, cp.int32(1))


def sgd_update(param: Any, grad: Any, momentum_slot: Any | None, learning_rate: float,
               momentum: float, nesterov: bool) -> None:
    """SGD with optional (Nesterov) momentum, in place; see the NumPy reference."""
    w, g, (m,), back = _prepare("sgd_update", param, grad, (momentum_slot,))
    _launch("sgd_update", w, (g, *_optional(m, w), cp.int32(bool(nesterov)),
                              *_doubles(learning_rate, momentum)))
    _write_back(back)


def adam_update(param: Any, grad: Any, m: Any, v: Any, v_hat: Any | None, alpha: float,
                beta_1: float, beta_2: float, epsilon: float) -> None:
    """Adam (AMSGrad with ``v_hat``), in place; see the NumPy reference."""
    w, g, (m, v, v_hat), back = _prepare("adam_update", param, grad, (m, v, v_hat))
    _launch("adam_update", w, (g, m, v, *_optional(v_hat, w),
                               *_doubles(alpha, 1.0 - beta_1, 1.0 - beta_2, epsilon)))
    _write_back(back)


def adamax_update(param: Any, grad: Any, m: Any, u: Any, learning_rate: float, beta_1: float,
                  beta_2: float, epsilon: float, correction: float) -> None:
    """Adamax, in place; see the NumPy reference."""
    w, g, (m, u), back = _prepare("adamax_update", param, grad, (m, u))
    _launch("adamax_update", w, (g, m, u, *_doubles(learning_rate, 1.0 - beta_1, beta_2,
                                                    epsilon, correction)))
    _write_back(back)


def nadam_update(param: Any, grad: Any, m: Any, v: Any, learning_rate: float, beta_1: float,
                 beta_2: float, epsilon: float, mu_t: float, mu_next: float,
                 momentum_product: float, beta_2_power: float) -> None:
    """Nadam (Keras 3's momentum schedule), in place; see the NumPy reference."""
    w, g, (m, v), back = _prepare("nadam_update", param, grad, (m, v))
    scalars = _doubles(learning_rate, 1.0 - beta_1, 1.0 - beta_2, epsilon, mu_next,
                       1.0 - momentum_product * mu_next, 1.0 - mu_t, 1.0 - momentum_product,
                       1.0 - beta_2_power)
    _launch("nadam_update", w, (g, m, v, *scalars))
    _write_back(back)


def rmsprop_update(param: Any, grad: Any, velocity: Any, average: Any | None,
                   momentum_slot: Any | None, learning_rate: float, rho: float,
                   momentum: float, epsilon: float) -> None:
    """RMSprop (centered with ``average``, momentum with ``momentum_slot``), in place."""
    w, g, (v, a, m), back = _prepare("rmsprop_update", param, grad,
                                     (velocity, average, momentum_slot))
    _launch("rmsprop_update", w, (g, v, *_optional(a, w), *_optional(m, w),
                                  *_doubles(learning_rate, rho, 1.0 - rho, momentum, epsilon)))
    _write_back(back)


def adagrad_update(param: Any, grad: Any, accumulator: Any, learning_rate: float,
                   epsilon: float) -> None:
    """Adagrad, in place; see the NumPy reference."""
    w, g, (a,), back = _prepare("adagrad_update", param, grad, (accumulator,))
    _launch("adagrad_update", w, (g, a, *_doubles(learning_rate, epsilon)))
    _write_back(back)


def adadelta_update(param: Any, grad: Any, grad_average: Any, delta_average: Any,
                    learning_rate: float, rho: float, epsilon: float) -> None:
    """Adadelta, in place; see the NumPy reference."""
    w, g, (ga, da), back = _prepare("adadelta_update", param, grad, (grad_average,
                                                                     delta_average))
    _launch("adadelta_update", w, (g, ga, da, *_doubles(learning_rate, rho, 1.0 - rho,
                                                        epsilon)))
    _write_back(back)
