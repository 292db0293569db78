"""im2col and col2im on NumPy: the reference implementation, 1D/2D/3D in one N-d core.

Layout is channels_last. ``im2col`` turns ``x`` of shape ``(batch, *spatial, channels)`` into
``cols`` of shape ``(batch, *out_spatial, *kernel_size, channels)``; reshaped to
``(batch * prod(out_spatial), prod(kernel_size) * channels)`` it multiplies a Keras kernel
``(*kernel_size, channels, filters)`` reshaped to ``(prod(kernel_size) * channels, filters)``
with no transpose. ``col2im`` is its adjoint: it adds every entry of ``cols`` back onto the
input cell it was read from (the input gradient of a convolution, the forward pass of a
transposed convolution).

Geometry is explicit, one value per spatial dim: ``kernel_size``, ``strides``,
``dilation_rate`` and ``padding`` as ``(before, after)`` pairs (the ops turn 'same'/'causal'
into pairs). Output cell ``o``, kernel tap ``t`` reads input cell ``o * s + t * d - before``;
cells outside the input are zeros. Along a dim of length ``n`` there are
``(n + before + after - ((k - 1) * d + 1)) // s + 1`` output cells. ``after`` may be negative
(it then crops the end of the input; transposed convolutions with ``output_padding`` need it).

Example::

    cols = im2col(x, (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)))    # x: (N, H, W, C)
    y = cols.reshape(-1, 9 * C) @ kernel.reshape(9 * C, filters)   # a 'same' 3x3 conv
    dx = col2im(dcols, x.shape, (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)))
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as xp
from numpy.lib.stride_tricks import as_strided

from gpulayers.backend.numpy_backend.scratch import (
    MAX_SCRATCH_BYTES,
    lease_array,
    release_array,
    scratch_array,
)

__all__ = ["check_geometry", "col2im", "col2im_of_product", "columns_worth_keeping",
           "conv_output_spatial_shape", "im2col", "release_columns"]

Padding = Sequence[tuple[int, int]]


def conv_output_spatial_shape(spatial: Sequence[int], kernel_size: Sequence[int],
                              strides: Sequence[int], dilation_rate: Sequence[int],
                              padding: Padding) -> tuple[int, ...]:
    """Output spatial shape: ``(n + before + after - ((k - 1) * d + 1)) // s + 1`` per dim."""
    return tuple((n + before + after - ((k - 1) * d + 1)) // s + 1
                 for n, k, s, d, (before, after)
                 in zip(spatial, kernel_size, strides, dilation_rate, padding))


def check_geometry(input_shape: Sequence[int], kernel_size: Sequence[int],
                   strides: Sequence[int], dilation_rate: Sequence[int],
                   padding: Padding) -> None:
    """Raise ValueError unless the geometry is well formed and gives at least one output cell.

    Requires ``input_shape == (batch, *spatial, channels)`` with 1 to 3 spatial dims, one
    kernel size, stride, dilation and ``(before, after)`` pair per spatial dim, all sizes
    positive and ``before >= 0``.
    """
    rank = len(input_shape) - 2
    lengths = {len(kernel_size), len(strides), len(dilation_rate), len(padding)}
    if not 1 <= rank <= 3 or lengths != {rank}:
        raise ValueError(
            f"im2col: expected (batch, *spatial, channels) with 1-3 spatial dims and one kernel "
            f"size, stride, dilation and padding pair per spatial dim. Received input_shape="
            f"{tuple(input_shape)}, kernel_size={kernel_size}, strides={strides}, "
            f"dilation_rate={dilation_rate}, padding={padding}")
    out_spatial = conv_output_spatial_shape(input_shape[1:-1], kernel_size, strides,
                                            dilation_rate, padding)
    for k, s, d, (before, _), out in zip(kernel_size, strides, dilation_rate, padding,
                                          out_spatial):
        if k < 1 or s < 1 or d < 1 or before < 0 or out < 1:
            raise ValueError(
                f"im2col: invalid geometry for input_shape={tuple(input_shape)}: "
                f"kernel_size={tuple(kernel_size)}, strides={tuple(strides)}, "
                f"dilation_rate={tuple(dilation_rate)}, padding={tuple(padding)} "
                f"(sizes must be positive, padding before >= 0, output not empty)")


def check_col2im_shapes(cols_shape: Sequence[int], input_shape: Sequence[int],
                        kernel_size: Sequence[int], strides: Sequence[int],
                        dilation_rate: Sequence[int], padding: Padding) -> tuple[int, ...]:
    """:func:`check_geometry`, then ValueError unless ``cols_shape`` is im2col's output shape
    ``(N, *out_spatial, *kernel_size, C)`` for ``input_shape``. Returns ``out_spatial``."""
    check_geometry(input_shape, kernel_size, strides, dilation_rate, padding)
    out_spatial = conv_output_spatial_shape(input_shape[1:-1], kernel_size, strides,
                                            dilation_rate, padding)
    expected = (input_shape[0], *out_spatial, *kernel_size, input_shape[-1])
    if tuple(cols_shape) != expected:
        raise ValueError(f"col2im: cols has shape {tuple(cols_shape)}, expected {expected} "
                         f"for input_shape={tuple(input_shape)}")
    return out_spatial


def _padded(x: Any, padding: Padding) -> Any:
    """``x`` with zeros before/after each spatial dim (negative 'after' is left to the view),
    in this thread's "padded" scratch slot with zeros written to the borders only: im2col
    copies out of it at once."""
    widths = [(before, max(after, 0)) for before, after in padding]
    if all(before == after == 0 for before, after in widths):
        return x
    shape = (x.shape[0], *(n + b + a for n, (b, a) in zip(x.shape[1:-1], widths)), x.shape[-1])
    padded = scratch_array(shape, x.dtype, slot="padded")
    for axis, (before, after) in enumerate(widths, start=1):
        lead = (slice(None),) * axis
        padded[(*lead, slice(0, before))] = 0
        padded[(*lead, slice(shape[axis] - after, shape[axis]))] = 0
    padded[(slice(None), *(slice(b, b + n) for n, (b, _) in zip(x.shape[1:-1], widths)))] = x
    return padded


def im2col(x: Any, kernel_size: Sequence[int], strides: Sequence[int],
           dilation_rate: Sequence[int], padding: Padding, transient: bool = False,
           leased: bool = False) -> Any:
    """Patches of ``x`` ``(N, *spatial, C)`` as ``(N, *out_spatial, *kernel_size, C)``.

    A strided view of the padded input, copied once into a C-contiguous array. With
    ``transient=True`` that array is this thread's scratch buffer (see ``scratch.py``),
    overwritten by the next transient im2col: for columns consumed at once by a GEMM. With
    ``leased=True`` it comes from the pool of reused buffers, for columns kept until the
    backward pass and then handed to :func:`release_columns`.
    """
    check_geometry(x.shape, kernel_size, strides, dilation_rate, padding)
    out_spatial = conv_output_spatial_shape(x.shape[1:-1], kernel_size, strides,
                                            dilation_rate, padding)
    padded = _padded(x, padding)
    batch_stride, *spatial_strides, channel_stride = padded.strides
    view = as_strided(
        padded,
        shape=(x.shape[0], *out_spatial, *kernel_size, x.shape[-1]),
        strides=(batch_stride,
                 *(step * s for step, s in zip(spatial_strides, strides)),
                 *(step * d for step, d in zip(spatial_strides, dilation_rate)),
                 channel_stride),
        writeable=False,
    )
    if leased:
        cols = lease_array(view.shape, x.dtype)
    elif transient:
        cols = scratch_array(view.shape, x.dtype)
    else:  # always a copy: the view may read the "padded" scratch slot
        cols = xp.empty(view.shape, x.dtype)
    xp.copyto(cols, view)
    return cols


def columns_worth_keeping(nbytes: int) -> bool:
    """Whether a convolution should keep its forward columns (``nbytes``) for the kernel
    gradient instead of rebuilding them: on a CPU the second im2col copy costs more than
    the memory, up to a quarter of the scratch limit per convolution."""
    return nbytes <= MAX_SCRATCH_BYTES // 4


def release_columns(cols: Any) -> None:
    """Hand back columns from ``im2col(..., leased=True)`` once nothing reads them."""
    release_array(cols)


def _sum_onto_input(input_shape: Sequence[int], padding: Padding, dtype: Any,
                    windows: Iterator[tuple[tuple[slice, ...], Any]]) -> Any:
    """Add each ``(window, values)`` onto a zero padded buffer of ``input_shape``, then crop
    the padding: what col2im and col2im_of_product both end with."""
    buffer_spatial = [n + before + max(after, 0)
                      for n, (before, after) in zip(input_shape[1:-1], padding)]
    buffer = xp.zeros((input_shape[0], *buffer_spatial, input_shape[-1]), dtype=dtype)
    for window, values in windows:
        buffer[(slice(None), *window)] += values
    crop = tuple(slice(before, before + n)
                 for n, (before, _) in zip(input_shape[1:-1], padding))
    return xp.ascontiguousarray(buffer[(slice(None), *crop)])


def _tap_windows(kernel_size: Sequence[int], strides: Sequence[int],
                 dilation_rate: Sequence[int], out_spatial: Sequence[int]
                 ) -> Iterator[tuple[tuple[int, ...], tuple[slice, ...]]]:
    """Every kernel tap and the strided window of the padded input it reads."""
    for taps in itertools.product(*(range(k) for k in kernel_size)):
        yield taps, tuple(slice(t * d, t * d + (out - 1) * s + 1, s)
                          for t, d, s, out in zip(taps, dilation_rate, strides, out_spatial))


def col2im(cols: Any, input_shape: Sequence[int], kernel_size: Sequence[int],
           strides: Sequence[int], dilation_rate: Sequence[int], padding: Padding) -> Any:
    """Sum ``cols`` ``(N, *out_spatial, *kernel_size, C)`` back onto ``input_shape``.

    The adjoint of :func:`im2col`: loops over the ``prod(kernel_size)`` taps only, adding each
    tap's slab onto a strided slice of a padded buffer, then crops the padding.
    """
    out_spatial = check_col2im_shapes(cols.shape, input_shape, kernel_size, strides,
                                      dilation_rate, padding)
    lead = (slice(None),) * (len(kernel_size) + 1)
    return _sum_onto_input(input_shape, padding, cols.dtype, (
        (window, cols[lead + taps])
        for taps, window in _tap_windows(kernel_size, strides, dilation_rate, out_spatial)))


def col2im_of_product(grad: Any, kernel: Any, input_shape: Sequence[int],
                      kernel_size: Sequence[int], strides: Sequence[int],
                      dilation_rate: Sequence[int], padding: Padding) -> Any:
    """``col2im(grad @ kernel^T)``: a one-group convolution's input gradient (and a transposed
    convolution's forward pass), without building the columns.

    Per kernel tap, one GEMM ``grad (M, O) @ kernel[tap]^T (O, C)`` is added onto that tap's
    strided window of the result. On a CPU this takes about half the time of one GEMM into
    ``(M, taps * C)`` columns that col2im then reads back with a stride of ``taps * C``.

    Args:
        grad: ``(N, *out_spatial, O)``. kernel: ``(*kernel_size, C, O)`` (Keras's layout).
        input_shape: ``(N, *spatial, C)``; the geometry as for :func:`col2im`.

    Returns:
        ``(N, *spatial, C)`` of the dtype of ``grad @ kernel``.
    """
    check_col2im_shapes((*grad.shape[:-1], *kernel_size, input_shape[-1]), input_shape,
                        kernel_size, strides, dilation_rate, padding)
    full_padding = _full_correlation_padding(grad.shape, input_shape, kernel_size, strides,
                                             dilation_rate, padding)
    if full_padding is not None:
        return _full_correlation(grad, kernel, input_shape, kernel_size, dilation_rate,
                                 full_padding)
    rows = grad.reshape(-1, grad.shape[-1])
    cell_shape = (*grad.shape[:-1], input_shape[-1])
    return _sum_onto_input(input_shape, padding, xp.result_type(grad.dtype, kernel.dtype), (
        (window, (rows @ kernel[taps].T).reshape(cell_shape))
        for taps, window in _tap_windows(kernel_size, strides, dilation_rate,
                                         grad.shape[1:-1])))


def _full_correlation_padding(grad_shape: Sequence[int], input_shape: Sequence[int],
                              kernel_size: Sequence[int], strides: Sequence[int],
                              dilation_rate: Sequence[int], padding: Padding
                              ) -> list[tuple[int, int]] | None:
    """The padding of ``grad`` under which a stride-1 input gradient is a plain convolution
    of ``grad`` with the flipped kernel, or None where the per-tap GEMMs are the better way.

    That convolution is one GEMM with depth ``taps * O`` instead of ``taps`` GEMMs of depth
    ``O`` each added onto a strided window; it wins while its columns are no bigger than the
    forward's (``O <= C``), and loses to the per-tap sums when ``O`` outgrows ``C``.
    """
    if any(s != 1 for s in strides) or grad_shape[-1] > input_shape[-1]:
        return None
    pads = [((k - 1) * d - before, n - out + before)
            for k, d, (before, _), n, out in zip(kernel_size, dilation_rate, padding,
                                                 input_shape[1:-1], grad_shape[1:-1])]
    return None if any(b < 0 or a < 0 for b, a in pads) else pads


def _full_correlation(grad: Any, kernel: Any, input_shape: Sequence[int],
                      kernel_size: Sequence[int], dilation_rate: Sequence[int],
                      full_padding: Padding) -> Any:
    """``dx[p] = sum_t grad[p + before - t * d] @ kernel[t]^T`` as im2col(grad) @ flipped
    kernel: tap ``t`` of the flipped kernel is tap ``k - 1 - t`` of ``kernel``."""
    rank = len(kernel_size)
    cols = im2col(grad, kernel_size, (1,) * rank, dilation_rate, full_padding, transient=True)
    flipped = kernel[(slice(None, None, -1),) * rank]
    flipped = flipped.swapaxes(-1, -2).reshape(-1, input_shape[-1])
    return (cols.reshape(-1, flipped.shape[0]) @ flipped).reshape(tuple(input_shape))
