"""Thresholded classification metrics: TruePositives, FalsePositives, TrueNegatives,
FalseNegatives, Precision, Recall.

Predictions above a threshold (0.5 by default) count as positive; labels are read as
booleans. Give several ``thresholds`` to get one value per threshold. ``top_k`` (Precision,
Recall) makes only each row's ``k`` highest predictions eligible; ``class_id`` restricts
``(samples, classes)`` inputs to one class.

Example::

    p = Precision()
    p.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    p.result()                                  # 2 / 3
    Recall(thresholds=[0.3, 0.7])([0, 1, 1], [0.5, 0.4, 0.9])     # [1.0, 0.5]
"""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.losses.reduction import divide_no_nan
from gpulayers.metrics.confusion_counts import (
    NEG_INF,
    is_evenly_distributed,
    parse_thresholds,
    update_confusion_counts,
)
from gpulayers.metrics.metric import Metric

__all__ = ["FalseNegatives", "FalsePositives", "Precision", "Recall", "TrueNegatives",
           "TruePositives"]


def _per_threshold(values: Tensor, thresholds: list[float]) -> Tensor:
    """A scalar for a single threshold, else one value per threshold (as Keras returns)."""
    return values[0] if len(thresholds) == 1 else ops.copy(values)


def _optional_int(value: Any, argument: str, owner: str, minimum: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or (minimum is not None and value < minimum):
        expected = "an integer" if minimum is None else f"an integer >= {minimum}"
        raise ValueError(f"{owner}: `{argument}` must be {expected} or None. "
                         f"Received: {argument}={value!r}")
    return int(value)


class _ThresholdedMetric(Metric):
    """Shared setup: thresholds (validated, kept as a device tensor) and count Variables."""

    def __init__(self, counts: tuple[str, ...], thresholds: Any, default: float,
                 name: str | None, dtype: Any) -> None:
        super().__init__(name=name, dtype=dtype)
        owner = f"{type(self).__name__} {self.name!r}"
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, default, owner)
        self._clip = is_evenly_distributed(self.thresholds)
        self._threshold_values = ops.convert_to_tensor(self.thresholds, dtype=self.dtype)
        names = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives",
                 "fn": "false_negatives"}
        self._counts = {}
        for key in counts:
            self._counts[key] = self.add_variable((len(self.thresholds),), "zeros",
                                                  name=names[key])

    def _update(self, y_true: Any, y_pred: Any, sample_weight: Any, top_k: int | None = None,
                class_id: int | None = None) -> None:
        update_confusion_counts(self._counts, y_true, y_pred, self._threshold_values,
                                top_k=top_k, class_id=class_id, sample_weight=sample_weight,
                                clip_predictions=self._clip,
                                owner=f"{type(self).__name__} {self.name!r}")


class _ConditionCount(_ThresholdedMetric):
    """The (weighted) number of predictions meeting one confusion-matrix condition."""

    _condition = "tp"

    def __init__(self, thresholds: Any = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__((self._condition,), thresholds, 0.5, name, dtype)
        self.accumulator = self._counts[self._condition]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's (weighted) count for every threshold."""
        self._update(y_true, y_pred, sample_weight)

    def result(self) -> Tensor:
        return _per_threshold(self.accumulator, self.thresholds)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """The (weighted) number of positive labels predicted positive (``p > threshold``).

    Args:
        thresholds: a number or list of numbers in [0, 1] (default 0.5); a list gives one
            count per threshold.
        name: the metric's name. dtype: its dtype.

    Example: ``TruePositives()([0, 1, 1, 1], [1, 0, 1, 1]) -> 2.0``.
    """

    _condition = "tp"


class FalsePositives(_ConditionCount):
    """The (weighted) number of negative labels predicted positive.

    Args: thresholds, name, dtype: see :class:`TruePositives`.

    Example: ``FalsePositives()([0, 1, 0, 0], [0, 0, 1, 1]) -> 2.0``.
    """

    _condition = "fp"


class TrueNegatives(_ConditionCount):
    """The (weighted) number of negative labels predicted negative.

    Args: thresholds, name, dtype: see :class:`TruePositives`.

    Example: ``TrueNegatives()([0, 1, 0, 0], [1, 1, 0, 0]) -> 2.0``.
    """

    _condition = "tn"


class FalseNegatives(_ConditionCount):
    """The (weighted) number of positive labels predicted negative.

    Args: thresholds, name, dtype: see :class:`TruePositives`.

    Example: ``FalseNegatives()([0, 1, 1, 1], [0, 1, 0, 0]) -> 2.0``.
    """

    _condition = "fn"


class _PrecisionRecall(_ThresholdedMetric):
    """Precision and Recall: TP over (TP + FP) or (TP + FN), per threshold."""

    _other = "fp"

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        owner = type(self).__name__ + (f" {name!r}" if name else "")
        self.top_k = _optional_int(top_k, "top_k", owner, 1)
        self.class_id = _optional_int(class_id, "class_id", owner, None)
        # With top_k, every kept prediction counts as positive unless thresholds are given.
        default = 0.5 if top_k is None else NEG_INF
        super().__init__(("tp", self._other), thresholds, default, name, dtype)
        self.true_positives = self._counts["tp"]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's (weighted) counts for every threshold."""
        self._update(y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id)

    def result(self) -> Tensor:
        other = self._counts[self._other]
        ratio = divide_no_nan(self.true_positives, ops.add(self.true_positives, other))
        return _per_threshold(ratio, self.thresholds)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """The fraction of positive predictions whose label is positive: TP / (TP + FP).

    Args:
        thresholds: a number or list of numbers in [0, 1] (default 0.5, or "every top-k
            prediction" with ``top_k``); a list gives one precision per threshold.
        top_k: only each row's ``k`` highest predictions can be positive.
        class_id: compute the precision of this class of ``(samples, classes)`` inputs.
        name: the metric's name. dtype: its dtype.

    Example: ``Precision()([0, 1, 1, 1], [1, 0, 1, 1]) -> 0.667``;
    ``Precision(top_k=2)([[0, 0, 1, 1]], [[0.1, 0.9, 0.8, 0.2]]) -> 0.5``.
    """

    _other = "fp"

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(thresholds, top_k, class_id, name, dtype)
        self.false_positives = self._counts["fp"]


class Recall(_PrecisionRecall):
    """The fraction of positive labels predicted positive: TP / (TP + FN).

    Args: thresholds, top_k, class_id, name, dtype: see :class:`Precision`.

    Example: ``Recall()([0, 1, 1, 1], [1, 0, 1, 1]) -> 0.667``.
    """

    _other = "fn"

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(thresholds, top_k, class_id, name, dtype)
        self.false_negatives = self._counts["fn"]
