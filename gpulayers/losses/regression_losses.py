"""Regression losses: MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
MeanSquaredLogarithmicError, Huber, LogCosh, CosineSimilarity.

Each is a :class:`~gpulayers.losses.LossFunctionWrapper` around the function of the same name
in :mod:`gpulayers.losses.functions`, with Keras 3's default name and arguments.

Example::

    MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8])                    # 0.02
    Huber(delta=0.5, reduction="sum")(y_true, y_pred, sample_weight=[1.0, 0.5])
"""

from __future__ import annotations

from typing import Any

from gpulayers.losses import functions
from gpulayers.losses.loss import Loss
from gpulayers.losses.loss_wrapper import LossFunctionWrapper

__all__ = ["CosineSimilarity", "Huber", "LogCosh", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredError", "MeanSquaredLogarithmicError"]

_REDUCTION = "sum_over_batch_size"


class MeanSquaredError(LossFunctionWrapper):
    """``mean(square(y_true - y_pred))`` over the last axis, then reduced over the batch.

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8]) -> 0.02``.
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "mean_squared_error",
                 dtype: Any = None) -> None:
        super().__init__(functions.mean_squared_error, name=name, reduction=reduction,
                         dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(abs(y_true - y_pred))`` over the last axis, then reduced over the batch.

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]]) -> 0.5``.
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "mean_absolute_error",
                 dtype: Any = None) -> None:
        super().__init__(functions.mean_absolute_error, name=name, reduction=reduction,
                         dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(abs((y_true - y_pred) / y_true))`` (denominator at least epsilon).

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 4.0]]) -> 25.0``.
    """

    def __init__(self, reduction: str | None = _REDUCTION,
                 name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(functions.mean_absolute_percentage_error, name=name,
                         reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean(square(log(y_pred + 1) - log(y_true + 1)))`` (inputs clipped at epsilon).

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``MeanSquaredLogarithmicError()([[0.0]], [[1.718281828]]) -> 1.0``.
    """

    def __init__(self, reduction: str | None = _REDUCTION,
                 name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(functions.mean_squared_logarithmic_error, name=name,
                         reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """Quadratic for errors up to ``delta``, linear beyond (robust to outliers).

    Args:
        delta: where the loss turns from quadratic to linear (> 0).
        reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``Huber()([[0.0, 0.0]], [[0.5, 3.0]]) -> (0.125 + 2.5) / 2``.
    """

    def __init__(self, delta: float = 1.0, reduction: str | None = _REDUCTION,
                 name: str = "huber_loss", dtype: Any = None) -> None:
        super().__init__(functions.huber, name=name, reduction=reduction, dtype=dtype,
                         delta=delta)
        self.delta = delta

    def get_config(self) -> dict[str, Any]:
        # Keras 3 leaves delta out of the config; keeping it makes the round trip faithful.
        return {**Loss.get_config(self), "delta": self.delta}


class LogCosh(LossFunctionWrapper):
    """``mean(log(cosh(y_pred - y_true)))``: about ``e**2 / 2`` for small errors, ``|e|``
    for large ones.

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``LogCosh()([[0.0]], [[1.0]]) -> 0.4338``.
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "log_cosh",
                 dtype: Any = None) -> None:
        super().__init__(functions.log_cosh, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class CosineSimilarity(LossFunctionWrapper):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 for parallel vectors,
    0 for orthogonal ones (or a zero vector).

    Args:
        axis: the feature axis the similarity is computed along.
        reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``CosineSimilarity()([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]) -> -0.5``.
    """

    def __init__(self, axis: int = -1, reduction: str | None = _REDUCTION,
                 name: str = "cosine_similarity", dtype: Any = None) -> None:
        super().__init__(functions.cosine_similarity, name=name, reduction=reduction,
                         dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        # Keras 3 leaves axis out of the config; keeping it makes the round trip faithful.
        return {**Loss.get_config(self), "axis": self.axis}
