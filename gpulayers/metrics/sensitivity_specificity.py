"""One rate at a constraint on another: SensitivityAtSpecificity, SpecificityAtSensitivity,
PrecisionAtRecall, RecallAtPrecision (``keras.metrics``).

Confusion counts are kept for ``num_thresholds`` evenly spaced thresholds in [0, 1]
(predictions clipped to [0, 1]); the result is the best value of one rate over the thresholds
where the other rate reaches the requested value (0 when none does).

Example::

    m = PrecisionAtRecall(0.5)
    m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    m.result()                                   # 0.5
"""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.losses.reduction import divide_no_nan
from gpulayers.metrics.confusion_counts import update_confusion_counts
from gpulayers.metrics.metric import Metric

__all__ = ["PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
           "SpecificityAtSensitivity"]


class _SensitivitySpecificityBase(Metric):
    """The four confusion counts over evenly spaced thresholds, and the constrained max.

    Subclasses name their constraint (``_value_name``) and say which two rates they compare
    (``_constrained`` / ``_dependent``: one of ``'recall'``, ``'precision'``,
    ``'specificity'``; sensitivity is recall).
    """

    _value_name = "value"
    _constrained = "recall"
    _dependent = "precision"

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        owner = type(self).__name__ + (f" {name!r}" if name else "")
        argument = self._value_name
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not 0 <= value <= 1:
            raise ValueError(f"{owner}: argument `{argument}` must be in the range [0, 1]. "
                             f"Received: {argument}={value!r}")
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, numbers.Integral) \
                or num_thresholds <= 0:
            raise ValueError(f"{owner}: argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds!r}")
        if class_id is not None and (isinstance(class_id, bool)
                                     or not isinstance(class_id, numbers.Integral)):
            raise ValueError(f"{owner}: `class_id` must be an integer or None. "
                             f"Received: class_id={class_id!r}")
        super().__init__(name=name, dtype=dtype)
        self.value = value
        self.num_thresholds = int(num_thresholds)
        self.class_id = None if class_id is None else int(class_id)
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._clip = False
        else:
            n = num_thresholds
            self.thresholds = [0.0] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1.0]
            self._clip = True  # as Keras's bucketing of evenly spaced thresholds
        self._threshold_values = ops.convert_to_tensor(self.thresholds, dtype=self.dtype)
        size = (len(self.thresholds),)
        self.true_positives = self.add_variable(size, "zeros", name="true_positives")
        self.false_positives = self.add_variable(size, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(size, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(size, "zeros", name="false_negatives")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's (weighted) confusion counts at every threshold."""
        counts = {"tp": self.true_positives, "fp": self.false_positives,
                  "tn": self.true_negatives, "fn": self.false_negatives}
        update_confusion_counts(counts, y_true, y_pred, self._threshold_values,
                                class_id=self.class_id, sample_weight=sample_weight,
                                clip_predictions=self._clip,
                                owner=f"{type(self).__name__} {self.name!r}")

    def _rate(self, which: str) -> Tensor:
        tp = ops.convert_to_tensor(self.true_positives)
        if which == "recall":
            return divide_no_nan(tp, ops.add(tp, self.false_negatives))
        if which == "precision":
            return divide_no_nan(tp, ops.add(tp, self.false_positives))
        tn = ops.convert_to_tensor(self.true_negatives)
        return divide_no_nan(tn, ops.add(tn, self.false_positives))

    def result(self) -> Tensor:
        feasible = ops.greater_equal(self._rate(self._constrained), self.value)
        best = ops.max(ops.where(feasible, self._rate(self._dependent), 0.0))
        return ops.maximum(best, 0.0)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._value_name: self.value}


class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    """The best sensitivity (recall) where the specificity is at least ``specificity``.

    Args:
        specificity: in [0, 1]. num_thresholds: how many evenly spaced thresholds (> 0;
            1 means the single threshold 0.5). class_id: compute it for this class of
            ``(samples, classes)`` inputs. name, dtype: the metric's name and dtype.

    Example: ``SensitivityAtSpecificity(0.5)([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    -> 0.5``.
    """

    _value_name, _constrained, _dependent = "specificity", "specificity", "recall"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity


class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    """The best specificity where the sensitivity (recall) is at least ``sensitivity``.

    Args: sensitivity: in [0, 1]. num_thresholds, class_id, name, dtype: see
    :class:`SensitivityAtSpecificity`.

    Example: ``SpecificityAtSensitivity(0.5)([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    -> 0.667``.
    """

    _value_name, _constrained, _dependent = "sensitivity", "recall", "specificity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity


class PrecisionAtRecall(_SensitivitySpecificityBase):
    """The best precision where the recall is at least ``recall``.

    Args: recall: in [0, 1]. num_thresholds, class_id, name, dtype: see
    :class:`SensitivityAtSpecificity`.

    Example: ``PrecisionAtRecall(0.5)([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]) -> 0.5``.
    """

    _value_name, _constrained, _dependent = "recall", "recall", "precision"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall


class RecallAtPrecision(_SensitivitySpecificityBase):
    """The best recall where the precision is at least ``precision``.

    Args: precision: in [0, 1]. num_thresholds, class_id, name, dtype: see
    :class:`SensitivityAtSpecificity`.

    Example: ``RecallAtPrecision(0.8)([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]) -> 0.5``.
    """

    _value_name, _constrained, _dependent = "precision", "precision", "recall"

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision
