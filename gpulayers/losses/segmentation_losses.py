"""Overlap losses for segmentation: Dice and Tversky (``keras.losses.Dice`` / ``Tversky``) and
their functions ``dice`` and ``tversky``.

Both compare a soft mask ``y_pred`` (probabilities) with a 0/1 mask ``y_true`` through sums
over ``axis``: the intersection ``sum(y_true * y_pred)`` against the false positives
``sum((1 - y_pred) * y_true)`` and false negatives ``sum(y_pred * (1 - y_true))`` (Keras's
naming). With the default ``axis=None`` the sums run over every axis, batch included, so the
loss is one number for the whole batch; ``axis=(1, 2, 3)`` gives one value per image.

Example::

    y_true = [[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]]
    y_pred = [[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]]
    dice(y_true, y_pred, axis=(1, 2, 3))          # [0.5, 0.7576]
    Dice()(y_true, y_pred)                        # 0.6164
"""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor
from gpulayers.losses.focal_losses import _inputs, _real
from gpulayers.losses.loss import Loss
from gpulayers.losses.loss_wrapper import LossFunctionWrapper

__all__ = ["Dice", "Tversky", "dice", "tversky"]

_REDUCTION = "sum_over_batch_size"


def _axes(axis: Any, owner: str) -> int | tuple[int, ...] | None:
    """``axis`` as None, an int or a tuple of ints (a JSON config gives a list back)."""
    if axis is None:
        return None
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return int(axis)
    if isinstance(axis, (list, tuple)) and all(
            isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axis):
        return tuple(int(a) for a in axis)
    raise ValueError(f"{owner}: `axis` must be None, an int or a tuple of ints. "
                     f"Received: axis={axis!r}")


def dice(y_true: Any, y_pred: Any, axis: Any = None) -> Tensor:
    """``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)`` over ``axis``.

    Args:
        y_true: 0/1 (or soft) target mask. y_pred: predicted probabilities, same shape.
        axis: the axes summed over: None (all, giving a scalar), an int or a tuple.

    Returns: the input shape without ``axis`` (a scalar for None).

    Example: ``dice([[1.0, 0.0]], [[1.0, 1.0]]) -> 1 - 2 / 3``.
    """
    axis = _axes(axis, "dice")
    y_true, y_pred = _inputs(y_true, y_pred)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    union = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + backend.epsilon()
    return 1.0 - 2.0 * intersection / union


def tversky(y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5,
            axis: Any = None) -> Tensor:
    """``1 - tp / (tp + alpha * fp + beta * fn + epsilon)``, sums over ``axis``, with Keras's
    ``tp = sum(y_true * y_pred)``, ``fp = sum((1 - y_pred) * y_true)``,
    ``fn = sum(y_pred * (1 - y_true))``. ``alpha = beta = 0.5`` is the Dice loss.

    Args:
        y_true: 0/1 (or soft) target mask. y_pred: predicted probabilities, same shape.
        alpha: the weight of ``fp``. beta: the weight of ``fn``.
        axis: the axes summed over: None (all, giving a scalar), an int or a tuple.

    Example: ``tversky([[1.0, 0.0]], [[0.5, 1.0]], alpha=0.3, beta=0.7)
    -> 1 - 0.5 / (0.5 + 0.3 * 0.5 + 0.7 * 1.0)``.
    """
    axis = _axes(axis, "tversky")
    y_true, y_pred = _inputs(y_true, y_pred)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    fp = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - intersection / (intersection + fp * alpha + fn * beta + backend.epsilon())


class Dice(LossFunctionWrapper):
    """The Dice loss ``1 - 2 |A n B| / (|A| + |B|)`` of a predicted mask (see :func:`dice`).

    Args:
        reduction: see :class:`~gpulayers.losses.Loss` (``'sum_over_batch_size'``).
        name: the loss's name (``'dice'``).
        axis: the axes summed over. None (default) sums over everything, batch included,
            giving one value per call; ``(1, 2, 3)`` gives one per image of a
            ``(batch, height, width, channels)`` mask, which is then reduced.
        dtype: see :class:`~gpulayers.losses.Loss`.

    Raises ValueError naming the class for a bad ``axis``.

    Example: ``Dice(axis=(1, 2, 3), reduction=None)(y_true, y_pred) -> [0.5, 0.7576]``
    (module example).
    """

    def __init__(self, reduction: str | None = _REDUCTION, name: str = "dice", axis: Any = None,
                 dtype: Any = None) -> None:
        _axes(axis, f"Dice {name!r}")
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "axis": self.axis}


class Tversky(LossFunctionWrapper):
    """The Tversky loss: Dice with separate weights for false positives and false negatives
    (see :func:`tversky`; Salehi et al., 2017).

    Args:
        alpha: the weight of the false positives (default 0.5).
        beta: the weight of the false negatives (default 0.5).
        reduction: see :class:`~gpulayers.losses.Loss`. name: the loss's name (``'tversky'``).
        axis: the axes summed over (None: all of them, one value per call).
        dtype: see :class:`~gpulayers.losses.Loss`.

    Raises ValueError naming the class for a non-number ``alpha``/``beta`` or a bad ``axis``.

    Example: ``Tversky(alpha=0.3, beta=0.7)([[1.0, 0.0]], [[0.5, 1.0]]) -> 0.6296``.
    """

    def __init__(self, alpha: float = 0.5, beta: float = 0.5,
                 reduction: str | None = _REDUCTION, name: str = "tversky", axis: Any = None,
                 dtype: Any = None) -> None:
        owner = f"Tversky {name!r}"
        _real(alpha, "alpha", owner)
        _real(beta, "beta", owner)
        _axes(axis, owner)
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta,
                "axis": self.axis}
