"""F-scores: FBetaScore and F1Score, per class or averaged (``keras.metrics.FBetaScore``).

The metric keeps the (weighted) true positives, false positives and false negatives of every
class in Variables (one scalar each with ``average='micro'``) and reports
``(1 + beta**2) * precision * recall / (beta**2 * precision + recall)``. The state is created
on the first update, when the number of classes is known.

Example::

    f1 = F1Score(average="macro", threshold=0.5)
    f1.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
                    [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    f1.result()                              # mean of [0.5, 0.8, 0.667]
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.metrics.metric import Metric

__all__ = ["F1Score", "FBetaScore"]

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """The F-beta score of multi-class or multi-label predictions.

    Args:
        average: ``None`` (one score per class), ``'micro'`` (from the counts pooled over
            classes), ``'macro'`` (the unweighted mean of the class scores) or ``'weighted'``
            (the class scores weighted by the (weighted) number of true instances).
        beta: a Python float > 0, the weight of recall against precision.
        threshold: a Python float in (0, 1]: predictions above it are positive; ``None``
            makes each row's largest prediction (if nonzero) the only positive one.
        name: the metric's name. dtype: its dtype.

    Inputs are 2-D, ``(batch_size, num_classes)``; ``sample_weight`` has one weight per row.

    Raises ValueError naming the class for a bad argument or non-2-D inputs.

    Example: ``FBetaScore(beta=2.0, threshold=0.5)([[1, 0], [0, 1]], [[0.9, 0.6], [0.2, 0.7]])
    -> [1.0, 0.833]``.
    """

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score",
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        owner = f"{type(self).__name__} {self.name!r}"
        if average not in _AVERAGES:
            raise ValueError(f"{owner}: invalid `average` argument value. Expected one of: "
                             f"{{None, 'micro', 'macro', 'weighted'}}. Received: "
                             f"average={average!r}")
        if not isinstance(beta, float):
            raise ValueError(f"{owner}: invalid `beta` argument value. It should be a Python "
                             f"float. Received: beta={beta!r} of type {type(beta)}")
        if beta <= 0.0:
            raise ValueError(f"{owner}: invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"{owner}: invalid `threshold` argument value. It should be a "
                                 f"Python float. Received: threshold={threshold!r} of type "
                                 f"{type(threshold)}")
            if not 0.0 < threshold <= 1.0:
                raise ValueError(f"{owner}: invalid `threshold` argument value. It should "
                                 f"verify 0 < threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape: tuple[int, ...], y_pred_shape: tuple[int, ...]) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects 2D inputs with "
                             "shape (batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
        self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, "zeros",
                                                      name="intermediate_weights")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's (weighted) per-class counts.

        Args: y_true: 0/1 labels ``(batch, classes)``. y_pred: scores, same shape.
        sample_weight: optional, one weight per row.
        """
        y_true = ops.cast(convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(convert_to_tensor(y_pred), self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            row_max = ops.max(y_pred, axis=-1, keepdims=True)
            predicted = ops.logical_and(ops.greater_equal(y_pred, row_max),
                                        ops.greater(ops.abs(y_pred), 1e-9))
        else:
            predicted = ops.greater(y_pred, self.threshold)
        predicted = ops.cast(predicted, self.dtype)
        weights = None
        if sample_weight is not None:
            weights = ops.expand_dims(ops.cast(convert_to_tensor(sample_weight), self.dtype), 1)

        def weighted_sum(values: Tensor) -> Tensor:
            if weights is not None:
                values = ops.multiply(values, weights)
            return ops.sum(values, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(predicted * y_true))
        self.false_positives.assign_add(weighted_sum(predicted * (1.0 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1.0 - predicted) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self) -> Tensor:
        """The score: one per class (``average=None``) or a scalar."""
        if not self._built:
            raise ValueError(f"{type(self).__name__} {self.name!r}: result() needs at least "
                             "one update_state() call (the number of classes comes from it).")
        epsilon = backend.epsilon()
        tp = ops.convert_to_tensor(self.true_positives)
        precision = tp / (tp + self.false_positives + epsilon)
        recall = tp / (tp + self.false_negatives + epsilon)
        beta_squared = self.beta ** 2
        score = precision * recall / (beta_squared * precision + recall + epsilon)
        score = score * (1.0 + beta_squared)
        if self.average == "weighted":
            weights = self.intermediate_weights / (ops.sum(self.intermediate_weights) + epsilon)
            return ops.sum(score * weights)
        if self.average is not None:
            return ops.mean(score)
        return score

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score: the harmonic mean of precision and recall (FBetaScore with beta 1).

    Args: average, threshold, name, dtype: see :class:`FBetaScore`.

    Example: ``F1Score(threshold=0.5)([[1, 0], [0, 1]], [[0.9, 0.6], [0.2, 0.7]])
    -> [1.0, 0.667]``.
    """

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype: Any = None) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
