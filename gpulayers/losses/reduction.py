"""Weighting, masking and reducing per-sample loss values, as Keras 3 does it.

``reduce_weighted_values(values, sample_weight, mask, reduction)``:

1. A mask (from ``y_pred._keras_mask`` or the loss itself) becomes weights: for the mean
   reductions a kept position weighs ``total / kept`` and a masked one 0, so the mean over all
   positions equals the mean over the kept ones; otherwise kept = 1, masked = 0. The mask
   weights multiply ``sample_weight``.
2. ``values * sample_weight`` after aligning ranks (a trailing size-1 axis is squeezed or added;
   a lower-rank weight, e.g. one per sample for per-timestep values, lines up with the
   leading axes).
3. ``'sum'`` sums; ``'sum_over_batch_size'`` and ``'mean'`` divide the sum by the number of
   values; ``'mean_with_sample_weight'`` by the sum of the weights as applied (a scalar
   weight counts once per value); ``'none'``/``None``
   return the weighted values. A division by 0 gives 0.

Example::

    reduce_weighted_values(ops.convert_to_tensor([1.0, 3.0]), sample_weight=[1.0, 0.0])  # 0.5
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor, convert_to_tensor

__all__ = ["REDUCTIONS", "apply_mask", "divide_no_nan", "reduce_values",
           "reduce_weighted_values", "squeeze_or_expand_to_same_rank"]

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def squeeze_or_expand_to_same_rank(x1: Tensor, x2: Tensor,
                                   expand_rank_1: bool = True) -> tuple[Tensor, Tensor]:
    """Keras's rule for ranks that differ by one because of a trailing size-1 axis.

    The higher-rank tensor loses its trailing 1, except that a rank-1 partner gains one
    instead when ``expand_rank_1`` (so ``(batch,)`` and ``(batch, 1)`` meet at
    ``(batch, 1)``). Other rank differences are left alone.

    Args: x1, x2: the two tensors. expand_rank_1: expand a rank-1 partner instead of
    squeezing. Example: shapes ``(4, 3, 1)`` and ``(4, 3)`` -> ``(4, 3)`` and ``(4, 3)``.
    """
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            return x1, ops.expand_dims(x2, -1)
        return ops.squeeze(x1, -1), x2
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            return ops.expand_dims(x1, -1), x2
        return x1, ops.squeeze(x2, -1)
    return x1, x2


def divide_no_nan(numerator: Any, denominator: Any) -> Tensor:
    """``numerator / denominator``, with 0 where the denominator is 0 (no warnings, no NaN).

    Args: numerator, denominator: tensors or numbers (broadcast together).
    Example: ``divide_no_nan([1.0, 2.0], [2.0, 0.0]) -> [0.5, 0.0]``.
    """
    return ops.divide_no_nan(numerator, denominator)


def _broadcastable(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    for a, b in zip(reversed(shape), reversed(target)):
        if a != b and a != 1 and b != 1:
            return False
    return True


def _align_weights(values: Tensor, weights: Tensor, owner: str,
                   what: str = "sample_weight") -> tuple[Tensor, Tensor]:
    """``values`` and ``weights`` with ranks aligned for an elementwise product (see module)."""
    values, weights = squeeze_or_expand_to_same_rank(values, weights)
    if weights.ndim < values.ndim and weights.shape == values.shape[:weights.ndim]:
        # One weight per sample for per-sample-and-timestep values: line up the leading axes
        # (Keras would broadcast from the right, which pairs the wrong axes).
        weights = ops.reshape(weights, weights.shape + (1,) * (values.ndim - weights.ndim))
    if not _broadcastable(weights.shape, values.shape):
        raise ValueError(f"{owner}: `{what}` of shape {weights.shape} does not fit the loss "
                         f"values of shape {values.shape}; expected a scalar, one weight per "
                         "sample or one per value.")
    return values, weights


def apply_mask(sample_weight: Any, mask: Any, dtype: str, reduction: str | None,
               owner: str = "loss") -> Tensor | None:
    """Merge a boolean ``mask`` into ``sample_weight`` (see the module docstring, step 1).

    Args:
        sample_weight: None or weights. mask: None or a boolean tensor.
        dtype: the weights' dtype. reduction: the reduction they will be used with.
        owner: the loss or metric's name, for error messages.

    Example: ``apply_mask(None, [True, False], "float32", "sum") -> [1.0, 0.0]``.
    """
    if mask is None:
        return None if sample_weight is None else convert_to_tensor(sample_weight, dtype)
    mask = ops.cast(convert_to_tensor(mask), "bool")
    if reduction in ("mean", "sum_over_batch_size"):
        total = float(math.prod(mask.shape))  # static shape: no device round trip
        kept = ops.sum(ops.cast(mask, dtype))
        float_mask = ops.where(mask, divide_no_nan(ops.cast(total, dtype), kept), 0)
    else:
        float_mask = ops.cast(mask, dtype)
    float_mask = ops.cast(float_mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = convert_to_tensor(sample_weight, dtype)
    float_mask, sample_weight = _align_weights(float_mask, sample_weight, owner)
    return ops.multiply(sample_weight, float_mask)


def reduce_values(values: Tensor, sample_weight: Tensor | None = None,
                  reduction: str | None = "sum_over_batch_size") -> Tensor:
    """Step 3 of the module docstring. Scalars and empty vectors are returned unreduced.

    Args: values: weighted values. sample_weight: the weights applied (for
    ``'mean_with_sample_weight'``). reduction: one of :data:`REDUCTIONS`.
    Example: ``reduce_values(ops.convert_to_tensor([1.0, 3.0]), reduction="sum") -> 4.0``.
    """
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return divide_no_nan(total, ops.cast(ops.sum(sample_weight), total.dtype))
    # The count is static and positive here (empty values returned above): one plain
    # division by a Python number, not a cast plus a guarded division on the device.
    return total / float(math.prod(values.shape))


def reduce_weighted_values(values: Any, sample_weight: Any = None, mask: Any = None,
                           reduction: str | None = "sum_over_batch_size",
                           dtype: str | None = None, owner: str = "loss") -> Tensor:
    """Weight ``values`` by ``sample_weight`` and ``mask``, then reduce (module docstring).

    Args:
        values: per-sample loss values (a Tensor; gradients flow through it).
        sample_weight: None, a scalar, one weight per sample or one per value.
        mask: None or a boolean tensor shaped like ``values`` (or broadcastable to it).
        reduction: one of :data:`REDUCTIONS`.
        dtype: the dtype to compute in; ``values``'s own by default.
        owner: the loss's name, for error messages.

    Example: ``reduce_weighted_values(v, mask=m)`` is the mean of ``v`` over the kept
    positions.
    """
    values = convert_to_tensor(values)
    dtype = dtype or values.dtype
    if values.dtype != dtype:
        values = ops.cast(values, dtype)
    sample_weight = apply_mask(sample_weight, mask, dtype, reduction, owner)
    if sample_weight is not None:
        values, sample_weight = _align_weights(values, sample_weight, owner)
        values = ops.multiply(values, sample_weight)
        if reduction == "mean_with_sample_weight":
            # Divide by the weights as applied: Keras sums a scalar weight once, making
            # "mean" depend on the batch size.
            sample_weight = ops.broadcast_to(sample_weight, values.shape)
    return reduce_values(values, sample_weight, reduction)
