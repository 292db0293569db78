"""Generalized cross entropy (Zhang & Sabuncu, 2018): a noise-robust classification loss,
``keras.losses.CategoricalGeneralizedCrossEntropy`` and its function.

Per sample ``(1 - p ** q) / q``, ``p`` being the probability predicted for the true class:
as ``q -> 0`` it tends to the crossentropy ``-log p``, at ``q = 1`` it is the mean absolute
error ``1 - p``, which is less swayed by mislabelled examples.

Example::

    y_true = [0, 1, 0, 1]
    y_pred = [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]]
    categorical_generalized_cross_entropy(y_true, y_pred, q=0.5)   # 2 * (1 - sqrt(p))
    CategoricalGeneralizedCrossEntropy()(y_true, y_pred)           # their mean, 0.3599
"""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.losses.focal_losses import _inputs
from gpulayers.losses.loss import Loss
from gpulayers.losses.loss_wrapper import LossFunctionWrapper

__all__ = ["CategoricalGeneralizedCrossEntropy", "categorical_generalized_cross_entropy"]


def categorical_generalized_cross_entropy(y_true: Any, y_pred: Any, q: float) -> Tensor:
    """``(1 - p ** q) / q`` with ``p = y_pred[..., y_true]``.

    Args:
        y_true: integer class indices ``(batch,)`` (a trailing size-1 axis is accepted).
        y_pred: class probabilities ``(batch, num_classes)``.
        q: the noise parameter in (0, 1): near 0 like crossentropy, at 1 like MAE.

    Returns: ``(batch,)`` losses.

    Example: ``categorical_generalized_cross_entropy([1], [[0.2, 0.8]], q=0.5)
    -> [2 * (1 - sqrt(0.8))]``.
    """
    y_pred = convert_to_tensor(y_pred)
    labels, y_pred = _inputs(y_true, y_pred)
    if labels.ndim == y_pred.ndim and labels.ndim and labels.shape[-1] == 1:
        # (batch, 1) labels: one-hot encoding them as they are would broadcast to
        # (batch, batch, classes).
        labels = ops.squeeze(labels, -1)
    one_hot = ops.one_hot(ops.cast(labels, "int32"), y_pred.shape[-1], dtype=y_pred.dtype)
    p = ops.sum(y_pred * one_hot, axis=-1)
    return (1.0 - ops.power(p, q)) / q


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized cross entropy between integer labels and class probabilities.

    Args:
        q: the noise parameter, strictly between 0 and 1 (default 0.5): closer to 1 is more
            robust to noisy labels, closer to 0 behaves like crossentropy.
        reduction: see :class:`~gpulayers.losses.Loss`.
        name: the loss's name (``'categorical_generalized_cross_entropy'``).
        dtype: see :class:`~gpulayers.losses.Loss`.

    Raises ValueError naming the class for ``q`` outside (0, 1).

    Example: ``CategoricalGeneralizedCrossEntropy(q=0.5)([0, 1], [[0.7, 0.3], [0.2, 0.8]])``.
    """

    def __init__(self, q: float = 0.5, reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_generalized_cross_entropy",
                 dtype: Any = None) -> None:
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0 < q < 1:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy {name!r}: `q` must be in the "
                             f"interval (0, 1). Received: q={q!r}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction,
                         dtype=dtype, q=q)
        self.q = q

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "q": self.q}
