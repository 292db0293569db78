"""Hinge metrics: Hinge, SquaredHinge, CategoricalHinge (running means of the hinge losses).

Example::

    m = Hinge()
    m.update_state([[1.0, -1.0]], [[0.25, -2.0]])
    m.result()                                              # 0.375
"""

from __future__ import annotations

from typing import Any

from gpulayers.losses import functions as loss_fns
from gpulayers.metrics.reduction_metrics import MeanMetricWrapper

__all__ = ["CategoricalHinge", "Hinge", "SquaredHinge"]


class Hinge(MeanMetricWrapper):
    """The running mean of ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``Hinge()([[1.0, -1.0]], [[0.25, -2.0]]) -> 0.375``.
    """

    def __init__(self, name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(loss_fns.hinge, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SquaredHinge(MeanMetricWrapper):
    """The running mean of ``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``SquaredHinge()([[1.0]], [[0.5]]) -> 0.25``.
    """

    def __init__(self, name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(loss_fns.squared_hinge, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class CategoricalHinge(MeanMetricWrapper):
    """The running mean of the categorical hinge loss (one-hot labels).

    Args: name: the metric's name. dtype: its dtype.

    Example: ``CategoricalHinge()([[0, 1]], [[0.3, 0.6]]) -> 0.7``.
    """

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(loss_fns.categorical_hinge, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}
