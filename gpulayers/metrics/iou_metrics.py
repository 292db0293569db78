"""Intersection-over-union metrics for segmentation: IoU, MeanIoU, BinaryIoU, OneHotIoU and
OneHotMeanIoU (``keras.metrics.*IoU``).

Each keeps a ``(num_classes, num_classes)`` confusion matrix on the device (rows: true class,
columns: predicted class), adding every batch's weighted counts. For a class ``c``,
``IoU_c = cm[c, c] / (sum(cm[c, :]) + sum(cm[:, c]) - cm[c, c])``; the result is the mean of
``IoU_c`` over the target classes that appeared at all (a class never seen, in labels or
predictions, is left out rather than counted as 0).

As in Keras the state is int32 by default, so float sample weights are truncated (a warning
says so): pass ``dtype="float32"`` for fractional weights. Labels or predictions outside
``[0, num_classes)``, and labels equal to ``ignore_class``, are not counted.

Example::

    m = MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    m.result()                            # cm [[1, 1], [1, 1]]: (1/3 + 1/3) / 2 = 0.3333
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.metrics.metric import Metric

__all__ = ["BinaryIoU", "IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU"]


def _int(value: Any, argument: str, owner: str, minimum: int | None = None,
         optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or (minimum is not None and value < minimum):
        expected = "an integer" + ("" if minimum is None else f" >= {minimum}")
        raise ValueError(f"{owner}: `{argument}` must be {expected}"
                         f"{' or None' if optional else ''}. Received: {argument}={value!r}")
    return int(value)


class _IoUBase(Metric):
    """The accumulated confusion matrix shared by the IoU metrics (see the module)."""

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1) -> None:
        super().__init__(name=name, dtype=dtype or "int32")
        owner = f"{type(self).__name__} {self.name!r}"
        self.num_classes = _int(num_classes, "num_classes", owner, minimum=1)
        self.ignore_class = _int(ignore_class, "ignore_class", owner, optional=True)
        self.axis = _int(axis, "axis", owner)
        self.sparse_y_true = bool(sparse_y_true)
        self.sparse_y_pred = bool(sparse_y_pred)
        self._direction = "up"  # callbacks in mode='auto' maximize it
        self.total_cm = self.add_variable((self.num_classes, self.num_classes), "zeros",
                                          name="total_confusion_matrix")

    def _owner(self) -> str:
        return f"{type(self).__name__} {self.name!r}"

    def _weights(self, sample_weight: Any, labels_shape: tuple[int, ...], size: int) -> Tensor:
        """One weight per label, flattened: a scalar, one per label, or one per leading
        entry of the labels (e.g. per image of ``(batch, height, width)`` labels)."""
        if sample_weight is None:
            return ops.ones((size,), dtype=self.dtype)
        weights = convert_to_tensor(sample_weight)
        if weights.dtype.startswith("float") and self.dtype.startswith("int"):
            warnings.warn(f"{self._owner()}: `sample_weight` is float but the metric's dtype "
                          f"is {self.dtype}: the weights are truncated to integers. Use integer "
                          "weights or dtype='float32'.", stacklevel=3)
        weights = ops.cast(weights, self.dtype)
        if weights.ndim and weights.size == size:
            return ops.reshape(weights, (size,))
        if 0 < weights.ndim < len(labels_shape) \
                and weights.shape == labels_shape[:weights.ndim]:
            weights = ops.reshape(weights, weights.shape
                                  + (1,) * (len(labels_shape) - weights.ndim))
        try:
            return ops.reshape(ops.broadcast_to(weights, labels_shape), (size,))
        except ValueError:
            raise ValueError(f"{self._owner()}: `sample_weight` of shape {weights.shape} does "
                             f"not fit labels of shape {labels_shape}; expected a scalar, one "
                             "weight per label or one per sample.") from None

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's weighted (true class, predicted class) counts.

        Args:
            y_true: class indices of any shape (one-hot/probabilities along ``axis`` when
                ``sparse_y_true=False``).
            y_pred: class indices with as many entries as ``y_true`` (scores along ``axis``,
                reduced by argmax, when ``sparse_y_pred=False``).
            sample_weight: optional: a scalar, one weight per label, or per leading entry.

        Raises ValueError naming the metric when the sizes do not match.
        """
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        # The labels pass through the metric's dtype first, as in Keras (an int dtype
        # truncates float labels before the range check).
        y_true = ops.cast(convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(convert_to_tensor(y_pred), self.dtype)
        labels_shape = tuple(y_true.shape)
        size = y_true.size
        if y_pred.size != size:
            raise ValueError(f"{self._owner()}: `y_true` and `y_pred` must have the same number "
                             f"of entries. Received: y_true.shape={labels_shape}, "
                             f"y_pred.shape={tuple(y_pred.shape)}")
        y_true = ops.reshape(y_true, (size,))
        y_pred = ops.reshape(y_pred, (size,))
        weights = self._weights(sample_weight, labels_shape, size)
        n = self.num_classes
        valid = ops.logical_and(
            ops.logical_and(ops.greater_equal(y_true, 0), ops.less(y_true, n)),
            ops.logical_and(ops.greater_equal(y_pred, 0), ops.less(y_pred, n)))
        if self.ignore_class is not None:
            valid = ops.logical_and(valid, ops.not_equal(y_true, self.ignore_class))
        rows = ops.cast(ops.where(valid, y_true, 0), "int32")
        cols = ops.cast(ops.where(valid, y_pred, 0), "int32")
        weights = ops.cast(ops.where(valid, weights, 0), self.dtype)
        batch_cm = ops.scatter(ops.stack([rows, cols], axis=-1), weights, (n, n))
        self.total_cm.assign(self.total_cm + batch_cm)


class IoU(_IoUBase):
    """The mean intersection-over-union of the ``target_class_ids`` classes.

    Args:
        num_classes: the number of classes (the confusion matrix is
            ``(num_classes, num_classes)``).
        target_class_ids: the classes averaged over (ids in ``[0, num_classes)``).
        name: the metric's name (``'io_u'``, as Keras's snake_case of the class name).
        dtype: the state's dtype, ``'int32'`` by default (float weights are truncated).
        ignore_class: a label whose entries are not counted (e.g. a void class).
        sparse_y_true: whether labels are class indices (False: one-hot / scores, reduced by
            argmax along ``axis``).
        sparse_y_pred: the same for predictions.
        axis: the class axis for the argmax.

    Raises ValueError naming the class for a bad argument or a target id out of range.

    Example::

        m = IoU(num_classes=2, target_class_ids=[0])
        m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[3, 2, 4, 1])
        m.result()                          # 3 / (3 + 2 + 4) = 0.3333
    """

    def __init__(self, num_classes: int, target_class_ids: Any, name: str | None = None,
                 dtype: Any = None, ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        owner = self._owner()
        ids = list(target_class_ids) if isinstance(target_class_ids, (list, tuple)) \
            else [target_class_ids]
        bad = [i for i in ids if isinstance(i, bool) or not isinstance(i, numbers.Integral)
               or not 0 <= i < self.num_classes]
        if bad or not ids:
            raise ValueError(f"{owner}: `target_class_ids` must be a non-empty list of class "
                             f"ids in [0, {self.num_classes}). Received: "
                             f"target_class_ids={target_class_ids!r}")
        self.target_class_ids = [int(i) for i in ids]
        self._target_ids = ops.convert_to_tensor(self.target_class_ids, dtype="int32")

    def result(self) -> Tensor:
        """The mean IoU over the target classes seen so far (a float32 scalar)."""
        cm = ops.cast(self.total_cm, "float32")
        true_positives = ops.diagonal(cm)
        denominator = ops.sum(cm, axis=0) + ops.sum(cm, axis=1) - true_positives
        true_positives = ops.take(true_positives, self._target_ids)
        denominator = ops.take(denominator, self._target_ids)
        seen = ops.greater(denominator, 1e-9)
        iou = ops.where(seen, true_positives / (denominator + backend.epsilon()), 0.0)
        return ops.sum(iou) / (ops.sum(ops.cast(seen, "float32")) + backend.epsilon())

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of a binary mask: predictions ``>= threshold`` are class 1, the rest class 0.

    Args:
        target_class_ids: which of the two classes are averaged (default both, ``(0, 1)``).
        threshold: the probability at or above which a prediction is class 1 (0.5).
        name: the metric's name (``'binary_io_u'``). dtype: the state's dtype (``'int32'``).

    Example: ``BinaryIoU(target_class_ids=[1])([0, 1, 1], [0.2, 0.7, 0.4]) -> 0.5``.
    """

    def __init__(self, target_class_ids: Any = (0, 1), threshold: float = 0.5,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
            raise ValueError(f"{self._owner()}: `threshold` must be a number. Received: "
                             f"threshold={threshold!r}")
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Threshold ``y_pred`` (probabilities) and add the batch's counts."""
        y_pred = ops.cast(convert_to_tensor(y_pred), "float32")
        y_pred = ops.cast(ops.greater_equal(y_pred, self.threshold), self.dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """The mean IoU over all ``num_classes`` classes (the usual segmentation score).

    Args: num_classes, name (``'mean_io_u'``), dtype, ignore_class, sparse_y_true,
    sparse_y_pred, axis: see :class:`IoU`.

    Example: ``MeanIoU(num_classes=2)([0, 0, 1, 1], [0, 1, 0, 1]) -> 0.3333``.
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1) -> None:
        classes = _int(num_classes, "num_classes", f"{type(self).__name__}", minimum=1)
        super().__init__(num_classes=classes, target_class_ids=list(range(classes)),
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """:class:`IoU` for one-hot labels and per-class scores (both reduced by argmax).

    Args: num_classes, target_class_ids, name (``'one_hot_io_u'``), dtype, ignore_class,
    axis: see :class:`IoU`. sparse_y_pred: whether predictions are already class indices
    (default False).

    Example: ``OneHotIoU(3, [0, 2])(one_hot_labels, softmax_scores)``.
    """

    def __init__(self, num_classes: int, target_class_ids: Any, name: str | None = None,
                 dtype: Any = None, ignore_class: int | None = None,
                 sparse_y_pred: bool = False, axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids,
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """:class:`MeanIoU` for one-hot labels and per-class scores (both reduced by argmax).

    Args: num_classes, name (``'one_hot_mean_io_u'``), dtype, ignore_class, axis: see
    :class:`IoU`. sparse_y_pred: whether predictions are already class indices (False).

    Example: ``OneHotMeanIoU(3)(one_hot_labels, softmax_scores)``.
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False,
                 axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}
