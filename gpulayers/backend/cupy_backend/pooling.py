"""Max and average pooling on CuPy, through the kernels in ``kernels/pooling.cu``.

Same functions, signatures and results as :mod:`gpulayers.backend.numpy_backend.pooling`
(read its docstring for the layout and geometry conventions). Every rank runs through the
same 3-d kernels: 1D and 2D inputs are viewed as 3D with leading spatial dims of length 1.
float32 and float64 run natively; float16/bfloat16 are computed in float32 and cast back.
The backward kernels gather per input cell, so overlapping windows accumulate exactly and
deterministically without atomics.

Example::

    out, argmax = max_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0)))   # x: (N, H, W, C)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cupy as xp

from gpulayers.backend import kernels
from gpulayers.backend.numpy_backend.pooling import check_geometry, pooled_spatial_shape

__all__ = [
    "avg_pool_backward", "avg_pool_forward", "check_geometry", "max_pool_backward",
    "max_pool_forward", "pooled_spatial_shape",
]

Padding = Sequence[tuple[int, int]]
_THREADS_PER_BLOCK = 256
_MAX_BLOCKS = 65535 * 32  # the grid-stride loops cover anything larger
_SUFFIXES = {"float32": "f32", "float64": "f64"}


def _kernel_dtype(dtype: Any) -> Any:
    """The dtype a kernel runs in: float32/float64 as they are, other floats in float32."""
    dtype = xp.dtype(dtype)
    if dtype.name in _SUFFIXES:
        return dtype
    if dtype.kind == "f" or dtype.name == "bfloat16":
        return xp.dtype(xp.float32)
    raise TypeError(f"pooling: expected a float array. Received dtype={dtype.name}")


def _launch(name: str, dtype: Any, total: int, *args: Any) -> None:
    """Run ``<name>_<f32|f64>`` over ``total`` elements (nothing to do when it is 0)."""
    if total == 0:
        return
    function = kernels.get_function("pooling", f"{name}_{_SUFFIXES[xp.dtype(dtype).name]}")
    blocks = min((total + _THREADS_PER_BLOCK - 1) // _THREADS_PER_BLOCK, _MAX_BLOCKS)
    function((blocks,), (_THREADS_PER_BLOCK,), args)


def _geometry_args(input_shape: Sequence[int], pool_size: Sequence[int],
                   strides: Sequence[int], padding: Padding) -> tuple[Any, ...]:
    """The 17 ``long long`` geometry parameters of the kernels, lifted to 3 spatial dims."""
    check_geometry(input_shape, pool_size, strides, padding)
    spatial = tuple(input_shape[1:-1])
    out_spatial = pooled_spatial_shape(spatial, pool_size, strides, padding)
    lift = 3 - len(spatial)
    values = (
        input_shape[0], input_shape[-1],
        *((1,) * lift + spatial),
        *((1,) * lift + out_spatial),
        *((1,) * lift + tuple(pool_size)),
        *((1,) * lift + tuple(strides)),
        *((0,) * lift + tuple(before for before, _ in padding)),
    )
    return tuple(xp.int64(value) for value in values)


def _output_shape(input_shape: Sequence[int], pool_size: Sequence[int],
                  strides: Sequence[int], padding: Padding) -> tuple[int, ...]:
    out_spatial = pooled_spatial_shape(input_shape[1:-1], pool_size, strides, padding)
    return (input_shape[0], *out_spatial, input_shape[-1])


def _contiguous(array: Any, dtype: Any) -> Any:
    return xp.ascontiguousarray(array, dtype=dtype)


def max_pool_forward(x: Any, pool_size: Sequence[int], strides: Sequence[int],
                     padding: Padding) -> tuple[Any, Any]:
    """Max pooling. Returns ``(output, argmax)``; see the NumPy reference for the contract."""
    dtype = _kernel_dtype(x.dtype)
    geometry = _geometry_args(x.shape, pool_size, strides, padding)
    out_shape = _output_shape(x.shape, pool_size, strides, padding)
    output = xp.empty(out_shape, dtype=dtype)
    argmax = xp.empty(out_shape, dtype=xp.int64)
    _launch("max_pool_forward", dtype, math.prod(out_shape),
            _contiguous(x, dtype), output, argmax, *geometry)
    return output.astype(x.dtype, copy=False), argmax


def max_pool_backward(grad_output: Any, argmax: Any, input_shape: Sequence[int],
                      pool_size: Sequence[int], strides: Sequence[int],
                      padding: Padding) -> Any:
    """Gradient of max pooling with respect to its input, ``(N, *spatial, C)``."""
    dtype = _kernel_dtype(grad_output.dtype)
    geometry = _geometry_args(input_shape, pool_size, strides, padding)
    grad_input = xp.empty(tuple(input_shape), dtype=dtype)
    _launch("max_pool_backward", dtype, math.prod(input_shape),
            _contiguous(grad_output, dtype), _contiguous(argmax, xp.int64), grad_input,
            *geometry)
    return grad_input.astype(grad_output.dtype, copy=False)


def avg_pool_forward(x: Any, pool_size: Sequence[int], strides: Sequence[int],
                     padding: Padding) -> Any:
    """Average pooling over the valid cells of each window, ``(N, *out_spatial, C)``."""
    dtype = _kernel_dtype(x.dtype)
    geometry = _geometry_args(x.shape, pool_size, strides, padding)
    output = xp.empty(_output_shape(x.shape, pool_size, strides, padding), dtype=dtype)
    _launch("avg_pool_forward", dtype, output.size, _contiguous(x, dtype), output, *geometry)
    return output.astype(x.dtype, copy=False)


def avg_pool_backward(grad_output: Any, input_shape: Sequence[int], pool_size: Sequence[int],
                      strides: Sequence[int], padding: Padding) -> Any:
    """Gradient of average pooling with respect to its input, ``(N, *spatial, C)``."""
    dtype = _kernel_dtype(grad_output.dtype)
    geometry = _geometry_args(input_shape, pool_size, strides, padding)
    grad_input = xp.empty(tuple(input_shape), dtype=dtype)
    _launch("avg_pool_backward", dtype, math.prod(input_shape),
            _contiguous(grad_output, dtype), grad_input, *geometry)
    return grad_input.astype(grad_output.dtype, copy=False)
