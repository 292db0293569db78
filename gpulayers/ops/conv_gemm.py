"""Convolution as im2col + one (batched) GEMM, on raw channels_last backend arrays.

The three products every convolution op needs, for any rank and any number of groups:

- :func:`conv_forward` ``y = im2col(x) @ W``
- :func:`conv_input_gradient` ``dx = col2im(dy @ W^T)`` (also a transposed conv's forward)
- :func:`conv_kernel_gradient` ``dW = im2col(x)^T @ dy``

Shapes: ``x`` is ``(N, *spatial, C)``, the kernel ``(*kernel_size, C // groups, O)`` (Keras's
layout), ``y`` is ``(N, *out_spatial, O)``. With ``G`` groups the input channels and the
filters are split into ``G`` contiguous blocks and block ``g`` of the filters sees block ``g``
of the channels only (as in TensorFlow and Keras); the ``G`` GEMMs run as one batched matmul
(cuBLAS on CuPy). With one group every reshape below is free and the GEMM has no transposes.

The im2col columns are ``prod(kernel_size)`` times the size of the input. Whether the
forward pass keeps them for the kernel gradient or the backward pass rebuilds them is the
backend's call (``columns_worth_keeping``): NumPy keeps them (in pooled buffers, handed back
after use), CuPy rebuilds them. Columns consumed at once by a GEMM may live in a reused
scratch buffer (``transient=True``).

Example::

    geometry = ConvGeometry((3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)))
    y = conv_forward(x, kernel, geometry)          # x (N, H, W, C), kernel (3, 3, C, O)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.ops.conv_arguments import ConvGeometry

__all__ = ["KeptColumns", "conv_forward", "conv_input_gradient", "conv_kernel_gradient"]


def _group_cols(cols: Any, groups: int) -> Any:
    """``(N, *out, *k, C)`` -> ``(G, M, taps * C/G)`` with ``M = N * prod(out)``."""
    rank = (cols.ndim - 2) // 2
    rows, taps = math.prod(cols.shape[:rank + 1]), math.prod(cols.shape[rank + 1:-1])
    per_group = cols.shape[-1] // groups
    grouped = cols.reshape(rows, taps, groups, per_group).transpose(2, 0, 1, 3)
    return grouped.reshape(groups, rows, taps * per_group)


def _ungroup_cols(grouped: Any, cols_shape: Sequence[int]) -> Any:
    """Inverse of :func:`_group_cols`: ``(G, M, taps * C/G)`` -> ``cols_shape``."""
    groups, rows = grouped.shape[:2]
    rank = (len(cols_shape) - 2) // 2
    taps, per_group = math.prod(cols_shape[rank + 1:-1]), cols_shape[-1] // groups
    split = grouped.reshape(groups, rows, taps, per_group).transpose(1, 2, 0, 3)
    return split.reshape(tuple(cols_shape))


def _group_kernel(kernel: Any, groups: int) -> Any:
    """``(*k, C/G, O)`` -> ``(G, taps * C/G, O/G)``."""
    taps, per_group = math.prod(kernel.shape[:-2]), kernel.shape[-2]
    filters = kernel.shape[-1] // groups
    grouped = kernel.reshape(taps, per_group, groups, filters).transpose(2, 0, 1, 3)
    return grouped.reshape(groups, taps * per_group, filters)


def _ungroup_kernel(grouped: Any, kernel_shape: Sequence[int]) -> Any:
    """Inverse of :func:`_group_kernel`: ``(G, taps * C/G, O/G)`` -> ``kernel_shape``."""
    groups, _, filters = grouped.shape
    taps = math.prod(kernel_shape[:-2])
    split = grouped.reshape(groups, taps, kernel_shape[-2], filters).transpose(1, 2, 0, 3)
    return split.reshape(tuple(kernel_shape))


def _group_rows(y: Any, groups: int) -> Any:
    """``(N, *out, O)`` -> ``(G, M, O/G)``."""
    rows = math.prod(y.shape[:-1])
    return y.reshape(rows, groups, y.shape[-1] // groups).transpose(1, 0, 2)


def _ungroup_rows(grouped: Any, out_shape: Sequence[int]) -> Any:
    """Inverse of :func:`_group_rows`: ``(G, M, O/G)`` -> ``out_shape``."""
    return grouped.transpose(1, 0, 2).reshape(tuple(out_shape))


def _matmul(a: Any, b: Any) -> Any:
    """Batched ``a @ b`` over groups; one group runs as a plain 2-d GEMM so that a transposed
    operand reaches cuBLAS as a transpose flag instead of being copied first."""
    if a.shape[0] == 1:
        return backend.xp().matmul(a[0], b[0])[None]
    return backend.xp().matmul(a, b)


class KeptColumns:
    """A forward pass's im2col columns, lent once to :func:`conv_kernel_gradient` (which
    hands them back to the backend); any later kernel gradient rebuilds them."""

    def __init__(self, cols: Any) -> None:
        self._cols = cols

    def take(self) -> Any | None:
        cols, self._cols = self._cols, None
        return cols


def conv_forward(x: Any, kernel: Any, geometry: ConvGeometry,
                 keep_columns: bool = False) -> tuple[Any, KeptColumns | None]:
    """Convolution ``(N, *spatial, C)`` * ``(*k, C/G, O)`` -> ``(N, *out_spatial, O)``.

    Returns ``(y, kept)``: with ``keep_columns`` (the kernel gradient will be needed) and a
    backend that finds it worthwhile, ``kept`` holds the columns for it, else None.
    """
    primitives = backend.primitives("im2col")
    keep = keep_columns and primitives.columns_worth_keeping(_columns_nbytes(x, geometry))
    cols = primitives.im2col(x, *geometry.primitive_args(), transient=not keep, leased=keep)
    rank = len(geometry.kernel_size)
    out_shape = (*cols.shape[:rank + 1], kernel.shape[-1])
    product = _matmul(_group_cols(cols, geometry.groups), _group_kernel(kernel, geometry.groups))
    return _ungroup_rows(product, out_shape), KeptColumns(cols) if keep else None


def _columns_nbytes(x: Any, geometry: ConvGeometry) -> int:
    primitives = backend.primitives("im2col")
    out_spatial = primitives.conv_output_spatial_shape(x.shape[1:-1], *geometry.primitive_args())
    return (x.shape[0] * math.prod(out_spatial) * math.prod(geometry.kernel_size) * x.shape[-1]
            * x.dtype.itemsize)


def conv_input_gradient(grad: Any, kernel: Any, input_shape: Sequence[int],
                        geometry: ConvGeometry) -> Any:
    """Gradient of :func:`conv_forward` with respect to ``x`` (shape ``input_shape``).

    ``grad`` is ``(N, *out_spatial, O)``; this is also the forward pass of a transposed
    convolution whose kernel, in Keras's transpose layout ``(*k, out, in)``, is ``kernel``.
    """
    primitives = backend.primitives("im2col")
    if geometry.groups == 1:
        return primitives.col2im_of_product(grad, kernel, tuple(input_shape),
                                            *geometry.primitive_args())
    rank = len(geometry.kernel_size)
    groups = geometry.groups
    grouped_kernel = _group_kernel(kernel, groups)
    dcols = _matmul(_group_rows(grad, groups), grouped_kernel.transpose(0, 2, 1))
    cols_shape = (*grad.shape[:rank + 1], *geometry.kernel_size, input_shape[-1])
    return primitives.col2im(_ungroup_cols(dcols, cols_shape), tuple(input_shape),
                             *geometry.primitive_args())


def conv_kernel_gradient(x: Any, grad: Any, kernel_shape: Sequence[int],
                         geometry: ConvGeometry, kept: KeptColumns | None = None) -> Any:
    """Gradient of :func:`conv_forward` with respect to the kernel (shape ``kernel_shape``),
    from the forward's ``kept`` columns when it has them."""
    primitives = backend.primitives("im2col")
    cols = kept.take() if kept is not None else None
    if cols is None:
        cols = primitives.im2col(x, *geometry.primitive_args(), transient=True)
    groups = geometry.groups
    # (grad^T @ cols)^T rather than cols^T @ grad: the same GEMM with the narrow filter axis
    # as the output's rows, which OpenBLAS runs 15-40% faster at im2col shapes (cuBLAS takes
    # either as transpose flags).
    product = _matmul(_group_rows(grad, groups).transpose(0, 2, 1), _group_cols(cols, groups))
    primitives.release_columns(cols)
    return _ungroup_kernel(product.transpose(0, 2, 1), kernel_shape)
