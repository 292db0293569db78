"""The per-sample loss functions with Keras 3's names and signatures (``keras.losses.*``).

Each takes ``(y_true, y_pred)`` and returns one value per sample: the input shape without the
reduced axis (the last one unless ``axis`` says otherwise). They are the differentiable
:mod:`gpulayers.ops.losses` ops; this module adds Keras's argument names, its handling of a
trailing size-1 axis, and the mask that ``sparse_categorical_crossentropy(...,
ignore_class=c)`` leaves on its result so a :class:`~gpulayers.losses.Loss` averages over the
kept positions only.

Example::

    mean_squared_error([[0.0, 1.0], [1.0, 1.0]], [[0.0, 0.5], [1.0, 0.0]])   # [0.125, 0.5]
    sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.losses.reduction import squeeze_or_expand_to_same_rank
from gpulayers.ops import losses as loss_ops

__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "categorical_hinge",
    "cosine_similarity", "hinge", "huber", "kl_divergence", "log_cosh",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge",
]


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(square(y_true - y_pred), axis=-1)``.

    Args: y_true: targets. y_pred: predictions, same shape (a trailing size-1 axis on either
    one is reconciled). Example: ``mean_squared_error([[1.0, 0.0]], [[0.5, 0.5]]) -> [0.25]``.
    """
    return loss_ops.mean_squared_error(y_true, y_pred)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)``.

    Args: y_true: targets. y_pred: predictions. Example: ``[[1.0, 0.0]], [[0.5, 0.5]] -> [0.5]``.
    """
    return loss_ops.mean_absolute_error(y_true, y_pred)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """``100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1)``.

    Args: y_true: targets. y_pred: predictions. Example: ``[[2.0]], [[1.0]] -> [50.0]``.
    """
    return loss_ops.mean_absolute_percentage_error(y_true, y_pred)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)`` (inputs clipped at eps).

    Args: y_true: targets. y_pred: predictions. Example: ``[[0.0]], [[e - 1]] -> [1.0]``.
    """
    return loss_ops.mean_squared_logarithmic_error(y_true, y_pred)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Mean over the last axis of ``0.5 * e**2`` for ``|e| <= delta``, else
    ``delta * |e| - 0.5 * delta**2`` (``e = y_pred - y_true``).

    Args: y_true: targets. y_pred: predictions. delta: where quadratic turns linear (> 0).
    Example: ``huber([[0.0]], [[3.0]]) -> [2.5]``.
    """
    return loss_ops.huber(y_true, y_pred, delta=delta)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``.

    Args: y_true: targets. y_pred: predictions. Example: ``[[0.0]], [[1.0]] -> [0.4338]``.
    """
    return loss_ops.log_cosh(y_true, y_pred)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 when parallel.

    Args: y_true: targets. y_pred: predictions. axis: the feature axis.
    Example: ``cosine_similarity([[1.0, 0.0]], [[2.0, 0.0]]) -> [-1.0]``.
    """
    return loss_ops.cosine_similarity(y_true, y_pred, axis=axis)


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[epsilon, 1]``.

    Args: y_true: target distributions. y_pred: predicted distributions.
    Example: ``kl_divergence([[0.5, 0.5]], [[0.5, 0.5]]) -> [0.0]``.
    """
    return loss_ops.kl_divergence(*_same_rank(y_true, y_pred))


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``.

    Args: y_true: observed counts. y_pred: predicted rates. Example: ``[[1.0]], [[1.0]] -> [1.0]``.
    """
    return loss_ops.poisson(*_same_rank(y_true, y_pred))


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; 0/1 targets become -1/1.

    Args: y_true: labels in {-1, 1} or {0, 1}. y_pred: scores.
    Example: ``hinge([[1.0]], [[0.25]]) -> [0.75]``.
    """
    return loss_ops.hinge(*_same_rank(y_true, y_pred))


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``; 0/1 targets become -1/1.

    Args: y_true: labels. y_pred: scores. Example: ``squared_hinge([[1.0]], [[0.5]]) -> [0.25]``.
    """
    return loss_ops.squared_hinge(*_same_rank(y_true, y_pred))


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """``maximum(neg - pos + 1, 0)``, ``pos = sum(y_true * y_pred)``,
    ``neg = max((1 - y_true) * y_pred)``.

    Args: y_true: one-hot labels. y_pred: scores.
    Example: ``categorical_hinge([[0, 1]], [[0.3, 0.6]]) -> [0.7]``.
    """
    return loss_ops.categorical_hinge(*_same_rank(y_true, y_pred))


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Mean over ``axis`` of ``-(y log p + (1 - y) log(1 - p))``.

    Args:
        y_true: 0/1 (or soft) labels. y_pred: probabilities, or logits with ``from_logits``.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + 0.5 * s``.
        axis: the axis averaged over.

    Example: ``binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) -> [0.916,
    0.714]``.
    """
    y_true, y_pred = _same_rank(y_true, y_pred)
    return loss_ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits,
                                        label_smoothing=label_smoothing, axis=axis)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """``-sum(y_true * log(p), axis)`` for one-hot (or soft) labels.

    Args:
        y_true: one-hot labels. y_pred: probabilities, or logits with ``from_logits``.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis.

    Example: ``categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0.0]]) -> [0.0513]``.
    """
    return loss_ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                             label_smoothing=label_smoothing, axis=axis)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> Tensor:
    """``-log(p[y_true])`` for integer class labels.

    Args:
        y_true: class indices, shaped like ``y_pred`` without its class axis (a trailing
            size-1 axis is accepted).
        y_pred: probabilities, or logits with ``from_logits``.
        ignore_class: a label whose positions get loss 0, no gradient, and a False entry in
            the ``_keras_mask`` left on the result (so a Loss averages over the others).
        axis: the class axis of ``y_pred``.

    Example: ``sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    -> [0.0513, 2.303]``.
    """
    result = loss_ops.sparse_categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, ignore_class=ignore_class, axis=axis)
    if ignore_class is not None:
        labels = convert_to_tensor(y_true)
        if labels.shape != result.shape:  # (batch, 1) labels for (batch,) losses
            labels = ops.reshape(labels, result.shape)
        result._keras_mask = ops.not_equal(labels, ignore_class)
    return result


def _same_rank(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Keras's trailing-size-1 reconciliation for the ops that do not do it themselves."""
    y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)
