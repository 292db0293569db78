"""im2col and col2im on CuPy, through the kernels in ``kernels/im2col.cu``.

Same functions, signatures and results as :mod:`gpulayers.backend.numpy_backend.im2col`
(read its docstring for the layout and geometry conventions). Every rank runs through the
same 3-d kernels: 1D and 2D convolutions are viewed as 3D with leading spatial dims of
length 1, and compiled per rank (``-DCONV_RANK``) so the lifted dims cost nothing. Index
arithmetic is 32-bit when every flat index fits (``-DCONV_INDEX_BITS=32``), else 64-bit, and
each thread moves up to 16 bytes of consecutive channels (``-DCONV_VEC``).
float32, float64 and float16 run natively (float16 columns are copied as raw bits, col2im sums
them in float32 and rounds once); bfloat16 is computed in float32 and cast back.
col2im gathers per input element, so it needs no atomics and is deterministic.

Example::

    cols = im2col(x, (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)))    # x: (N, H, W, C) on the GPU
"""

from __future__ import annotations

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
from gpulayers.backend.numpy_backend.im2col import (
    Padding,
    check_col2im_shapes,
    check_geometry,
    conv_output_spatial_shape,
)

__all__ = ["check_geometry", "col2im", "col2im_of_product", "columns_worth_keeping",
           "conv_output_spatial_shape", "im2col", "release_columns"]

_MAX_BLOCKS = 65535 * 32  # the grid-stride loops cover anything larger
_BYTES_PER_THREAD = 16
_INT32_LIMIT = 2**31 - 1 - 2**20  # headroom for the kernels' intermediate products


def _channels_per_thread(channels: int, dtype: Any) -> int:
    """16 bytes per thread where the channel count allows it (8 halves, 4 floats or 2
    doubles)."""
    vector = _BYTES_PER_THREAD // xp.dtype(dtype).itemsize
    while channels % vector:
        vector //= 2
    return vector


def _launch(name: str, dtype: Any, total: int, largest: int, rank: int, channels: int,
            *args: Any) -> None:
    """Run ``<name>_<f32|f64|f16>`` over ``total`` elements (nothing to do when it is 0).

    ``largest`` is the size of the bigger of the two arrays: it decides the index type.
    """
    if total == 0:
        return
    vector = _channels_per_thread(channels, dtype)
    defines = {"CONV_RANK": rank, "CONV_INDEX_BITS": 32 if largest < _INT32_LIMIT else 64,
               "CONV_VEC": vector}
    function = kernels.get_function("im2col", f"{name}_{dtype_suffix(xp.dtype(dtype))}",
                                    defines=defines)
    launch(function, total // vector, args, _MAX_BLOCKS)


def _geometry_args(input_shape: Sequence[int], kernel_size: Sequence[int],
                   strides: Sequence[int], dilation_rate: Sequence[int],
                   padding: Padding) -> tuple[Any, ...]:
    """The 20 ``long long`` geometry parameters of the kernels, lifted to 3 spatial dims."""
    out_spatial = conv_output_spatial_shape(input_shape[1:-1], kernel_size, strides,
                                            dilation_rate, padding)
    return lifted_geometry(input_shape[0], input_shape[-1],
                           (tuple(input_shape[1:-1]), out_spatial, kernel_size, strides,
                            dilation_rate),
                           tuple(before for before, _ in padding))


def im2col(x: Any, kernel_size: Sequence[int], strides: Sequence[int],
           dilation_rate: Sequence[int], padding: Padding, transient: bool = False,
           leased: bool = False) -> Any:
    """Patches of ``x`` ``(N, *spatial, C)`` as ``(N, *out_spatial, *kernel_size, C)``.

    ``transient`` (columns used at once and dropped) and ``leased`` (kept, then given to
    :func:`release_columns`) change nothing here: CuPy's memory pool already reuses the
    freed blocks."""
    check_geometry(x.shape, kernel_size, strides, dilation_rate, padding)
    dtype = kernel_dtype(x.dtype, "im2col", native_float16=True)
    out_spatial = conv_output_spatial_shape(x.shape[1:-1], kernel_size, strides,
                                            dilation_rate, padding)
    cols = xp.empty((x.shape[0], *out_spatial, *kernel_size, x.shape[-1]), dtype=dtype)
    _launch("im2col", dtype, cols.size, max(cols.size, x.size), len(kernel_size), x.shape[-1],
            contiguous(x, dtype), cols,
            *_geometry_args(x.shape, kernel_size, strides, dilation_rate, padding))
    return cols.astype(x.dtype, copy=False)


def columns_worth_keeping(nbytes: int) -> bool:
    """Never on a GPU: rebuilding the columns is one memory-bound kernel, while keeping
    them from the forward pass to the backward would add them to the peak memory (cuDNN
    keeps none)."""
    return False


def release_columns(cols: Any) -> None:
    """Nothing to do: CuPy's memory pool takes the block back when ``cols`` is freed."""


def col2im(cols: Any, input_shape: Sequence[int], kernel_size: Sequence[int],
           strides: Sequence[int], dilation_rate: Sequence[int], padding: Padding) -> Any:
    """Sum ``cols`` ``(N, *out_spatial, *kernel_size, C)`` back onto ``input_shape``."""
    check_col2im_shapes(cols.shape, input_shape, kernel_size, strides, dilation_rate, padding)
    dtype = kernel_dtype(cols.dtype, "im2col", native_float16=True)
    x = xp.empty(tuple(input_shape), dtype=dtype)
    _launch("col2im", dtype, x.size, max(cols.size, x.size), len(kernel_size), x.shape[-1],
            contiguous(cols, dtype), x,
            *_geometry_args(input_shape, kernel_size, strides, dilation_rate, padding))
    return x.astype(cols.dtype, copy=False)


def col2im_of_product(grad: Any, kernel: Any, input_shape: Sequence[int],
                      kernel_size: Sequence[int], strides: Sequence[int],
                      dilation_rate: Sequence[int], padding: Padding) -> Any:
    """``col2im(grad @ kernel^T)`` (see the NumPy reference): on the GPU one cuBLAS GEMM into
    the columns, then the col2im kernel, beats a GEMM per tap (each would be a small launch).
    """
    filters = kernel.shape[-1]
    columns = xp.matmul(grad.reshape(-1, filters), kernel.reshape(-1, filters).T)
    columns = columns.reshape(*grad.shape[:-1], *kernel_size, input_shape[-1])
    return col2im(columns, input_shape, kernel_size, strides, dilation_rate, padding)
