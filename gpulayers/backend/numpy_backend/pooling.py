"""Max and average pooling on NumPy: the reference implementation, 1D/2D/3D in one N-d core.

Layout is channels_last: inputs are ``(batch, *spatial, channels)`` with 1 to 3 spatial dims.
Geometry is explicit: ``pool_size`` and ``strides`` are tuples with one int per spatial dim and
``padding`` holds one ``(before, after)`` pair per spatial dim (the ops compute the TF 'same'
rule). Along a dim of length ``n`` the output has ``(n + before + after - k) // s + 1`` cells.
Padded cells never count: max pooling treats them as ``-inf`` and average pooling divides by
the number of valid (unpadded) cells in each window, as TensorFlow and Keras do.

Max pooling returns, besides the output, ``winners``: the backend's record of each window's
maximum for :func:`max_pool_backward` (ties go to the first cell of the window in row-major
order, a NaN wins its window). Here it is the winning cell's index within its window
(row-major, the smallest unsigned type that holds it), so that both passes run as a few
vectorised passes per window cell instead of index arithmetic and a scatter; CuPy records
the flat spatial index instead. :func:`max_pool_argmax` turns either into the flat index of
the winning input cell within its sample's spatial grid.

Example::

    out, winners = max_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0)))   # x: (N, H, W, C)
    grad_x = max_pool_backward(grad_out, winners, x.shape, (2, 2), (2, 2), ((0, 0), (0, 0)))
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as xp

__all__ = [
    "avg_pool_backward", "avg_pool_forward", "check_geometry", "max_pool_argmax",
    "max_pool_backward", "max_pool_forward", "pooled_spatial_shape",
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


def _pad(x: xp.ndarray, padding: Padding, value: float) -> xp.ndarray:
    if not any(before or after for before, after in padding):
        return x
    return xp.pad(x, ((0, 0), *padding, (0, 0)), constant_values=value)


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


def _tap_dtype(taps: int) -> xp.dtype:
    """The smallest unsigned integer type that holds a window-cell index."""
    return xp.dtype(xp.uint8 if taps <= 256 else xp.uint16 if taps <= 65536 else xp.uint32)


def _first_maximum(views: list[xp.ndarray]) -> tuple[xp.ndarray, xp.ndarray]:
    """``(maximum, index of the first view holding it)`` over ``views``, as ``max`` and
    ``argmax`` over a window axis would give (a NaN wins; ties go to the first).

    The index counts the views passed over before the first match: one compare, one
    ``and`` and one add per view on output-sized arrays, with no copy of the windows.
    """
    maximum = views[0].copy()
    for view in views[1:]:
        xp.maximum(maximum, view, out=maximum)  # NaN propagates, as max() does
    index = xp.zeros(maximum.shape, dtype=_tap_dtype(len(views)))
    searching = xp.not_equal(views[0], maximum)
    unequal = xp.empty_like(searching)
    # Booleans are added as their uint8 bytes: a same-type add, 5x faster than a casting one
    # (a wider index type still takes the casting add).
    step = searching.view(xp.uint8) if index.dtype == xp.uint8 else searching
    for view in views[1:-1]:
        xp.add(index, step, out=index, casting="unsafe")
        xp.not_equal(view, maximum, out=unequal)
        xp.logical_and(searching, unequal, out=searching)
    if len(views) > 1:
        xp.add(index, step, out=index, casting="unsafe")
    missing_nan = xp.isnan(maximum)
    if missing_nan.any():  # NaN != NaN: point those windows at their first NaN
        for tap in range(len(views) - 1, -1, -1):
            xp.copyto(index, tap, where=missing_nan & xp.isnan(views[tap]), casting="unsafe")
    return maximum, index


def _first_valid_taps(pool_size: Sequence[int], strides: Sequence[int], padding: Padding,
                      out_spatial: Sequence[int]) -> xp.ndarray:
    """Index of each window's first unpadded cell (row-major), shaped ``(1, *out, 1)``."""
    index = xp.zeros((), dtype=xp.int64)
    for k, s, (before, _), length in zip(pool_size, strides, padding, out_spatial):
        first = xp.maximum(before - xp.arange(length) * s, 0)
        index = xp.add.outer(index * k, first)
    return index[None, ..., None]


def max_pool_forward(x: xp.ndarray, pool_size: Sequence[int], strides: Sequence[int],
                     padding: Padding) -> tuple[xp.ndarray, xp.ndarray]:
    """Max pooling. Returns ``(output, winners)``.

    Args:
        x: float array ``(N, *spatial, C)``.
        pool_size, strides: one int per spatial dim. padding: one ``(before, after)`` per dim.

    Returns:
        output ``(N, *out_spatial, C)`` of ``x.dtype`` and winners of the same shape: the
        index of each window's maximum within the window (see the module docstring).
    """
    check_geometry(x.shape, pool_size, strides, padding)
    spatial = x.shape[1:-1]
    out_spatial = pooled_spatial_shape(spatial, pool_size, strides, padding)
    views = _tap_views(_pad(x, padding, -xp.inf), pool_size, strides, out_spatial)
    output, winners = _first_maximum(views)
    if any(before or after for before, after in padding):
        # Padding (-inf) wins only windows whose every cell is -inf: give those to the
        # window's first real cell, as clamping the coordinates would (and CuPy does).
        all_minus_inf = xp.isneginf(output)
        if all_minus_inf.any():
            first = _first_valid_taps(pool_size, strides, padding, out_spatial)
            xp.copyto(winners, xp.broadcast_to(first, winners.shape), where=all_minus_inf,
                      casting="unsafe")
    return output, winners


def max_pool_backward(grad_output: xp.ndarray, winners: xp.ndarray,
                      input_shape: Sequence[int], pool_size: Sequence[int],
                      strides: Sequence[int], padding: Padding) -> xp.ndarray:
    """Gradient of max pooling: each output gradient is added onto its window's maximum.

    Overlapping windows (strides < pool_size) that share a maximum accumulate.

    Args:
        grad_output: ``(N, *out_spatial, C)``. winners: from :func:`max_pool_forward`.
        input_shape: ``(N, *spatial, C)`` of the forward input.

    Returns:
        grad_input ``(N, *spatial, C)`` of ``grad_output.dtype``.
    """
    check_geometry(input_shape, pool_size, strides, padding)
    spatial = tuple(input_shape[1:-1])
    padded = xp.zeros((input_shape[0], *(n + b + a for n, (b, a) in zip(spatial, padding)),
                       input_shape[-1]), dtype=grad_output.dtype)
    views = _tap_views(padded, pool_size, strides, grad_output.shape[1:-1])
    overlapping = any(s < k for s, k in zip(strides, pool_size))
    # grad * (winner == tap) is the gradient where the tap won and 0 elsewhere, unless the
    # gradient holds inf/NaN (inf * 0 is NaN): then the slower masked copy.
    finite = bool(xp.isfinite(grad_output).all())
    chosen = xp.empty(grad_output.shape, dtype=bool)
    share = xp.empty_like(grad_output) if overlapping or not finite else None
    for tap, view in enumerate(views):
        xp.equal(winners, tap, out=chosen)
        if finite and not overlapping:
            xp.multiply(grad_output, chosen, out=view)  # no other (window, tap) has the cell
            continue
        if finite:
            xp.multiply(grad_output, chosen, out=share)
        else:
            share[...] = 0
            xp.copyto(share, grad_output, where=chosen)
        view += share
    if padded.shape == tuple(input_shape):
        return padded
    crop = tuple(slice(before, before + n) for n, (before, _) in zip(spatial, padding))
    return xp.ascontiguousarray(padded[(slice(None), *crop)])


def max_pool_argmax(winners: xp.ndarray, input_shape: Sequence[int],
                    pool_size: Sequence[int], strides: Sequence[int],
                    padding: Padding) -> xp.ndarray:
    """The flat index (row-major over ``input_shape[1:-1]``) of each window's winning input
    cell, int64 ``(N, *out_spatial, C)``: what CuPy's ``winners`` hold."""
    spatial = tuple(input_shape[1:-1])
    cell = xp.unravel_index(winners.astype(xp.int64), tuple(pool_size))
    coordinates = []
    for axis, (s, (before, _)) in enumerate(zip(strides, padding)):
        length = winners.shape[axis + 1]
        starts = (xp.arange(length) * s - before).reshape(
            (1,) * (axis + 1) + (length,) + (1,) * (len(spatial) - axis))
        coordinates.append(starts + cell[axis])
    return xp.ravel_multi_index(tuple(coordinates), spatial).astype(xp.int64)

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
    check_geometry(x.shape, pool_size, strides, padding)
    out_spatial = pooled_spatial_shape(x.shape[1:-1], pool_size, strides, padding)
    views = _tap_views(_pad(x, padding, 0), pool_size, strides, out_spatial)
    total = views[0].astype(xp.result_type(x.dtype, xp.float32 if x.dtype.itemsize < 4
                                           else x.dtype))  # float16 sums in float32
    for view in views[1:]:
        total += view
    counts = _valid_counts(x.shape[1:-1], pool_size, strides, padding)
    return (total / counts).astype(x.dtype, copy=False)


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
