"""Descriptive statistics: average, median, quantile, percentile, ptp, corrcoef, correlate,
trapezoid, diff, histogram, bincount, digitize (Keras 3 ``keras.ops`` names, NumPy semantics).

Order statistics sort (``ops.sort``) and pick with ``take_along_axis``, so their gradient goes
to the selected elements (split by the interpolation weights). Float-only results of integer
or bool inputs are ``floatx()``, as in Keras. ``histogram``/``bincount``/``digitize`` count,
so they have no gradient (``bincount``'s ``weights`` do have one).

Example::

    ops.median([[1., 5.], [3., 2.]], axis=0)      # [2. , 3.5]
    ops.quantile(x, [0.25, 0.75], axis=-1)       # shape (2,) + x.shape[:-1]
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.arithmetic import add, divide, multiply, subtract
from gpulayers.ops.axes import as_int, check_integer_dtype, normalize_axis
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import result_type, to_operand_tensor
from gpulayers.ops.indexing import slice_by_key, take, take_along_axis
from gpulayers.ops.linalg import matmul
from gpulayers.ops.matrix_construction import diagonal
from gpulayers.ops.reductions import max, mean, min, normalize_axes, sum  # noqa: A004
from gpulayers.ops.reordering import pad, sort
from gpulayers.ops.selection import where
from gpulayers.ops.shape import moveaxis, reshape, transpose
from gpulayers.ops.unary import clip, sqrt

__all__ = ["average", "bincount", "corrcoef", "correlate", "diff", "digitize", "histogram",
           "median", "percentile", "ptp", "quantile", "trapezoid"]

QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def float_result(x: Tensor, *others: Any) -> Tensor:
    """``x`` cast to Keras's ``result_type(x.dtype, float, *others)`` (ints give floatx())."""
    dtype = result_type(x.dtype, *others, 1.0, op_name="cast")
    return cast(x, dtype)


def quantile_along(name: str, x: Any, q: Any, axis: Any, method: str, keepdims: bool,
                   ignore_nan: bool) -> Tensor:
    """The ``q`` quantiles (fractions in [0, 1]) over ``axis``, NumPy's layout: the ``q`` axes
    first, then the kept axes. With ``ignore_nan`` NaNs are left out (all-NaN slices give NaN);
    otherwise a slice holding a NaN gives NaN. Shared by the quantile/percentile/median ops.
    """
    xp = backend.xp()
    tensor = to_operand_tensor(x, name)
    if method not in QUANTILE_METHODS:
        raise ValueError(f"{name}: `method` must be one of {QUANTILE_METHODS}. "
                         f"Received: method={method!r}")
    fractions = backend.to_numpy(q.data if isinstance(q, Tensor) else q).astype("float64")
    if fractions.size and not ((fractions >= 0) & (fractions <= 1)).all():
        raise ValueError(f"{name}: quantiles must be in [0, 1] (percentiles in [0, 100]). "
                         f"Received: q={q!r}")
    data = float_result(tensor)
    axes = normalize_axes(axis, data.ndim, name)
    kept = [i for i in range(data.ndim) if i not in axes]
    count = 1
    for i in axes:
        count *= data.shape[i]
    if count == 0:
        raise ValueError(f"{name}: cannot take quantiles over an empty axis of a tensor of shape "
                         f"{data.shape}. Received: axis={axis!r}")
    moved = moveaxis(data, axes, tuple(range(len(kept), data.ndim))) if axes else data
    batch = tuple(data.shape[i] for i in kept)
    ordered = sort(reshape(moved, batch + (count,)), axis=-1)  # NaN sorts last
    nan = xp.isnan(ordered.data)
    valid = (count - nan.sum(axis=-1, keepdims=True)) if ignore_nan else xp.full(
        batch + (1,), count)
    position = xp.asarray(fractions.reshape(-1)) * (valid - 1)  # (batch..., Q), float64
    low = xp.floor(position)
    gamma = position - low
    if method == "lower" or method == "higher" or method == "nearest":
        chosen = {"lower": low, "higher": xp.ceil(position),
                  "nearest": xp.around(position)}[method]
        index = xp.clip(chosen, 0, count - 1).astype("int64")
        out = take_along_axis(ordered, index, axis=-1)
    else:
        high = xp.minimum(low + 1, xp.maximum(valid - 1, 0))
        if method == "midpoint":
            gamma = xp.where(gamma > 0, 0.5, 0.0)
        below, above = (take_along_axis(ordered, xp.clip(i, 0, count - 1).astype("int64"), -1)
                        for i in (low, high))
        out = add(below, multiply(subtract(above, below), gamma.astype(data.data.dtype)))
    undefined = (valid < 1) if ignore_nan else nan[..., -1:]
    out = where(Tensor(undefined), float("nan"), out)
    out = reshape(out, batch + fractions.shape)
    if keepdims:
        out = reshape(out, tuple(1 if i in axes else data.shape[i] for i in range(data.ndim))
                      + fractions.shape)
    rank_out, rank_q = out.ndim, fractions.ndim
    return moveaxis(out, tuple(range(rank_out - rank_q, rank_out)), tuple(range(rank_q)))


def quantile(x: Any, q: Any, axis: Any = None, method: str = "linear",
             keepdims: bool = False) -> Tensor:
    """The ``q``-th quantiles (fractions in [0, 1]) of ``x`` over ``axis`` (all when None).

    Args:
        x: tensor. q: a fraction or an array of them (its axes lead the result).
        axis: int, tuple of ints or None. method: ``'linear'`` (interpolate), ``'lower'``,
            ``'higher'``, ``'midpoint'`` or ``'nearest'``. keepdims: keep reduced axes as 1.

    Example: ``quantile([1., 2., 3., 4.], 0.5)`` -> ``2.5``.
    """
    return quantile_along("quantile", x, q, axis, method, keepdims, ignore_nan=False)


def percentile(x: Any, q: Any, axis: Any = None, method: str = "linear",
               keepdims: bool = False) -> Tensor:
    """The ``q``-th percentiles (in [0, 100]) of ``x``; see :func:`quantile`."""
    fractions = backend.to_numpy(q.data if isinstance(q, Tensor) else q) / 100.0
    return quantile_along("percentile", x, fractions, axis, method, keepdims, ignore_nan=False)


def median(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The median over ``axis`` (the mean of the two middle values for even counts)."""
    return quantile_along("median", x, 0.5, axis, "linear", keepdims, ignore_nan=False)


def average(x: Any, axis: Any = None, weights: Any = None) -> Tensor:
    """The (weighted) mean over ``axis``: ``sum(x * w) / sum(w)``.

    ``weights`` has ``x``'s shape, or is 1-d with the length of ``x`` along an int ``axis``.
    Ints give floatx(). Example: ``average([1., 2., 4.], weights=[1, 1, 2])`` -> ``2.75``.
    """
    tensor = to_operand_tensor(x, "average")
    if weights is None:
        return mean(float_result(tensor), axis=axis)
    weights = to_operand_tensor(weights, "average")
    values = float_result(tensor, weights.dtype)
    weights = cast(weights, values.dtype)
    if weights.shape != values.shape:
        if axis is None or isinstance(axis, (tuple, list)) or weights.ndim != 1 or \
                weights.shape[0] != values.shape[normalize_axis(axis, values.ndim, "average")]:
            raise ValueError(
                "average: `weights` must have the shape of `x`, or be 1-d with the length of `x` "
                f"along an int `axis`. Received: x.shape={values.shape}, "
                f"weights.shape={weights.shape}, axis={axis!r}")
        view = [1] * values.ndim
        view[normalize_axis(axis, values.ndim, "average")] = weights.shape[0]
        weights = reshape(weights, view)
        return divide(sum(multiply(values, weights), axis=axis), sum(weights, axis=axis))
    return divide(sum(multiply(values, weights), axis=axis), sum(weights, axis=axis))


def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Range (``max - min``) over ``axis``; keeps ``x``'s dtype.

    Example: ``ptp([[4, 9], [1, 2]], axis=1)`` -> ``[5, 1]``.
    """
    tensor = to_operand_tensor(x, "ptp")
    if tensor.dtype == "bool":
        raise TypeError("ptp: bool tensors have no range (max - min); cast to a number type")
    return subtract(max(tensor, axis=axis, keepdims=keepdims),
                    min(tensor, axis=axis, keepdims=keepdims))


def corrcoef(x: Any) -> Tensor:
    """Pearson correlation coefficients of the rows of ``x`` (variables) over its columns
    (observations); a 1-d ``x`` is one variable (result 1). Values clipped to [-1, 1].
    """
    tensor = to_operand_tensor(x, "corrcoef")
    if tensor.ndim not in (1, 2):
        raise ValueError(f"corrcoef: expected a 1-d or 2-d tensor. Received shape {tensor.shape}")
    dtype = {"int64": "float64", "float64": "float64", "float16": "float16"}.get(
        tensor.dtype, backend.floatx())
    rows = reshape(cast(tensor, dtype), (-1, tensor.shape[-1]))
    centered = subtract(rows, mean(rows, axis=1, keepdims=True))
    covariance = matmul(centered, transpose(centered))
    scale = sqrt(diagonal(covariance))
    out = divide(divide(covariance, reshape(scale, (-1, 1))), reshape(scale, (1, -1)))
    out = clip(out, -1.0, 1.0)
    return reshape(out, ()) if tensor.ndim == 1 else out


def correlate(x1: Any, x2: Any, mode: str = "valid") -> Tensor:
    """Cross-correlation of two 1-d tensors: ``c[k] = sum_n x1[n + k] * x2[n]``.

    ``mode``: ``'valid'`` (full overlap only), ``'same'`` (length ``max(len)``), ``'full'``.
    Computed in float32 (float16/float64 kept; int64 gives float64), as Keras does.
    """
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: `mode` must be 'valid', 'same' or 'full'. "
                         f"Received: mode={mode!r}")
    dtype = result_type(x1, x2, op_name="correlate")
    dtype = "float64" if dtype in ("int64", "float64") else (
        "float16" if dtype == "float16" else "float32")
    a, v = (cast(to_operand_tensor(t, "correlate", dtype), dtype) for t in (x1, x2))
    if a.ndim != 1 or v.ndim != 1 or not a.size or not v.size:
        raise ValueError(f"correlate: expected two non-empty 1-d tensors. Received shapes "
                         f"{a.shape} and {v.shape}")
    xp = backend.xp()
    length_a, length_v = a.shape[0], v.shape[0]
    padded = pad(a, ((length_v - 1, length_v - 1),))
    windows = xp.arange(length_a + length_v - 1)[:, None] + xp.arange(length_v)[None, :]
    full = matmul(take(padded, windows), v)
    shortest, longest = sorted((length_a, length_v))
    if mode == "full":
        return full
    if mode == "valid":
        start, size = shortest - 1, longest - shortest + 1
    else:  # NumPy centres 'same' on the longer input; a shorter x1 is swapped and reversed
        offset = (shortest - 1) // 2
        start, size = (offset if length_a >= length_v else length_a - 1 - offset), longest
    return slice_by_key(full, slice(start, start + size))


def diff(a: Any, n: int = 1, axis: int = -1) -> Tensor:
    """The ``n``-th discrete difference along ``axis`` (``a[1:] - a[:-1]``, ``n`` times);
    keeps the dtype (bool gives ``a[1:] != a[:-1]``). Example: ``diff([1, 4, 9])`` -> ``[3, 5]``.
    """
    tensor = to_operand_tensor(a, "diff")
    n = as_int(n, "diff", "n")
    if n < 0:
        raise ValueError(f"diff: the order `n` must be non-negative. Received: n={n}")
    if tensor.ndim == 0:
        raise ValueError("diff: needs a tensor of rank >= 1. Received a scalar")
    axis = normalize_axis(axis, tensor.ndim, "diff")
    if tensor.dtype == "bool":
        return record(backend.xp().diff(tensor.data, n=n, axis=axis), (tensor,), None, "diff")
    head = (slice(None),) * axis
    for _ in range(n):
        tensor = subtract(slice_by_key(tensor, head + (slice(1, None),)),
                          slice_by_key(tensor, head + (slice(None, -1),)))
    return tensor


def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Tensor:
    """Integral of ``y`` along ``axis`` by the trapezoidal rule, at sample points ``x``
    (1-d, or ``y``'s shape) or spacing ``dx``. Ints give floatx().

    Example: ``trapezoid([1., 2., 3.])`` -> ``4.0``.
    """
    values = float_result(to_operand_tensor(y, "trapezoid"))
    if values.ndim == 0:
        raise ValueError("trapezoid: `y` needs rank >= 1. Received a scalar")
    axis = normalize_axis(axis, values.ndim, "trapezoid")
    head = (slice(None),) * axis
    pairs = add(slice_by_key(values, head + (slice(1, None),)),
                slice_by_key(values, head + (slice(None, -1),)))
    if x is None:
        step = dx if not isinstance(dx, Tensor) else cast(dx, values.dtype)
    else:
        points = cast(to_operand_tensor(x, "trapezoid"), values.dtype)
        if points.ndim == 1:
            if points.shape[0] != values.shape[axis]:
                raise ValueError(f"trapezoid: 1-d `x` needs {values.shape[axis]} points (the "
                                 f"length of `y` along axis {axis}). Received {points.shape[0]}")
            view = [1] * values.ndim
            view[axis] = -1
            step = reshape(diff(points), view)
        else:
            step = diff(points, axis=axis)
    return divide(sum(multiply(pairs, step), axis=axis), 2.0)


def histogram(x: Any, bins: int = 10, range: Any = None) -> tuple[Tensor, Tensor]:  # noqa: A002
    """Counts of the values of a 1-d ``x`` in ``bins`` equal-width bins over ``range``
    (default ``(min, max)``), and the ``bins + 1`` bin edges; both in ``x``'s float dtype
    (floatx() for ints). The last bin includes its right edge. No gradient.
    """
    tensor = to_operand_tensor(x, "histogram")
    if tensor.ndim != 1:
        raise ValueError(f"histogram: expected a 1-d tensor. Received shape {tensor.shape}")
    bins = as_int(bins, "histogram", "bins")
    if bins < 1:
        raise ValueError(f"histogram: `bins` must be a positive int. Received: bins={bins}")
    if range is not None and (len(range) != 2 or float(range[0]) > float(range[1])):
        raise ValueError(f"histogram: `range` must be (min, max) with min <= max. "
                         f"Received: range={range!r}")
    dtype = tensor.dtype if tensor.data.dtype.kind == "f" else backend.floatx()
    bounds = None if range is None else (float(range[0]), float(range[1]))
    counts, edges = backend.xp().histogram(tensor.data, bins=bins, range=bounds)
    return Tensor(counts.astype(dtype)), Tensor(edges.astype(dtype))


def bincount(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> Tensor:
    """Occurrences of each value ``0 .. max(x)`` in a non-negative integer ``x`` (1-d, or 2-d
    counted per row), summing ``weights`` instead of ones when given; at least ``minlength``
    bins. int32 without weights, else the promoted dtype; differentiable in ``weights``.
    """
    if sparse:
        raise ValueError("bincount: sparse=True is not supported by gpulayers")
    tensor = to_operand_tensor(x, "bincount")
    check_integer_dtype(tensor.data, "bincount", "x")
    if tensor.ndim not in (1, 2):
        raise ValueError(f"bincount: expected a 1-d or 2-d tensor. Received shape {tensor.shape}")
    xp = backend.xp()
    labels = tensor.data
    if labels.size and int(labels.min()) < 0:
        raise ValueError(f"bincount: `x` must be non-negative. Received min {int(labels.min())}")
    length = builtins_max(as_int(minlength, "bincount", "minlength"),
                          int(labels.max()) + 1 if labels.size else 0)
    rows = labels.shape[0] if labels.ndim == 2 else 1
    flat = (labels + (xp.arange(rows)[:, None] * length if labels.ndim == 2 else 0)).reshape(-1)
    shape = (rows, length) if labels.ndim == 2 else (length,)
    if weights is None:
        out = xp.zeros(rows * length, dtype="int32")
        backend.primitives("scatter").scatter_add(out, flat, 1)
        return Tensor(out.reshape(shape))
    weights = to_operand_tensor(weights, "bincount")
    if weights.shape != tensor.shape:
        raise ValueError(f"bincount: `weights` must have the shape of `x`. Received: "
                         f"x.shape={tensor.shape}, weights.shape={weights.shape}")
    dtype = result_type(tensor, weights, op_name="bincount")
    out = xp.zeros(rows * length, dtype=dtype)
    backend.primitives("scatter").scatter_add(out, flat, weights.data.astype(dtype).reshape(-1))
    return record(out.reshape(shape), (tensor, weights), lambda grad: (
        None, grad.reshape(-1)[flat].reshape(weights.shape)), name="bincount")


def builtins_max(first: int, second: int) -> int:
    """The larger int (this module's ``max`` is the tensor reduction)."""
    return first if first >= second else second


def digitize(x: Any, bins: Any) -> Tensor:
    """The int32 index of the bin each value of ``x`` falls in (``bins`` 1-d and monotonic):
    ``i`` such that ``bins[i-1] <= x < bins[i]`` for increasing bins. No gradient.
    """
    tensor = to_operand_tensor(x, "digitize")
    edges = to_operand_tensor(bins, "digitize")
    if edges.ndim != 1:
        raise ValueError(f"digitize: `bins` must be 1-d. Received shape {edges.shape}")
    return Tensor(backend.xp().digitize(tensor.data, edges.data).astype("int32"))
