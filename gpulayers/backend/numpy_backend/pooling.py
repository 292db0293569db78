"""Max and average pooling on NumPy: the reference implementation, 1D/2D/3D in one N-d core.

Layout is channels_last: inputs are ``(batch, *spatial, channels)`` with 1 to 3 spatial dims.
Geometry is explicit: ``pool_size`` and ``strides`` are tuples with one int per spatial dim and
``padding`` holds one ``(before, after)`` pair per spatial dim (the ops compute the TF 'same'
rule). Along a dim of length ``n`` the output has ``(n + before + after - k) // s + 1`` cells.
Padded cells never count: max pooling treats them as ``-inf`` and average pooling divides by
the number of valid (unpadded) cells in each window, as TensorFlow and Keras do.

Max pooling returns, besides the output, ``argmax``: for every output cell the flat index of
the winning input cell within its sample's spatial grid (row-major over ``spatial``), so the
backward pass is a scatter-add. Ties go to the first cell of the window in row-major order.

Example::

    out, argmax = max_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0)))   # x: (N, H, W, C)
    grad_x = max_pool_backward(grad_out, argmax, x.shape, (2, 2), (2, 2), ((0, 0), (0, 0)))
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as xp
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "avg_pool_backward", "avg_pool_forward", "check_geometry", "max_pool_backward",
    "max_pool_forward", "pooled_spatial_shape",
]

Padding = Sequence[tuple[int, int]]


def pooled_spatial_shape(spatial: Sequence[int], pool_size: Sequence[int],
                         strides: Sequence[int], padding: Padding) -> tuple[int, ...]:
    """Output spatial shape: ``(n + before + after - k) // s + 1`` per spatial dim."""
    return tuple((n + before + after - k) // s + 1
                 for n, k, s, (before, after) in zip(spatial, pool_size, strides, padding))


def check_geometry(input_shape: Sequence[int], pool_size: Sequence[int], strides: Sequence[int],
                   padding: Padding) -> None:
    """Raise ValueError unless the geometry describes windows that all overlap the input.

    Requires ``len(input_shape) == rank + 2`` with rank 1..3, positive pool sizes and strides,
    ``0 <= before, after < pool size`` and a padded length of at least the pool size.
    """
    rank = len(input_shape) - 2
    if not 1 <= rank <= 3 or not len(pool_size) == len(strides) == len(padding) == rank:
        raise ValueError(
            f"pooling primitive: expected (batch, *spatial, channels) with 1-3 spatial dims and "
            f"one pool size, stride and padding pair per spatial dim. Received input_shape="
            f"{tuple(input_shape)}, pool_size={pool_size}, strides={strides}, padding={padding}")
    for n, k, s, (before, after) in zip(input_shape[1:-1], pool_size, strides, padding):
        if k < 1 or s < 1 or not 0 <= before < k or not 0 <= after < k or n + before + after < k:
            raise ValueError(
                f"pooling primitive: invalid geometry for input_shape={tuple(input_shape)}: "
                f"pool_size={pool_size}, strides={strides}, padding={padding}")


def _windows(padded: xp.ndarray, pool_size: Sequence[int], strides: Sequence[int],
             out_spatial: Sequence[int]) -> xp.ndarray:
    """Strided view ``(N, *out_spatial, C, *pool_size)`` of every window of ``padded``."""
    rank = len(pool_size)
    spatial_axes = tuple(range(1, rank + 1))
    views = sliding_window_view(padded, tuple(pool_size), axis=spatial_axes)
    steps = tuple(slice(None, s * (o - 1) + 1, s) for s, o in zip(strides, out_spatial))
    return views[(slice(None), *steps)]


def _pad(x: xp.ndarray, padding: Padding, value: float) -> xp.ndarray:
    if not any(before or after for before, after in padding):
        return x
    return xp.pad(x, ((0, 0), *padding, (0, 0)), constant_values=value)


def _flat_windows(x: xp.ndarray, pool_size: Sequence[int], strides: Sequence[int],
                  padding: Padding, fill: float) -> xp.ndarray:
    """Every window as a row: ``(N, *out_spatial, C, prod(pool_size))`` (a copy)."""
    check_geometry(x.shape, pool_size, strides, padding)
    out_spatial = pooled_spatial_shape(x.shape[1:-1], pool_size, strides, padding)
    windows = _windows(_pad(x, padding, fill), pool_size, strides, out_spatial)
    return windows.reshape(*windows.shape[:-len(pool_size)], math.prod(pool_size))


def _window_offset_to_input_index(offset: xp.ndarray, spatial: Sequence[int],
                                  pool_size: Sequence[int], strides: Sequence[int],
                                  padding: Padding) -> xp.ndarray:
    """Flat spatial input index of window cell ``offset`` for every output cell.

    ``offset`` has shape ``(N, *out_spatial, C)``. A coordinate landing in the padding (only
    possible when every valid cell of the window is ``-inf``) is clamped onto the first valid
    cell of the window, which then holds the same value; the GPU kernel makes the same choice.
    """
    rank = len(spatial)
    cell = xp.unravel_index(offset, tuple(pool_size))
    coordinates = []
    for axis in range(rank):
        out_length = offset.shape[axis + 1]
        starts = xp.arange(out_length) * strides[axis] - padding[axis][0]
        starts = starts.reshape((1,) * (axis + 1) + (out_length,) + (1,) * (rank - axis))
        coordinates.append(xp.clip(starts + cell[axis], 0, spatial[axis] - 1))
    return xp.ravel_multi_index(tuple(coordinates), tuple(spatial)).astype(xp.int64)


def _tap_views(padded: xp.ndarray, pool_size: Sequence[int], strides: Sequence[int],
               out_spatial: Sequence[int]) -> list[xp.ndarray]:
    """For every cell of the window (row-major), the strided view ``(N, *out_spatial, C)`` of
    the input cell it covers in every window."""
    views = []
    for taps in itertools.product(*(range(k) for k in pool_size)):
        cells = tuple(slice(t, t + s * (o - 1) + 1, s)
                      for t, s, o in zip(taps, strides, out_spatial))
        views.append(padded[(slice(None), *cells)])
    return views


def _first_maximum(views: list[xp.ndarray]) -> tuple[xp.ndarray, xp.ndarray]:
    """``(maximum, index of the first view holding it)`` over ``views``, as ``max`` and
    ``argmax`` over a window axis would give (a NaN wins; ties go to the first), with a few
    passes over output-sized arrays instead of a copy of every window."""
    maximum = views[0].copy()
    for view in views[1:]:
        xp.maximum(maximum, view, out=maximum)  # NaN propagates, as max() does
    offset = xp.full(maximum.shape, len(views) - 1, dtype=xp.int64)
    equal = xp.empty(maximum.shape, dtype=bool)
    for index in range(len(views) - 2, -1, -1):  # backwards: the first equal view wins
        xp.equal(views[index], maximum, out=equal)
        xp.copyto(offset, index, where=equal)
    missing_nan = xp.isnan(maximum)
    if missing_nan.any():  # NaN != NaN: point those windows at their first NaN
        for index in range(len(views) - 1, -1, -1):
            xp.copyto(offset, index, where=missing_nan & xp.isnan(views[index]))
    return maximum, offset


def _unpadded_argmax(offset: xp.ndarray, spatial: Sequence[int], pool_size: Sequence[int],
                     strides: Sequence[int]) -> xp.ndarray:
    """Flat spatial input index of window cell ``offset`` when there is no padding: each
    window's first cell plus the chosen cell's offset within the window."""
    row_strides = [math.prod(spatial[axis + 1:]) for axis in range(len(spatial))]
    starts = xp.zeros((), dtype=xp.int64)
    for out_length, s, step in zip(offset.shape[1:-1], strides, row_strides):
        starts = xp.add.outer(starts, xp.arange(out_length, dtype=xp.int64) * (s * step))
    cell_offsets = xp.array([sum(t * step for t, step in zip(taps, row_strides))
                             for taps in itertools.product(*map(range, pool_size))])
    return starts[None, ..., None] + cell_offsets[offset]


def max_pool_forward(x: xp.ndarray, pool_size: Sequence[int], strides: Sequence[int],
                     padding: Padding) -> tuple[xp.ndarray, xp.ndarray]:
    """Max pooling. Returns ``(output, argmax)``.

    Args:
        x: float array ``(N, *spatial, C)``.
        pool_size, strides: one int per spatial dim. padding: one ``(before, after)`` per dim.

    Returns:
        output ``(N, *out_spatial, C)`` of ``x.dtype`` and argmax ``(N, *out_spatial, C)`` int64,
        the flat index into ``spatial`` (row-major) of each window's maximum.
    """
    check_geometry(x.shape, pool_size, strides, padding)
    spatial = x.shape[1:-1]
    out_spatial = pooled_spatial_shape(spatial, pool_size, strides, padding)
    views = _tap_views(_pad(x, padding, -xp.inf), pool_size, strides, out_spatial)
    output, offset = _first_maximum(views)
    if any(before or after for before, after in padding):
        argmax = _window_offset_to_input_index(offset, spatial, pool_size, strides, padding)
    else:
        argmax = _unpadded_argmax(offset, spatial, pool_size, strides)
    return output, argmax


def max_pool_backward(grad_output: xp.ndarray, argmax: xp.ndarray, input_shape: Sequence[int],
                      pool_size: Sequence[int], strides: Sequence[int],
                      padding: Padding) -> xp.ndarray:
    """Gradient of max pooling: each output gradient is added onto its window's maximum.

    Overlapping windows (strides < pool_size) that share a maximum accumulate. The geometry
    arguments mirror the GPU version (which gathers per input cell) and are only validated here.

    Args:
        grad_output: ``(N, *out_spatial, C)``. argmax: from :func:`max_pool_forward`.
        input_shape: ``(N, *spatial, C)`` of the forward input.

    Returns:
        grad_input ``(N, *spatial, C)`` of ``grad_output.dtype``.
    """
    check_geometry(input_shape, pool_size, strides, padding)
    batch, channels = input_shape[0], input_shape[-1]
    spatial_size = math.prod(input_shape[1:-1])
    sample = xp.arange(batch).reshape((batch,) + (1,) * (argmax.ndim - 1))
    channel = xp.arange(channels)
    target = (sample * spatial_size + argmax) * channels + channel
    if all(s >= k for s, k in zip(strides, pool_size)):  # windows never share a cell
        grad_input = xp.zeros(batch * spatial_size * channels, dtype=grad_output.dtype)
        grad_input[target.reshape(-1)] = grad_output.reshape(-1)
        return grad_input.reshape(tuple(input_shape))
    grad_input = xp.bincount(target.reshape(-1), weights=grad_output.reshape(-1),
                             minlength=batch * spatial_size * channels)
    return grad_input.astype(grad_output.dtype, copy=False).reshape(tuple(input_shape))


def _valid_counts(spatial: Sequence[int], pool_size: Sequence[int], strides: Sequence[int],
                  padding: Padding) -> xp.ndarray:
    """Number of unpadded cells in every window, shaped ``(1, *out_spatial, 1)``."""
    out_spatial = pooled_spatial_shape(spatial, pool_size, strides, padding)
    counts = xp.ones((), dtype=xp.int64)
    for n, k, s, (before, _), out_length in zip(spatial, pool_size, strides, padding,
                                                 out_spatial):
        starts = xp.arange(out_length) * s - before
        per_axis = xp.minimum(starts + k, n) - xp.maximum(starts, 0)
        counts = xp.multiply.outer(counts, per_axis)
    return counts[None, ..., None]


def avg_pool_forward(x: xp.ndarray, pool_size: Sequence[int], strides: Sequence[int],
                     padding: Padding) -> xp.ndarray:
    """Average pooling over the valid cells of each window.

    Args:
        x: float array ``(N, *spatial, C)``.
        pool_size, strides: one int per spatial dim. padding: one ``(before, after)`` per dim.

    Returns:
        ``(N, *out_spatial, C)`` of ``x.dtype``.
    """
    rows = _flat_windows(x, pool_size, strides, padding, 0)
    counts = _valid_counts(x.shape[1:-1], pool_size, strides, padding)
    return (rows.sum(axis=-1) / counts).astype(x.dtype, copy=False)


def avg_pool_backward(grad_output: xp.ndarray, input_shape: Sequence[int],
                      pool_size: Sequence[int], strides: Sequence[int],
                      padding: Padding) -> xp.ndarray:
    """Gradient of average pooling: each output gradient, divided by its window's valid-cell
    count, is added to every cell of the window (one vectorised add per window offset).

    Args:
        grad_output: ``(N, *out_spatial, C)``. input_shape: ``(N, *spatial, C)``.

    Returns:
        grad_input ``(N, *spatial, C)`` of ``grad_output.dtype``.
    """
    check_geometry(input_shape, pool_size, strides, padding)
    spatial = tuple(input_shape[1:-1])
    share = (grad_output / _valid_counts(spatial, pool_size, strides, padding))
    share = share.astype(grad_output.dtype, copy=False)
    padded_shape = (input_shape[0],
                    *(n + before + after for n, (before, after) in zip(spatial, padding)),
                    input_shape[-1])
    grad_padded = xp.zeros(padded_shape, dtype=grad_output.dtype)
    out_spatial = grad_output.shape[1:-1]
    for offset in itertools.product(*(range(k) for k in pool_size)):
        cells = tuple(slice(o, o + s * (length - 1) + 1, s)
                      for o, s, length in zip(offset, strides, out_spatial))
        grad_padded[(slice(None), *cells)] += share
    crop = tuple(slice(before, before + n) for n, (before, _) in zip(spatial, padding))
    return xp.ascontiguousarray(grad_padded[(slice(None), *crop)])
