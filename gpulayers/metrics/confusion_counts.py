"""Thresholded confusion counts: the state behind Precision, Recall, AUC and TruePositives & co.

For every threshold ``t`` a prediction ``p`` counts as positive when ``p > t``; each sample's
weight is added to the true-positive, false-positive, true-negative or false-negative count of
that threshold. The counts are summed on the device into ``(num_thresholds,)`` Variables (or
``(num_thresholds, num_labels)`` for multi-label AUC), so nothing is read back to the host.

Example::

    tp = Variable(ops.zeros((3,)), trainable=False)
    update_confusion_counts({"tp": tp}, [1, 0, 1], [0.9, 0.6, 0.3],
                            thresholds=ops.convert_to_tensor([0.0, 0.5, 1.0]))
    tp                                                   # [2., 1., 0.]
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor, Variable, convert_to_tensor
from gpulayers.losses.reduction import squeeze_or_expand_to_same_rank

__all__ = ["CONDITIONS", "NEG_INF", "filter_top_k", "is_evenly_distributed",
           "parse_thresholds", "update_confusion_counts"]

NEG_INF = -1e10  # Keras's "below every threshold" value for predictions outside the top k
CONDITIONS = ("tp", "fp", "tn", "fn")


def parse_thresholds(thresholds: Any, default: float, owner: str) -> list[float]:
    """``thresholds`` (a number or a sequence of numbers in [0, 1]) as a list; ``default``
    when None. Raises ValueError naming ``owner`` and the offending values.

    Args: thresholds: the user's value. default: used for None. owner: for error messages.
    Example: ``parse_thresholds(0.7, 0.5, "Precision") -> [0.7]``.
    """
    if thresholds is None:
        return [float(default)]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    invalid = [t for t in values if isinstance(t, bool) or not isinstance(t, numbers.Real)
               or not 0 <= t <= 1]
    if invalid or not values:
        raise ValueError(f"{owner}: threshold values must be numbers in [0, 1]. "
                         f"Received: thresholds={thresholds!r} (invalid: {invalid})")
    return [float(t) for t in values]


def is_evenly_distributed(thresholds: list[float]) -> bool:
    """Whether ``thresholds`` are ``i / (n - 1)`` for ``i = 0..n-1`` (n >= 3), within epsilon.

    Keras then takes a bucketing path that clips predictions to [0, 1] first; clipping here
    too keeps the counts identical for predictions outside [0, 1].
    """
    n = len(thresholds)
    if n < 3:
        return False
    epsilon = backend.epsilon()
    return all(abs(t - i / (n - 1)) <= epsilon + 1e-5 * abs(i / (n - 1))
               for i, t in enumerate(thresholds))


def filter_top_k(x: Tensor, k: int) -> Tensor:
    """``x`` with every entry outside the ``k`` largest of its last axis set to
    :data:`NEG_INF` (so it is predicted negative at every threshold).

    Args: x: scores, classes on the last axis. k: how many to keep per row.
    Example: ``filter_top_k([[0.1, 0.9, 0.8]], 2) -> [[-1e10, 0.9, 0.8]]``.
    """
    classes = x.shape[-1]
    top = ops.argsort(ops.negative(x), axis=-1)
    top = top[..., :min(k, classes)]
    keep = ops.sum(ops.one_hot(top, classes, dtype=x.dtype), axis=-2)
    return ops.where(ops.greater(keep, 0), x, NEG_INF)


def _prepare(y_true: Any, y_pred: Any, sample_weight: Any, dtype: str, top_k: int | None,
             class_id: int | None, owner: str) -> tuple[Tensor, Tensor, Tensor | None]:
    y_true = ops.cast(convert_to_tensor(y_true), dtype)
    y_pred = ops.cast(convert_to_tensor(y_pred), dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{owner}: `y_true` and `y_pred` must have the same shape. "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    if sample_weight is not None:
        sample_weight = ops.expand_dims(ops.cast(convert_to_tensor(sample_weight), dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim < 2 or not -y_pred.shape[-1] <= class_id < y_pred.shape[-1]:
            raise ValueError(f"{owner}: with class_id={class_id}, `y_pred` must have shape "
                             f"(num_samples, num_classes) with class_id < num_classes. "
                             f"Received: y_pred.shape={y_pred.shape}")
        column = class_id % y_pred.shape[-1]
        y_true = y_true[..., column:column + 1]
        y_pred = y_pred[..., column:column + 1]
        if sample_weight is not None and sample_weight.ndim and sample_weight.shape[-1] > 1:
            sample_weight = sample_weight[..., column:column + 1]
    if sample_weight is not None:
        try:
            sample_weight = ops.broadcast_to(sample_weight, y_pred.shape)
        except ValueError:
            raise ValueError(f"{owner}: `sample_weight` of shape {sample_weight.shape} does "
                             f"not fit predictions of shape {y_pred.shape}; expected one weight "
                             "per sample or per prediction.") from None
    return y_true, y_pred, sample_weight


def update_confusion_counts(variables: Mapping[str, Variable], y_true: Any, y_pred: Any,
                            thresholds: Tensor, *, top_k: int | None = None,
                            class_id: int | None = None, sample_weight: Any = None,
                            multi_label: bool = False, label_weights: Tensor | None = None,
                            clip_predictions: bool = False, owner: str = "metric") -> None:
    """Add one batch's thresholded confusion counts to ``variables``.

    Args:
        variables: ``{'tp' | 'fp' | 'tn' | 'fn': Variable}`` to add to, each of shape
            ``(num_thresholds,)`` (``(num_thresholds, num_labels)`` when ``multi_label``).
        y_true: labels, read as booleans (nonzero = positive).
        y_pred: predictions, the same shape as ``y_true`` (up to a trailing 1).
        thresholds: 1-D tensor; ``p > t`` is a positive prediction.
        top_k: only the ``k`` highest predictions of each row can be positive.
        class_id: count only this column of ``(num_samples, num_classes)`` inputs.
        sample_weight: one weight per sample or per prediction.
        multi_label: keep one count per label (``y_pred`` of shape ``(batch, labels)``)
            instead of pooling every prediction.
        label_weights: per-label weights multiplied into the sample weights (pooled case).
        clip_predictions: clip ``y_pred`` to [0, 1] first (Keras's evenly-spaced path).
        owner: the metric's name for error messages.
    """
    unknown = [key for key in variables if key not in CONDITIONS]
    if unknown or not variables:
        raise ValueError(f"{owner}: confusion count keys must be among {CONDITIONS}. "
                         f"Received: {list(variables)}")
    dtype = next(iter(variables.values())).dtype
    y_true, y_pred, weights = _prepare(y_true, y_pred, sample_weight, dtype, top_k, class_id,
                                       owner)
    if clip_predictions:
        y_pred = ops.clip(y_pred, 0.0, 1.0)
    if label_weights is not None and not multi_label:
        label_weights = ops.broadcast_to(ops.cast(label_weights, dtype), y_pred.shape)
        weights = label_weights if weights is None else ops.multiply(weights, label_weights)
    if multi_label:
        layout, threshold_shape = (1, *y_pred.shape), (-1,) + (1,) * y_pred.ndim
    else:
        layout, threshold_shape = (1, -1), (-1, 1)
    predictions = ops.reshape(y_pred, layout)
    positive = ops.reshape(ops.cast(y_true, "bool"), layout)
    predicted = ops.greater(predictions, ops.reshape(ops.cast(thresholds, dtype),
                                                     threshold_shape))
    if weights is not None:
        weights = ops.reshape(weights, layout)
    label_side = {"tp": positive, "fn": positive,
                  "fp": ops.logical_not(positive), "tn": ops.logical_not(positive)}
    needs_negative = "fn" in variables or "tn" in variables
    predicted_negative = ops.logical_not(predicted) if needs_negative else None
    for key, variable in variables.items():
        decided = predicted if key in ("tp", "fp") else predicted_negative
        hit = ops.logical_and(label_side[key], decided)
        counts = ops.cast(hit, dtype) if weights is None else ops.where(hit, weights, 0)
        variable.assign_add(ops.sum(counts, axis=1))
