"""Accuracy metrics: Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy.

Each is the running (weighted) mean of the accuracy function of the same name in
:mod:`gpulayers.metrics.accuracy_functions`.

Example::

    m = SparseCategoricalAccuracy()
    m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    m.result()                                              # 0.5
"""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers.metrics import accuracy_functions as fns
from gpulayers.metrics.accuracy_functions import check_k
from gpulayers.metrics.reduction_metrics import MeanMetricWrapper

__all__ = ["Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
           "SparseTopKCategoricalAccuracy", "TopKCategoricalAccuracy"]


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]) -> 0.75``.
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(fns.accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the 0/1 label.

    Args:
        name: the metric's name. dtype: its dtype.
        threshold: the decision threshold (use 0.0 for logits).

    Example: ``BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]) -> 0.75``.
    """

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None,
                 threshold: float = 0.5) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
            raise ValueError(f"BinaryAccuracy {name!r}: `threshold` must be a number. "
                             f"Received: threshold={threshold!r}")
        super().__init__(fns.binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of ``y_pred`` is the class of the one-hot ``y_true``.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95,
    0]]) -> 0.5``.
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fns.categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of ``y_pred`` equals the integer label.

    Args: name: the metric's name. dtype: its dtype.

    Example: ``SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    -> 0.5``.
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fns.sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest scores.

    Args: k: how many top classes count. name: the metric's name. dtype: its dtype.

    Example: ``TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8],
    [0.05, 0.95, 0]]) -> 0.5``.
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy",
                 dtype: Any = None) -> None:
        k = check_k(k, f"TopKCategoricalAccuracy {name!r}")
        super().__init__(fns.top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest scores.

    Args:
        k: how many top classes count. name: the metric's name. dtype: its dtype.
        from_sorted_ids: ``y_pred`` holds class ids sorted by score, best first.

    Example: ``SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95,
    0]]) -> 0.5``.
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None, from_sorted_ids: bool = False) -> None:
        k = check_k(k, f"SparseTopKCategoricalAccuracy {name!r}")
        super().__init__(fns.sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
