"""Regression metrics: MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError, CosineSimilarity.

Each is the running (weighted) mean of a per-sample function; RootMeanSquaredError is the
square root of the running mean of squared errors (not the mean of per-batch roots).

Example::

    m = RootMeanSquaredError()
    m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    m.result()                                              # sqrt(0.25) = 0.5
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.losses import functions as loss_fns
from gpulayers.losses.loss import to_dtype
from gpulayers.losses.reduction import squeeze_or_expand_to_same_rank
from gpulayers.metrics.reduction_metrics import Mean, MeanMetricWrapper

__all__ = ["CosineSimilarity", "LogCoshError", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredError", "MeanSquaredLogarithmicError",
           "RootMeanSquaredError", "cosine_similarity"]


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: 1 for parallel vectors.

    The metric's sign is the opposite of the loss :func:`gpulayers.losses.cosine_similarity`.

    Args: y_true: targets. y_pred: predictions. axis: the feature axis.
    Example: ``cosine_similarity([[0, 1], [1, 1]], [[1, 0], [1, 1]]) -> [0, 1]``.
    """
    return ops.negative(loss_fns.cosine_similarity(y_true, y_pred, axis=axis))


class _NamedMeanWrapper(MeanMetricWrapper):
    """A MeanMetricWrapper whose config is only ``name`` and ``dtype`` (Keras's form)."""

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredError(_NamedMeanWrapper):
    """The running mean of ``mean(square(y_true - y_pred), axis=-1)``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``MeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]]) -> 0.25``.
    """

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(loss_fns.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_NamedMeanWrapper):
    """The running mean of ``mean(abs(y_true - y_pred), axis=-1)``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``MeanAbsoluteError()([[0, 1], [0, 0]], [[1, 1], [0, 0]]) -> 0.25``.
    """

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(loss_fns.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_NamedMeanWrapper):
    """The running mean of ``100 * mean(abs((y_true - y_pred) / y_true), axis=-1)``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 4.0]]) -> 25.0``.
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(loss_fns.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_NamedMeanWrapper):
    """The running mean of ``mean(square(log1p(y_pred) - log1p(y_true)), axis=-1)``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``MeanSquaredLogarithmicError()([[0.0]], [[1.718281828]]) -> 1.0``.
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(loss_fns.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(_NamedMeanWrapper):
    """The running mean of ``mean(log(cosh(y_pred - y_true)), axis=-1)``.

    Args: name: the metric's name (Keras's default ``'logcosh'``). dtype: its dtype.

    Example: ``LogCoshError()([[0.0]], [[1.0]]) -> 0.4338``.
    """

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(loss_fns.log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """The running mean of the cosine similarity of ``y_true`` and ``y_pred`` along ``axis``.

    Args: name: the metric's name. dtype: its dtype. axis: the feature axis.

    Example: ``CosineSimilarity()([[0, 1], [1, 1]], [[1, 0], [1, 1]]) -> 0.5``.
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None,
                 axis: int = -1) -> None:
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        # Keras 3 leaves axis out of the config; keeping it makes the round trip faithful.
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class RootMeanSquaredError(Mean):
    """``sqrt`` of the running (weighted) mean of the squared errors.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``RootMeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]]) -> 0.5``.
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's (weighted) squared errors to the running mean."""
        y_true = to_dtype(y_true, self.dtype)
        y_pred = to_dtype(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"RootMeanSquaredError {self.name!r}: `y_true` and `y_pred` must "
                             f"have the same shape. Received: y_true.shape={y_true.shape}, "
                             f"y_pred.shape={y_pred.shape}")
        super().update_state(ops.square(ops.subtract(y_pred, y_true)),
                             sample_weight=sample_weight)

    def result(self) -> Tensor:
        return ops.sqrt(super().result())
