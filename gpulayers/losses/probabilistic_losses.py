"""Probabilistic losses: BinaryCrossentropy, CategoricalCrossentropy,
SparseCategoricalCrossentropy, KLDivergence, Poisson.

Each is a :class:`~gpulayers.losses.LossFunctionWrapper` around the function of the same name
in :mod:`gpulayers.losses.functions`, with Keras 3's defaults.

Example::

    BinaryCrossentropy(from_logits=True)([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]])
    SparseCategoricalCrossentropy(ignore_class=0)(labels, probabilities)   # 0s don't count
"""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers.losses import functions
from gpulayers.losses.loss import Loss
from gpulayers.losses.loss_wrapper import LossFunctionWrapper

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "KLDivergence", "Poisson",
           "SparseCategoricalCrossentropy"]

_REDUCTION = "sum_over_batch_size"


def _check_smoothing(value: Any, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"{owner}: `label_smoothing` must be a number in [0, 1]. "
                         f"Received: label_smoothing={value!r}")
    return value


class _SmoothedCrossentropy(LossFunctionWrapper):
    """What the binary and categorical crossentropies share: label smoothing, from_logits and
    the class axis, checked, stored and written to the config."""

    def __init__(self, function: Any, from_logits: bool, label_smoothing: float, axis: int,
                 reduction: str | None, name: str, dtype: Any) -> None:
        _check_smoothing(label_smoothing, f"{type(self).__name__} {name!r}")
        super().__init__(function, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class BinaryCrossentropy(_SmoothedCrossentropy):
    """Crossentropy between 0/1 labels and predicted probabilities (or logits).

    Args:
        from_logits: whether ``y_pred`` holds logits (recommended: numerically stable) rather
            than probabilities in [0, 1].
        label_smoothing: in [0, 1]; labels are squeezed towards 0.5:
            ``y * (1 - s) + 0.5 * s``.
        axis: the axis averaged over (the features axis).
        reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example::

        bce = BinaryCrossentropy(from_logits=True)
        bce([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]])                   # 0.8654
        bce([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]], sample_weight=[0.8, 0.2])
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _REDUCTION, name: str = "binary_crossentropy",
                 dtype: Any = None) -> None:
        super().__init__(functions.binary_crossentropy, from_logits, label_smoothing, axis,
                         reduction, name, dtype)


class CategoricalCrossentropy(_SmoothedCrossentropy):
    """Crossentropy between one-hot labels and predicted class probabilities (or logits).

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis.
        reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0],
    [0.1, 0.8, 0.1]]) -> 1.177``.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _REDUCTION, name: str = "categorical_crossentropy",
                 dtype: Any = None) -> None:
        super().__init__(functions.categorical_crossentropy, from_logits, label_smoothing, axis,
                         reduction, name, dtype)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between integer class labels and predicted probabilities (or logits).

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        ignore_class: a label (e.g. a "void" class in segmentation, often -1 or 255) whose
            positions are left out: loss 0, no gradient, and not counted by the mean.
        reduction: see :class:`~gpulayers.losses.Loss`.
        axis: the class axis of ``y_pred``.
        name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``SparseCategoricalCrossentropy()([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    -> 1.177``.
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = _REDUCTION, axis: int = -1,
                 name: str = "sparse_categorical_crossentropy", dtype: Any = None) -> None:
        if ignore_class is not None and (isinstance(ignore_class, bool)
                                         or not isinstance(ignore_class, numbers.Integral)):
            raise ValueError(f"SparseCategoricalCrossentropy {name!r}: `ignore_class` must be "
                             f"an integer or None. Received: ignore_class={ignore_class!r}")
        super().__init__(functions.sparse_categorical_crossentropy, name=name,
                         reduction=reduction, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))`` over the last axis
    (both clipped to ``[epsilon, 1]``).

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]]) -> 0.1438``.
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "kl_divergence",
                 dtype: Any = None) -> None:
        super().__init__(functions.kl_divergence, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class Poisson(LossFunctionWrapper):
    """``mean(y_pred - y_true * log(y_pred + epsilon))``: for count targets and rates.

    Args: reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Example: ``Poisson()([[0.0, 1.0]], [[1.0, 1.0]]) -> 1.0``.
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "poisson",
                 dtype: Any = None) -> None:
        super().__init__(functions.poisson, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)
