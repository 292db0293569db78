"""Correlation metrics: PearsonCorrelation and ConcordanceCorrelation
(``keras.metrics.*Correlation``) and their per-sample functions.

The functions correlate ``y_true`` with ``y_pred`` along ``axis`` (the last one: each row is a
series), giving one value per row; the metrics average those values over every row seen, as
any :class:`~gpulayers.metrics.MeanMetricWrapper` does (so a batch of 1-D inputs is a single
series). Pearson's ``r`` measures a linear relation; Lin's concordance coefficient also
penalizes a shift or a scale between the two, so it is 1 only for ``y_pred == y_true``.

Example::

    pearson_correlation([[1.0, 2.0, 3.0]], [[2.0, 4.0, 6.0]])          # [1.0]
    concordance_correlation([[1.0, 2.0, 3.0]], [[2.0, 4.0, 6.0]])      # [0.3636]
    m = PearsonCorrelation()
    m.update_state(y_true_batch, y_pred_batch); m.result()
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor
from gpulayers.losses.focal_losses import _inputs
from gpulayers.losses.reduction import squeeze_or_expand_to_same_rank
from gpulayers.metrics.reduction_metrics import MeanMetricWrapper

__all__ = ["ConcordanceCorrelation", "PearsonCorrelation", "concordance_correlation",
           "pearson_correlation"]


def _series(y_true: Any, y_pred: Any) -> tuple[Tensor, Tensor]:
    """Both as float tensors of ``y_pred``'s dtype, trailing size-1 ranks reconciled."""
    y_true, y_pred = _inputs(y_true, y_pred)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Pearson's ``r`` of ``y_true`` and ``y_pred`` along ``axis``:
    ``mean(z(y_true) * z(y_pred))`` with ``z`` the standardized values (population std).

    Args: y_true: targets. y_pred: predictions, same shape. axis: the axis of each series.

    Returns: the input shape without ``axis``. A constant series gives NaN (0 / 0), as in
    Keras.

    Example: ``pearson_correlation([[1.0, 2.0, 3.0]], [[3.0, 2.0, 1.0]]) -> [-1.0]``.
    """
    y_true, y_pred = _series(y_true, y_pred)
    true_dev = y_true - ops.mean(y_true, axis=axis, keepdims=True)
    pred_dev = y_pred - ops.mean(y_pred, axis=axis, keepdims=True)
    true_dev = true_dev / ops.std(true_dev, axis=axis, keepdims=True)
    pred_dev = pred_dev / ops.std(pred_dev, axis=axis, keepdims=True)
    return ops.mean(true_dev * pred_dev, axis=axis)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Lin's concordance correlation along ``axis``:
    ``2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p)) ** 2 + epsilon)``.

    Args: y_true: targets. y_pred: predictions, same shape. axis: the axis of each series.

    Returns: the input shape without ``axis`` (1 for identical series).

    Example: ``concordance_correlation([[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0]]) -> [1.0]``.
    """
    y_true, y_pred = _series(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = ops.var(y_pred - pred_mean, axis=axis, keepdims=True)
    # Keras's form: the mean of (t - mean(p)) (p - mean(p)) over the axis is cov(t, p).
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + ops.square(true_mean - pred_mean)
    return ops.mean(2.0 * covariance / (norm + backend.epsilon()), axis=axis)


class _CorrelationMetric(MeanMetricWrapper):
    """The running mean of a correlation function; bigger is better."""

    def __init__(self, fn: Any, name: str, dtype: Any, axis: int) -> None:
        super().__init__(fn, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"  # callbacks in mode='auto' maximize it

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class PearsonCorrelation(_CorrelationMetric):
    """The mean Pearson correlation of the rows seen (see :func:`pearson_correlation`).

    Args:
        name: the metric's name (``'pearson_correlation'``). dtype: its dtype.
        axis: the axis of each series (the last by default).

    Example::

        m = PearsonCorrelation()
        m.update_state([[1.0, 2.0, 3.0]], [[1.0, 2.5, 3.0]])
        m.update_state([[1.0, 2.0, 3.0]], [[3.0, 2.0, 1.0]])
        m.result()                         # (0.9608 + -1.0) / 2
    """

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None,
                 axis: int = -1) -> None:
        super().__init__(pearson_correlation, name, dtype, axis)


class ConcordanceCorrelation(_CorrelationMetric):
    """The mean concordance correlation of the rows seen (see
    :func:`concordance_correlation`).

    Args:
        name: the metric's name (``'concordance_correlation'``). dtype: its dtype.
        axis: the axis of each series (the last by default).

    Example: ``ConcordanceCorrelation()([[1.0, 2.0, 3.0]], [[2.0, 4.0, 6.0]]) -> 0.3636``.
    """

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None,
                 axis: int = -1) -> None:
        super().__init__(concordance_correlation, name, dtype, axis)
