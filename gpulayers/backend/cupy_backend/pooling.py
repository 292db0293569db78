"""Max and average pooling on CuPy, through the kernels in ``kernels/pooling.cu``.

Same functions, signatures and results as :mod:`gpulayers.backend.numpy_backend.pooling`
(read its docstring for the layout and geometry conventions). Every rank runs through the
same 3-d kernels: 1D and 2D inputs are viewed as 3D with leading spatial dims of length 1.
float32, float64 and float16 run natively (float16 data read into float32 arithmetic, results
rounded once); bfloat16 is computed in float32 and cast back.
The backward kernels gather per input cell, so overlapping windows accumulate exactly and
deterministically without atomics.

Example::

    out, winners = max_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0)))  # x: (N, H, W, C)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cupy as xp

from gpulayers.backend import kernels
from gpulayers.backend.cupy_backend.launch import (
    contiguous,
    dtype_suffix,
    kernel_dtype,
    launch,
    lifted_geometry,
)
from gpulayers.backend.numpy_backend.pooling import (
    Padding,
    check_geometry,
    pooled_spatial_shape,
)

__all__ = [
    "avg_pool_backward", "avg_pool_forward", "check_geometry", "max_pool_argmax",
    "max_pool_backward", "max_pool_forward", "pooled_spatial_shape",
]

_MAX_BLOCKS = 65535 * 32  # the grid-stride loops cover anything larger


def _launch(name: str, dtype: Any, total: int, *args: Any) -> None:
    """Run ``<name>_<f32|f64|f16>`` over ``total`` elements (nothing to do when it is 0)."""
    if total == 0:
        return
    function = kernels.get_function("pooling", f"{name}_{dtype_suffix(xp.dtype(dtype))}")
    launch(function, total, args, _MAX_BLOCKS)


def _geometry_args(input_shape: Sequence[int], pool_size: Sequence[int],
                   strides: Sequence[int], padding: Padding) -> tuple[Any, ...]:
    """The 17 ``long long`` geometry parameters of the kernels, lifted to 3 spatial dims."""
    check_geometry(input_shape, pool_size, strides, padding)
    spatial = tuple(input_shape[1:-1])
    out_spatial = pooled_spatial_shape(spatial, pool_size, strides, padding)
    return lifted_geometry(input_shape[0], input_shape[-1],
                           (spatial, out_spatial, pool_size, strides),
                           tuple(before for before, _ in padding))


def _output_shape(input_shape: Sequence[int], pool_size: Sequence[int],
                  strides: Sequence[int], padding: Padding) -> tuple[int, ...]:
    out_spatial = pooled_spatial_shape(input_shape[1:-1], pool_size, strides, padding)
    return (input_shape[0], *out_spatial, input_shape[-1])


def max_pool_forward(x: Any, pool_size: Sequence[int], strides: Sequence[int],
                     padding: Padding) -> tuple[Any, Any]:
    """Max pooling. Returns ``(output, winners)``; see the NumPy reference for the contract.
    Here ``winners`` is the flat spatial index of each window's maximum (int64)."""
    dtype = kernel_dtype(x.dtype, "pooling", native_float16=True)
    geometry = _geometry_args(x.shape, pool_size, strides, padding)
    out_shape = _output_shape(x.shape, pool_size, strides, padding)
    output = xp.empty(out_shape, dtype=dtype)
    argmax = xp.empty(out_shape, dtype=xp.int64)
    _launch("max_pool_forward", dtype, math.prod(out_shape),
            contiguous(x, dtype), output, argmax, *geometry)
    return output.astype(x.dtype, copy=False), argmax


def max_pool_backward(grad_output: Any, argmax: Any, input_shape: Sequence[int],
                      pool_size: Sequence[int], strides: Sequence[int],
                      padding: Padding) -> Any:
    """Gradient of max pooling with respect to its input, ``(N, *spatial, C)``."""
    dtype = kernel_dtype(grad_output.dtype, "pooling", native_float16=True)
    geometry = _geometry_args(input_shape, pool_size, strides, padding)
    grad_input = xp.empty(tuple(input_shape), dtype=dtype)
    _launch("max_pool_backward", dtype, math.prod(input_shape),
            contiguous(grad_output, dtype), contiguous(argmax, xp.int64), grad_input,
            *geometry)
    return grad_input.astype(grad_output.dtype, copy=False)


def max_pool_argmax(winners: Any, input_shape: Sequence[int], pool_size: Sequence[int],
                    strides: Sequence[int], padding: Padding) -> Any:
    """The flat spatial index of each window's winning input cell: what ``winners`` already
    hold on CuPy (the NumPy backend records the cell within the window instead)."""
    return winners


def avg_pool_forward(x: Any, pool_size: Sequence[int], strides: Sequence[int],
                     padding: Padding) -> Any:
    """Average pooling over the valid cells of each window, ``(N, *out_spatial, C)``."""
    dtype = kernel_dtype(x.dtype, "pooling", native_float16=True)
    geometry = _geometry_args(x.shape, pool_size, strides, padding)
    output = xp.empty(_output_shape(x.shape, pool_size, strides, padding), dtype=dtype)
    _launch("avg_pool_forward", dtype, output.size, contiguous(x, dtype), output, *geometry)
    return output.astype(x.dtype, copy=False)


def avg_pool_backward(grad_output: Any, input_shape: Sequence[int], pool_size: Sequence[int],
                      strides: Sequence[int], padding: Padding) -> Any:
    """Gradient of average pooling with respect to its input, ``(N, *spatial, C)``."""
    dtype = kernel_dtype(grad_output.dtype, "pooling", native_float16=True)
    geometry = _geometry_args(input_shape, pool_size, strides, padding)
    grad_input = xp.empty(tuple(input_shape), dtype=dtype)
    _launch("avg_pool_backward", dtype, math.prod(input_shape),
            contiguous(grad_output, dtype), grad_input, *geometry)
    return grad_input.astype(grad_output.dtype, copy=False)
