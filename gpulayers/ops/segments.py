"""Segment reductions (Keras 3 ``keras.ops`` names): segment_sum, segment_max, segment_min,
segment_prod.

Row ``i`` of ``data`` belongs to segment ``segment_ids[i]``; the result has one row per
segment, ``(num_segments,) + data.shape[1:]``, in ``data``'s dtype. Ids outside
``[0, num_segments)`` are dropped (as Keras's torch backend does). Empty segments hold the
reduction's identity: 0 (sum), 1 (prod), -inf / +inf for floats (max / min), the dtype's
smallest / largest value for integers.

Gradients: sum scatters back; max and min split a segment's gradient evenly among its tied
extreme rows; prod uses products of the other rows (safe with zeros).

Example::

    ops.segment_sum([1, 2, 10, 20], [0, 0, 1, 1])          # [3, 30]
    ops.segment_max(x, ids, num_segments=4)                  # (4,) + x.shape[1:]
"""

from __future__ import annotations

import operator
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.broadcasting import reduce_grad_to_input
from gpulayers.ops.dtypes import to_operand_tensor

__all__ = ["segment_max", "segment_min", "segment_prod", "segment_sum"]


def _scatter(target: Any, index: Any, values: Any, reduction: str) -> Any:
    backend.primitives("segments").scatter_reduce(target, index, values, reduction)
    return target


def _identity(reduction: str, dtype: Any) -> Any:
    xp = backend.xp()
    if reduction == "sum":
        return 0
    if reduction == "prod":
        return 1
    if dtype.kind == "f":
        return -xp.inf if reduction == "max" else xp.inf
    if dtype.kind == "b":
        return reduction == "min"
    info = xp.iinfo(dtype)
    return info.min if reduction == "max" else info.max


def _operands(name: str, data: Any, segment_ids: Any,
              num_segments: Any) -> tuple[Tensor, Tensor, Any, int]:
    tensor = to_operand_tensor(data, name)
    ids = to_operand_tensor(segment_ids, name)
    if ids.data.dtype.kind not in "iu":
        raise TypeError(f"{name}: `segment_ids` must be integers. Received dtype {ids.dtype}")
    if ids.ndim != 1:
        raise ValueError(f"{name}: `segment_ids` must be a 1-D vector. Received shape "
                         f"{ids.shape}; flatten data and ids first")
    if tensor.ndim < 1 or tensor.shape[0] != ids.shape[0]:
        raise ValueError(f"{name}: `segment_ids` and `data` must have the same leading "
                         f"dimension. Received {ids.shape} vs {tensor.shape}")
    if num_segments is None:
        count = int(ids.data.max()) + 1 if ids.shape[0] else 0
    else:
        try:
            count = operator.index(num_segments)
        except TypeError:
            raise TypeError(f"{name}: `num_segments` must be an int or None. Received: "
                            f"num_segments={num_segments!r}") from None
        if count < 0:
            raise ValueError(f"{name}: `num_segments` must be >= 0. Received: {count}")
    return tensor, ids, ids.data.astype("int64"), max(count, 0)


def _segment(name: str, reduction: str, data: Any, segment_ids: Any, num_segments: Any,
             sorted: bool) -> Tensor:  # noqa: A002 (Keras's argument name)
    """Shared by the four reductions; ``sorted`` is a hint only (the result is the same)."""
    xp = backend.xp()
    tensor, ids, index, count = _operands(name, data, segment_ids, num_segments)
    values = tensor.data
    valid = (index >= 0) & (index < count)
    kept = xp.nonzero(valid)[0]
    rows, kept_values = index[kept], values[kept]
    out = xp.full((count,) + values.shape[1:], _identity(reduction, values.dtype),
                  dtype=values.dtype)
    _scatter(out, rows, kept_values, reduction)
    if values.dtype.kind != "f":
        return record(out, (tensor, ids), None, name=name)

    def vjp(grad: Any) -> tuple[Any, None]:
        grad_kept = grad[rows]
        if reduction in ("max", "min"):
            winners = (kept_values == out[rows]).astype(grad.dtype)
            ties = _scatter(xp.zeros_like(out), rows, winners, "sum")
            grad_kept = winners * grad_kept / xp.maximum(ties[rows], 1)
        elif reduction == "prod":
            grad_kept = grad_kept * _products_of_others(kept_values, rows, out.shape)
        full = xp.zeros_like(values)
        full[kept] = grad_kept
        return reduce_grad_to_input(full, tensor), None

    return record(out, (tensor, ids), vjp, name=name)


def _products_of_others(values: Any, rows: Any, shape: tuple[int, ...]) -> Any:
    """For each row, the product of the other rows of its segment, without dividing by 0."""
    xp = backend.xp()
    zero = values == 0
    zeros = _scatter(xp.zeros(shape, dtype=values.dtype), rows,
                     zero.astype(values.dtype), "sum")[rows]
    nonzero_product = _scatter(xp.ones(shape, dtype=values.dtype), rows,
                               xp.where(zero, 1, values), "prod")[rows]
    divided = nonzero_product / xp.where(zero, 1, values)
    return xp.where(zeros == 0, divided,
                    xp.where(zero & (zeros == 1), nonzero_product, 0)).astype(values.dtype)


def segment_sum(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:  # noqa: A002
    """Sum of the rows of ``data`` in each segment.

    Args:
        data: tensor ``(N, ...)``.
        segment_ids: int tensor ``(N,)``: the segment of each row.
        num_segments: number of segments (default ``max(segment_ids) + 1``).
        sorted: whether ``segment_ids`` is sorted (a hint; results do not change).
    """
    return _segment("segment_sum", "sum", data, segment_ids, num_segments, sorted)


def segment_max(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:  # noqa: A002
    """Maximum of the rows of ``data`` in each segment (arguments as :func:`segment_sum`)."""
    return _segment("segment_max", "max", data, segment_ids, num_segments, sorted)


def segment_min(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:  # noqa: A002
    """Minimum of the rows of ``data`` in each segment (arguments as :func:`segment_sum`)."""
    return _segment("segment_min", "min", data, segment_ids, num_segments, sorted)


def segment_prod(data: Any, segment_ids: Any, num_segments: int | None = None,
                 sorted: bool = False) -> Tensor:  # noqa: A002
    """Product of the rows of ``data`` in each segment (arguments as :func:`segment_sum`)."""
    return _segment("segment_prod", "prod", data, segment_ids, num_segments, sorted)
