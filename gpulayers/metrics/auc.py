"""AUC: the area under the ROC or precision-recall curve, computed the Keras way.

The curve is sampled at ``num_thresholds`` thresholds evenly spaced over [0, 1] (the end
ones nudged to ``-epsilon`` and ``1 + epsilon`` so that predictions of exactly 0 and 1 fall
inside): confusion counts are kept per threshold (:mod:`gpulayers.metrics.confusion_counts`)
and the area is a Riemann sum over the threshold intervals: trapezoids
(``'interpolation'``), or the lower (``'minoring'``) or upper (``'majoring'``) rectangle.
For the PR curve, ``'interpolation'`` uses Davis & Goadrich's (2006) interpolation of
precision between thresholds instead of trapezoids.

Example::

    m = AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    m.result()                                       # 0.75
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.losses.reduction import divide_no_nan
from gpulayers.metrics.confusion_counts import (
    is_evenly_distributed,
    parse_thresholds,
    update_confusion_counts,
)
from gpulayers.metrics.metric import Metric

__all__ = ["AUC"]

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = {"interpolation": "interpolation", "majoring": "majoring",
               "minoring": "minoring"}


def _choice(value: Any, choices: dict[str, str], argument: str, owner: str) -> str:
    key = getattr(value, "value", value)  # Keras's AUCCurve / AUCSummationMethod enums
    if not isinstance(key, str) or key.lower() not in choices:
        raise ValueError(f"{owner}: invalid value for argument `{argument}`. Expected one of "
                         f"{sorted(set(choices.values()))}. Received: {argument}={value!r}")
    return choices[key.lower()]


class AUC(Metric):
    """Area under the ROC curve (or the precision-recall curve) of a binary classifier.

    Args:
        num_thresholds: how many thresholds sample the curve (> 1); more is more precise.
        curve: ``'ROC'`` (true- vs false-positive rate), ``'PR'`` (precision vs recall) or
            ``'PRGAIN'`` (precision gain vs recall gain).
        summation_method: ``'interpolation'`` (default), ``'minoring'`` or ``'majoring'``.
        name: the metric's name. dtype: its dtype.
        thresholds: explicit thresholds in [0, 1] (then ``num_thresholds`` is their number
            plus 2 for the end points).
        multi_label: with ``(batch, labels)`` inputs, compute one AUC per label and average
            them, instead of pooling all predictions into one curve.
        num_labels: the number of labels, to create the state before the first update
            (otherwise the first ``y_pred`` tells).
        label_weights: per-label weights: for the pooled curve they weight each label's
            predictions; with ``multi_label`` they weight the average of the per-label AUCs.
        from_logits: ``y_pred`` holds logits (a sigmoid is applied first).

    Example::

        m = AUC(num_thresholds=3)
        m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        m.result()                             # 0.75
        AUC(curve="PR", multi_label=True, num_labels=3)
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: Sequence[float] | None = None,
                 multi_label: bool = False, num_labels: int | None = None,
                 label_weights: Any = None, from_logits: bool = False) -> None:
        owner = "AUC" + (f" {name!r}" if name else "")
        curve = _choice(curve, _CURVES, "curve", owner)
        summation_method = _choice(summation_method, _SUMMATIONS, "summation_method", owner)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(parse_thresholds(list(thresholds), 0.5, owner))
            self.num_thresholds = len(inner) + 2
            self._clip = is_evenly_distributed([0.0, *inner, 1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds,
                                                                  numbers.Integral) \
                    or num_thresholds <= 1:
                raise ValueError(f"{owner}: `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds!r}")
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
            self._clip = True
        if not multi_label and num_labels:
            raise ValueError(f"{owner}: `num_labels` is needed only when `multi_label` is True. "
                             f"Received: num_labels={num_labels!r}")
        epsilon = backend.epsilon()
        self._thresholds = [0.0 - epsilon, *inner, 1.0 + epsilon]
        super().__init__(name=name, dtype=dtype)
        self._threshold_values = ops.convert_to_tensor(self._thresholds, dtype=self.dtype)
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            convert_to_tensor(label_weights, self.dtype)
        self._from_logits = bool(from_logits)
        self._built = False
        if not self.multi_label:
            self._build(None)
        elif num_labels:
            self._build((None, num_labels))

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, end points included."""
        return list(self._thresholds)

    def _build(self, shape: tuple[int | None, ...] | None) -> None:
        if self.multi_label:
            if shape is None or len(shape) != 2:
                raise ValueError(f"AUC {self.name!r}: `y_pred` must have rank 2 when "
                                 f"multi_label=True. Received: y_pred.shape={shape}")
            self._num_labels = int(shape[1])
            variable_shape: tuple[int, ...] = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(variable_shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(variable_shape, "zeros",
                                                 name="false_positives")
        self.true_negatives = self.add_variable(variable_shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(variable_shape, "zeros",
                                                 name="false_negatives")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's confusion counts at every threshold."""
        y_pred = convert_to_tensor(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self.multi_label and (y_pred.ndim != 2 or y_pred.shape[1] != self._num_labels):
            raise ValueError(f"AUC {self.name!r}: with multi_label=True `y_pred` must have "
                             f"shape (batch, {self._num_labels}). Received: {y_pred.shape}")
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        counts = {"tp": self.true_positives, "fp": self.false_positives,
                  "tn": self.true_negatives, "fn": self.false_negatives}
        update_confusion_counts(
            counts, y_true, y_pred, self._threshold_values, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            clip_predictions=self._clip, owner=f"AUC {self.name!r}")

    def _average_labels(self, terms: Tensor) -> Tensor:
        if not self.multi_label:
            return ops.sum(terms)
        by_label = ops.sum(terms, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        return divide_no_nan(ops.sum(ops.multiply(by_label, self.label_weights)),
                             ops.sum(self.label_weights))

    def _interpolate_pr_auc(self) -> Tensor:
        """Davis & Goadrich's interpolated area under the PR curve, interval by interval."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        predicted = tp + fp
        d_predicted = predicted[:-1] - predicted[1:]
        slope = divide_no_nan(dtp, ops.maximum(d_predicted, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both_positive = ops.logical_and(ops.greater(predicted[:-1], 0),
                                        ops.greater(predicted[1:], 0))
        ratio = ops.where(both_positive,
                          divide_no_nan(predicted[:-1], ops.maximum(predicted[1:], 0)), 1)
        increments = divide_no_nan(slope * (dtp + intercept * ops.log(ratio)),
                                   ops.maximum(tp[1:] + fn[1:], 0))
        return self._average_labels(increments)

    def result(self) -> Tensor:
        if not self._built:
            return ops.zeros((), dtype=self.dtype)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:
            scale = divide_no_nan(tp + fn, tn + fp)
            no_tp = ops.equal(tp, 0)
            recall_gain = ops.where(no_tp, 0, 1.0 - scale * divide_no_nan(fn, tp))
            precision_gain = ops.where(no_tp, 1, 1.0 - scale * divide_no_nan(fp, tp))
            x, y = ops.maximum(recall_gain, 0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[:-1], y[1:])
        else:
            heights = ops.maximum(y[:-1], y[1:])
        return self._average_labels((x[:-1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        label_weights = None if self.label_weights is None else \
            self.label_weights.numpy().tolist()
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": label_weights,
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
