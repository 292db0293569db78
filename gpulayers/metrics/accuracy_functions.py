"""Per-sample accuracy functions (``keras.metrics.*_accuracy``): 1.0 for a hit, 0.0 otherwise.

Each returns a ``floatx()`` Tensor with one value per sample (per position for sequence
outputs); the accuracy metrics average them.

Example::

    binary_accuracy([[1], [0]], [[0.7], [0.6]])                   # [[1.], [0.]]
    categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])  # [0, 1]
    sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=2)
"""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.losses.reduction import squeeze_or_expand_to_same_rank

__all__ = ["accuracy", "binary_accuracy", "categorical_accuracy", "check_k", "in_top_k",
           "sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy",
           "top_k_categorical_accuracy"]


def _hits(matches: Tensor) -> Tensor:
    return ops.cast(matches, backend.floatx())


def check_k(k: Any, owner: str) -> int:
    """``k`` as an int, or ValueError naming ``owner`` unless it is a positive integer.

    Args: k: the value to check. owner: for the error message. Example: ``check_k(5, "m")``.
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"{owner}: `k` must be a positive integer. Received: k={k!r}")
    return int(k)


def _check_classes(y_pred: Tensor, owner: str) -> None:
    if y_pred.ndim < 1:
        raise ValueError(f"{owner}: `y_pred` must have a class axis (rank >= 1). "
                         f"Received: y_pred.shape={y_pred.shape}")


def accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where ``y_pred`` equals ``y_true`` exactly (for class ids or rounded outputs).

    Args: y_true: labels. y_pred: predicted labels, the same shape (up to a trailing 1).
    Example: ``accuracy([[1], [2], [3], [4]], [[0], [2], [3], [4]]) -> [0, 1, 1, 1]``.
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "accuracy")
    return _hits(ops.equal(y_true, y_pred))


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """1.0 where ``y_pred > threshold`` agrees with the 0/1 label.

    Args:
        y_true: 0/1 labels. y_pred: probabilities (or scores). threshold: the decision
            threshold.

    Example: ``binary_accuracy([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]) -> [1, 1, 1,
    0]``.
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "binary_accuracy")
    decisions = ops.cast(ops.greater(y_pred, threshold), y_true.dtype)
    return _hits(ops.equal(y_true, decisions))


def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where the arg-max of ``y_pred`` is the arg-max of the one-hot ``y_true``.

    Args: y_true: one-hot labels. y_pred: class scores, the same shape.
    Example: ``categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95,
    0]]) -> [0, 1]``.
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    _check_classes(y_pred, "categorical_accuracy")
    _check_same_shape(y_true, y_pred, "categorical_accuracy")
    return _hits(ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where the arg-max of ``y_pred`` equals the integer label.

    Args: y_true: class ids, shape ``y_pred.shape[:-1]`` (or with a trailing 1).
        y_pred: class scores.
    Example: ``sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    -> [0, 1]``.
    """
    y_pred = convert_to_tensor(y_pred)
    _check_classes(y_pred, "sparse_categorical_accuracy")
    y_true = convert_to_tensor(y_true, y_pred.dtype)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            "sparse_categorical_accuracy: `y_true` must have the shape of `y_pred` without its "
            f"class axis. Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), y_true.dtype)
    return _hits(ops.equal(y_true, predicted))


def in_top_k(targets: Any, predictions: Any, k: int) -> Tensor:
    """Whether each target class is among the ``k`` highest predictions of its row.

    Ties count in the target's favour (a target tied with the k-th score is in), as in
    Keras's NumPy backend; with ``k >= num_classes`` every target is in. A target outside
    ``[0, num_classes)`` is never in (checked on the device: no host round trip).

    Args: targets: class ids, shape ``(n,)``. predictions: scores, shape ``(n, classes)``.
    k: how many top classes count. Example: ``in_top_k([1], [[0.1, 0.5, 0.9]], 2) -> [True]``.
    """
    predictions = convert_to_tensor(predictions)
    targets = ops.cast(convert_to_tensor(targets), "int32")
    classes = ops.arange(predictions.shape[-1], dtype="int32")
    # A one-hot pick instead of take_along_axis, whose bounds check reads back to the host.
    picked = ops.equal(ops.expand_dims(targets, -1), classes)
    target_scores = ops.sum(ops.where(picked, predictions, 0), axis=-1, keepdims=True)
    higher = ops.sum(ops.cast(ops.greater(predictions, target_scores), "int32"), axis=-1)
    return ops.logical_and(ops.any(picked, axis=-1), ops.less(higher, k))


def _top_k_hits(labels: Tensor, y_pred: Tensor, k: int) -> Tensor:
    """``in_top_k`` over every position of ``labels`` (any rank), as floats shaped alike."""
    classes = y_pred.shape[-1]
    hits = in_top_k(ops.reshape(labels, (-1,)), ops.reshape(y_pred, (-1, classes)), k)
    return _hits(ops.reshape(hits, labels.shape))


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Tensor:
    """1.0 where the one-hot label's class is among the ``k`` highest scores.

    Args: y_true: one-hot labels. y_pred: class scores. k: how many top classes count.
    Example: ``top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8],
    [0.05, 0.95, 0]], k=1) -> [0, 1]``.
    """
    k = check_k(k, "top_k_categorical_accuracy")
    y_pred = convert_to_tensor(y_pred)
    _check_classes(y_pred, "top_k_categorical_accuracy")
    y_true = convert_to_tensor(y_true)
    _check_same_shape(y_true, y_pred, "top_k_categorical_accuracy")
    return _top_k_hits(ops.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5,
                                      from_sorted_ids: bool = False) -> Tensor:
    """1.0 where the integer label is among the ``k`` highest scores.

    Args:
        y_true: class ids (a trailing size-1 axis is kept in the result, as in Keras).
        y_pred: class scores, or with ``from_sorted_ids`` the class ids already sorted by
            score (best first, e.g. from a retrieval model), of which the first ``k`` count.
        k: how many top classes count.

    Example: ``sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
    k=1) -> [0, 1]``.
    """
    k = check_k(k, "sparse_top_k_categorical_accuracy")
    y_pred = convert_to_tensor(y_pred)
    _check_classes(y_pred, "sparse_top_k_categorical_accuracy")
    y_true = convert_to_tensor(y_true)
    if y_true.size != (y_pred.size // max(y_pred.shape[-1], 1)):
        raise ValueError(
            "sparse_top_k_categorical_accuracy: `y_true` needs one class id per row of "
            f"`y_pred`. Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    if from_sorted_ids:
        flat = ops.reshape(y_pred, (-1, y_pred.shape[-1]))[:, :k]
        labels = ops.cast(ops.reshape(y_true, (-1, 1)), flat.dtype)
        hits = ops.any(ops.equal(labels, flat), axis=1)
        return _hits(ops.reshape(hits, y_true.shape))
    return _top_k_hits(ops.cast(y_true, "int32"), y_pred, k)


def _check_same_shape(y_true: Tensor, y_pred: Tensor, owner: str) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{owner}: `y_true` and `y_pred` must have the same shape. "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
