"""Hinge losses (maximum-margin classification): Hinge, SquaredHinge, CategoricalHinge.

Labels may be -1/1 or 0/1 (converted to -1/1 when every label is 0 or 1, as in Keras).

Example::

    Hinge()([[1.0, -1.0]], [[0.25, -2.0]])             # mean(0.75, 0) = 0.375
    CategoricalHinge()([[0, 1]], [[0.3, 0.6]])          # 0.7
"""

from __future__ import annotations

from typing import Any

from gpulayers.losses import functions
from gpulayers.losses.loss import Loss
from gpulayers.losses.loss_wrapper import LossFunctionWrapper

__all__ = ["CategoricalHinge", "Hinge", "SquaredHinge"]

_REDUCTION = "sum_over_batch_size"


class Hinge(LossFunctionWrapper):
    """``mean(maximum(1 - y_true * y_pred, 0))`` over the last axis.

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``Hinge()([[1.0, -1.0]], [[0.25, -2.0]]) -> 0.375``.
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "hinge",
                 dtype: Any = None) -> None:
        super().__init__(functions.hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class SquaredHinge(LossFunctionWrapper):
    """``mean(square(maximum(1 - y_true * y_pred, 0)))`` over the last axis.

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``SquaredHinge()([[1.0]], [[0.5]]) -> 0.25``.
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "squared_hinge",
                 dtype: Any = None) -> None:
        super().__init__(functions.squared_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class CategoricalHinge(LossFunctionWrapper):
    """``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)`` and
    ``neg = max((1 - y_true) * y_pred)``, for one-hot labels.

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``CategoricalHinge()([[0, 1]], [[0.3, 0.6]]) -> 0.7``.
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "categorical_hinge",
                 dtype: Any = None) -> None:
        super().__init__(functions.categorical_hinge, name=name, reduction=reduction,
                         dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)
