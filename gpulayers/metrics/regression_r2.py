"""R2Score: the coefficient of determination, accumulated over batches
(``keras.metrics.R2Score``).

Per output column the metric keeps the (weighted) sum of targets, of squared targets, of
squared residuals and of weights, so ``1 - SS_res / SS_tot`` is exact over all batches seen
(not a mean of per-batch scores). The state is created on the first update.

Example::

    r2 = R2Score()
    r2.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
    r2.result()                                  # 1 - 2 / 4.667 = 0.5714
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.losses.reduction import squeeze_or_expand_to_same_rank
from gpulayers.metrics.metric import Metric

__all__ = ["R2Score"]

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The R2 score (coefficient of determination) of regression predictions.

    Args:
        class_aggregation: how the per-column scores combine: ``'uniform_average'`` (their
            mean, default), ``'variance_weighted_average'`` (weighted by each column's total
            sum of squares) or ``None`` (one score per column).
        num_regressors: the number of independent regressors, for the adjusted R2
            ``1 - (1 - R2) (n - 1) / (n - p - 1)`` (0: plain R2). ``n`` counts every target
            value seen, as Keras does; with ``p >= n - 1`` the plain score is returned and a
            warning is given.
        name: the metric's name. dtype: its dtype.

    Inputs are 2-D, ``(batch_size, num_outputs)`` (a 1-D target with ``(batch, 1)``
    predictions is reconciled); ``sample_weight`` has one weight per row or per value.
    A column with no variance scores 0 when its residuals are nonzero (as in Keras).

    Raises ValueError naming the class for a bad argument or non-2-D inputs.

    Example: ``R2Score()([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]]) -> 0.5714``.
    """

    def __init__(self, class_aggregation: str | None = "uniform_average",
                 num_regressors: int = 0, name: str = "r2_score", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        owner = f"R2Score {self.name!r}"
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(f"{owner}: invalid value for argument `class_aggregation`. "
                             f"Expected one of {_AGGREGATIONS}. Received: "
                             f"class_aggregation={class_aggregation!r}")
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, numbers.Integral) \
                or num_regressors < 0:
            raise ValueError(f"{owner}: invalid value for argument `num_regressors`. Expected "
                             f"an integer >= 0. Received: num_regressors={num_regressors!r}")
        self.class_aggregation = class_aggregation
        self.num_regressors = int(num_regressors)
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape: tuple[int, ...], y_pred_shape: tuple[int, ...]) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score {self.name!r} expects 2D inputs with shape "
                             "(batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        shape = (y_pred_shape[-1],)
        self.squared_sum = self.add_variable(shape, "zeros", name="squared_sum")
        self.sum = self.add_variable(shape, "zeros", name="sum")
        self.total_mse = self.add_variable(shape, "zeros", name="residual")
        self.count = self.add_variable(shape, "zeros", name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's (weighted) sums.

        Args: y_true: targets ``(batch, outputs)``. y_pred: predictions, same shape.
        sample_weight: optional, one weight per row (``(batch,)``) or per value.
        """
        y_true = ops.cast(convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        weights = ops.cast(convert_to_tensor(1.0 if sample_weight is None else sample_weight),
                           self.dtype)
        if weights.ndim == 1:
            weights = ops.expand_dims(weights, 1)
        try:
            weights = ops.broadcast_to(weights, y_true.shape)
        except ValueError:
            raise ValueError(f"R2Score {self.name!r}: `sample_weight` of shape {weights.shape} "
                             f"does not fit targets of shape {y_true.shape}.") from None
        weighted = y_true * weights
        self.sum.assign_add(ops.sum(weighted, axis=0))
        self.squared_sum.assign_add(ops.sum(y_true * weighted, axis=0))
        self.total_mse.assign_add(ops.sum(ops.square(y_true - y_pred) * weights, axis=0))
        self.count.assign_add(ops.sum(weights, axis=0))
        self.num_samples.assign_add(float(math.prod(y_true.shape)))

    def result(self) -> Tensor:
        """The (adjusted) R2: a scalar, or one per column with ``class_aggregation=None``."""
        if not self._built:
            raise ValueError(f"R2Score {self.name!r}: result() needs at least one "
                             "update_state() call (the number of outputs comes from it).")
        total_sum = ops.convert_to_tensor(self.sum)
        mean = total_sum / self.count
        total = self.squared_sum - total_sum * mean
        raw = 1.0 - self.total_mse / total
        raw = ops.where(ops.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = ops.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = ops.sum(total * raw) / ops.sum(total)
        else:
            score = raw
        if self.num_regressors == 0:
            return score
        n = float(self.num_samples.item())  # one scalar read back, as Keras's Python `if`
        p = float(self.num_regressors)
        if p > n - 1:
            warnings.warn("More independent predictors than datapoints in adjusted R2 score. "
                          "Falling back to standard R2 score.", stacklevel=2)
            return score
        if p == n - 1:
            warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 "
                          "score.", stacklevel=2)
            return score
        return 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
