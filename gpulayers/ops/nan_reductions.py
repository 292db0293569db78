"""Reductions that ignore NaNs: nansum, nanprod, nanmean, nanvar, nanstd, nanmax, nanmin,
nanargmax, nanargmin, nancumsum, nancumprod, nanmedian, nanquantile, nanpercentile.

Each replaces the NaNs by the reduction's neutral value (0 for sums, 1 for products, -inf/+inf
for max/min) or leaves them out of the count, then reduces with the ordinary op, so gradients
reach every non-NaN element and never the NaNs. A slice with no number at all gives NaN
(nanmean, nanvar, nanstd, nanmax, nanmin, nanmedian, ...) or -1 (nanargmax/nanargmin), like
Keras. Integer and bool inputs hold no NaN: they reduce as the plain op would.

Example::

    ops.nanmean([1., float("nan"), 3.])     # 2.0
    ops.nanmax([[float("nan"), 2.]], axis=1)   # [2.]
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.arithmetic import divide, logical_not, multiply, subtract
from gpulayers.ops.casting import cast
from gpulayers.ops.cumulative import cumprod, cumsum
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.reductions import all as all_of
from gpulayers.ops.reductions import (  # noqa: A004
    argmax,
    argmin,
    max,
    min,
    normalize_axes,
    prod,
    sum,
)
from gpulayers.ops.selection import where
from gpulayers.ops.statistics import float_result, quantile_along
from gpulayers.ops.unary import isnan, sqrt

__all__ = ["nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean",
           "nanmedian", "nanmin", "nanpercentile", "nanprod", "nanquantile", "nanstd",
           "nansum", "nanvar"]


def _tensor(x: Any, name: str, axis: Any = None) -> tuple[Tensor, bool]:
    """The operand (``axis`` checked against it, errors naming ``name``) and whether it can
    hold NaNs (a float dtype)."""
    tensor = to_operand_tensor(x, name)
    normalize_axes(axis, tensor.ndim, name)
    return tensor, tensor.data.dtype.kind == "f"


def _filled(tensor: Tensor, value: float) -> Tensor:
    return where(isnan(tensor), value, tensor)


def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` treating NaNs as 0 (dtypes as :func:`sum`)."""
    tensor, floating = _tensor(x, "nansum", axis)
    return sum(_filled(tensor, 0.0) if floating else tensor, axis=axis, keepdims=keepdims)


def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Product over ``axis`` treating NaNs as 1 (dtypes as :func:`prod`)."""
    tensor, floating = _tensor(x, "nanprod", axis)
    return prod(_filled(tensor, 1.0) if floating else tensor, axis=axis, keepdims=keepdims)


def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean of the non-NaN values over ``axis`` (ints give floatx(); all-NaN gives NaN)."""
    tensor, _ = _tensor(x, "nanmean", axis)
    values = float_result(tensor)
    present = logical_not(isnan(values))
    count = sum(cast(present, values.dtype), axis=axis, keepdims=keepdims)
    return divide(sum(where(present, values, 0.0), axis=axis, keepdims=keepdims), count)


def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population variance of the non-NaN values over ``axis`` (ints give floatx())."""
    tensor, _ = _tensor(x, "nanvar", axis)
    values = float_result(tensor)
    present = logical_not(isnan(values))
    count = sum(cast(present, values.dtype), axis=axis, keepdims=keepdims)
    center = divide(sum(where(present, values, 0.0), axis=axis, keepdims=True),
                    sum(cast(present, values.dtype), axis=axis, keepdims=True))
    deviation = where(present, subtract(values, center), 0.0)
    return divide(sum(multiply(deviation, deviation), axis=axis, keepdims=keepdims), count)


def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population standard deviation of the non-NaN values over ``axis``."""
    return sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _extremum(name: str, x: Any, axis: Any, keepdims: bool) -> Tensor:
    tensor, floating = _tensor(x, name, axis)
    reduce = max if name == "nanmax" else min
    if not floating:
        return reduce(tensor, axis=axis, keepdims=keepdims)
    missing = isnan(tensor)
    out = reduce(where(missing, float("-inf") if name == "nanmax" else float("inf"), tensor),
                 axis=axis, keepdims=keepdims)
    return where(all_of(missing, axis=axis, keepdims=keepdims), float("nan"), out)


def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Maximum of the non-NaN values over ``axis`` (NaN where all are NaN); keeps the dtype."""
    return _extremum("nanmax", x, axis, keepdims)


def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Minimum of the non-NaN values over ``axis`` (NaN where all are NaN); keeps the dtype."""
    return _extremum("nanmin", x, axis, keepdims)


def _arg_extremum(name: str, x: Any, axis: Any, keepdims: bool) -> Tensor:
    tensor, floating = _tensor(x, name, axis)
    pick = argmax if name == "nanargmax" else argmin
    if not floating:
        return pick(tensor, axis=axis, keepdims=keepdims)
    xp = backend.xp()
    missing = xp.isnan(tensor.data)
    fill = -xp.inf if name == "nanargmax" else xp.inf
    index = pick(Tensor(xp.where(missing, fill, tensor.data)), axis=axis, keepdims=keepdims)
    if axis is None:
        empty = missing.all().reshape(index.shape)
    else:
        empty = missing.all(axis=axis, keepdims=keepdims)
    return Tensor(xp.where(empty, -1, index.data).astype("int32"))


def nanargmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """int32 index of the largest non-NaN value along ``axis`` (-1 where all are NaN)."""
    return _arg_extremum("nanargmax", x, axis, keepdims)


def nanargmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """int32 index of the smallest non-NaN value along ``axis`` (-1 where all are NaN)."""
    return _arg_extremum("nanargmin", x, axis, keepdims)


def _cumulative(name: str, x: Any, axis: Any, dtype: Any) -> Tensor:
    tensor, floating = _tensor(x, name, axis)
    if dtype is None:  # Keras keeps the dtype here (int8 stays int8); only bool counts in int32
        dtype = "int32" if tensor.dtype == "bool" else tensor.dtype
    function = cumsum if name == "nancumsum" else cumprod
    values = _filled(tensor, 0.0 if name == "nancumsum" else 1.0) if floating else tensor
    return function(values, axis=axis, dtype=dtype)


def nancumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``axis`` (flattened when None) treating NaNs as 0."""
    return _cumulative("nancumsum", x, axis, dtype)


def nancumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative product along ``axis`` (flattened when None) treating NaNs as 1."""
    return _cumulative("nancumprod", x, axis, dtype)


def nanquantile(x: Any, q: Any, axis: Any = None, method: str = "linear",
                keepdims: bool = False) -> Tensor:
    """Quantiles (fractions in [0, 1]) of the non-NaN values; see ``ops.quantile``."""
    return quantile_along("nanquantile", x, q, axis, method, keepdims, ignore_nan=True)


def nanpercentile(x: Any, q: Any, axis: Any = None, method: str = "linear",
                  keepdims: bool = False) -> Tensor:
    """Percentiles (in [0, 100]) of the non-NaN values; see ``ops.percentile``."""
    fractions = backend.to_numpy(q.data if isinstance(q, Tensor) else q) / 100.0
    return quantile_along("nanpercentile", x, fractions, axis, method, keepdims,
                          ignore_nan=True)


def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Median of the non-NaN values over ``axis`` (NaN where all are NaN)."""
    return quantile_along("nanmedian", x, 0.5, axis, "linear", keepdims, ignore_nan=True)
