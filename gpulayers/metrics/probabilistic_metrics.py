"""Probabilistic metrics: BinaryCrossentropy, CategoricalCrossentropy,
SparseCategoricalCrossentropy, KLDivergence, Poisson (running means of the loss functions).

Example::

    m = BinaryCrossentropy()
    m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    m.result()                                              # 0.815
"""

from __future__ import annotations

from typing import Any

from gpulayers.losses import functions as loss_fns
from gpulayers.metrics.reduction_metrics import MeanMetricWrapper

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "KLDivergence", "Poisson",
           "SparseCategoricalCrossentropy"]


class KLDivergence(MeanMetricWrapper):
    """The running mean of ``sum(y_true * log(y_true / y_pred), axis=-1)``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]]) -> 0.1438``.
    """

    def __init__(self, name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(loss_fns.kl_divergence, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class Poisson(MeanMetricWrapper):
    """The running mean of ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``Poisson()([[0.0, 1.0]], [[1.0, 1.0]]) -> 1.0``.
    """

    def __init__(self, name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(loss_fns.poisson, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryCrossentropy(MeanMetricWrapper):
    """The running mean of the binary crossentropy.

    Args:
        name: the metric's name. dtype: its dtype.
        from_logits: whether ``y_pred`` holds logits. label_smoothing: in [0, 1].

    Example: ``BinaryCrossentropy()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) -> 0.815``.
    """

    def __init__(self, name: str = "binary_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0) -> None:
        super().__init__(loss_fns.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of the categorical crossentropy (one-hot labels).

    Args:
        name: the metric's name. dtype: its dtype.
        from_logits: whether ``y_pred`` holds logits. label_smoothing: in [0, 1].
        axis: the class axis.

    Example: ``CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0],
    [0.1, 0.8, 0.1]]) -> 1.177``.
    """

    def __init__(self, name: str = "categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0, axis: int = -1) -> None:
        super().__init__(loss_fns.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of the sparse categorical crossentropy (integer labels).

    Args:
        name: the metric's name. dtype: its dtype.
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label left out of the mean (neither summed nor counted).
        axis: the class axis.

    Example: ``SparseCategoricalCrossentropy()([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    -> 1.177``.
    """

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, ignore_class: int | None = None,
                 axis: int = -1) -> None:
        super().__init__(loss_fns.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}
