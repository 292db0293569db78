"""Focal crossentropies (Lin et al., 2017): BinaryFocalCrossentropy, CategoricalFocalCrossentropy
and their per-sample functions.

A focal factor ``(1 - p_t) ** gamma`` (``p_t``: the probability given to the true class)
down-weights the easy examples, so training concentrates on the hard ones; ``gamma = 0`` gives
the plain crossentropy back (times ``alpha`` for the categorical one). Everything goes through
:mod:`gpulayers.ops`, so the losses are differentiable and stay on the device.

Example::

    binary_focal_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], gamma=2.0)
    # [0.330, 0.206]
    CategoricalFocalCrossentropy()([[0., 1., 0.], [0., 0., 1.]],
                                   [[0.05, 0.95, 0.], [0.1, 0.8, 0.1]])          # 0.2332
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.losses.loss import Loss
from gpulayers.losses.probabilistic_losses import _SmoothedCrossentropy

__all__ = ["BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
           "binary_focal_crossentropy", "categorical_focal_crossentropy"]

_REDUCTION = "sum_over_batch_size"


def _inputs(y_true: Any, y_pred: Any) -> tuple[Tensor, Tensor]:
    y_pred = convert_to_tensor(y_pred)
    if not y_pred.dtype.startswith("float"):
        y_pred = ops.cast(y_pred, backend.floatx())
    return ops.cast(convert_to_tensor(y_true), y_pred.dtype), y_pred


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> Tensor:
    """Mean over ``axis`` of ``(1 - p_t) ** gamma * bce``, with
    ``p_t = y * p + (1 - y) * (1 - p)`` and ``bce`` the elementwise binary crossentropy of
    ``p`` clipped to ``[epsilon, 1 - epsilon]``.

    Args:
        y_true: 0/1 (or soft) labels. y_pred: probabilities, or logits with ``from_logits``
            (passed through a sigmoid first).
        apply_class_balancing: also weight positives by ``alpha`` and negatives by
            ``1 - alpha``.
        alpha: the positive class's weight when balancing. gamma: the focusing exponent.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + 0.5 * s``.
        axis: the axis averaged over.

    Example: ``binary_focal_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    -> [0.330, 0.206]``.
    """
    y_true, y_pred = _inputs(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    epsilon = backend.epsilon()
    p = ops.clip(y_pred, epsilon, 1.0 - epsilon)
    bce = ops.negative(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: Any = 0.25,
                                   gamma: float = 2.0, from_logits: bool = False,
                                   label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """``sum(alpha * (1 - p) ** gamma * -y * log(p), axis)``, ``p`` being ``y_pred``
    renormalized to sum to 1 over ``axis`` and clipped to ``[epsilon, 1 - epsilon]``.

    Args:
        y_true: one-hot (or soft) labels. y_pred: probabilities, or logits with
            ``from_logits`` (passed through a softmax over ``axis`` first).
        alpha: a weight for every class (a number or one number per class).
        gamma: the focusing exponent.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis.

    Raises ValueError for a boolean ``axis``; warns (SyntaxWarning, as Keras) when the last
    axis of ``y_pred`` has size 1.

    Example: ``categorical_focal_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.9, 0.05],
    [0.1, 0.85, 0.05]]) -> [2.634e-04, 0.6759]``.
    """
    if isinstance(axis, bool):
        raise ValueError(f"categorical_focal_crossentropy: `axis` must be of type `int`. "
                         f"Received: axis={axis} of type {type(axis)}")
    y_true, y_pred = _inputs(y_true, y_pred)
    if y_pred.shape and y_pred.shape[-1] == 1:
        warnings.warn("In loss categorical_focal_crossentropy, expected y_pred.shape to be "
                      "(batch_size, num_classes) with num_classes > 1. Received: "
                      f"y_pred.shape={y_pred.shape}. Consider using 'binary_crossentropy' if "
                      "you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    epsilon = backend.epsilon()
    output = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    output = ops.clip(output, epsilon, 1.0 - epsilon)
    cce = ops.negative(y_true) * ops.log(output)
    weighting = ops.power(1.0 - output, gamma) * convert_to_tensor(alpha, dtype=y_pred.dtype)
    return ops.sum(weighting * cce, axis=axis)


def _real(value: Any, argument: str, owner: str, low: float | None = None,
          high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or (low is not None and value < low) or (high is not None and value > high):
        bounds = "" if low is None else f" in [{low}, {high}]" if high is not None \
            else f" >= {low}"
        raise ValueError(f"{owner}: `{argument}` must be a number{bounds}. "
                         f"Received: {argument}={value!r}")
    return value


def _alpha_config(alpha: Any) -> Any:
    """``alpha`` in a JSON-friendly form: a number, or a list of numbers."""
    if isinstance(alpha, numbers.Real):
        return alpha
    return [float(a) for a in (alpha.tolist() if hasattr(alpha, "tolist") else alpha)]


class BinaryFocalCrossentropy(_SmoothedCrossentropy):
    """Binary crossentropy scaled by the focal factor ``(1 - p_t) ** gamma``.

    Args:
        apply_class_balancing: also weight positives by ``alpha``, negatives by
            ``1 - alpha``.
        alpha: in [0, 1], the positive class's weight when balancing (default 0.25).
        gamma: the focusing exponent (>= 0, default 2.0; 0 gives the plain crossentropy).
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; labels are squeezed towards 0.5.
        axis: the axis averaged over.
        reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Raises ValueError naming the class for an argument out of range.

    Example::

        loss = BinaryFocalCrossentropy(gamma=2.0, from_logits=True)
        loss([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])                      # 0.691
    """

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = _REDUCTION,
                 name: str = "binary_focal_crossentropy", dtype: Any = None) -> None:
        owner = f"BinaryFocalCrossentropy {name!r}"
        _real(alpha, "alpha", owner, 0.0, 1.0)
        _real(gamma, "gamma", owner, 0.0)
        super().__init__(binary_focal_crossentropy, from_logits, label_smoothing, axis,
                         reduction, name, dtype)
        self._fn_kwargs.update(apply_class_balancing=apply_class_balancing, alpha=alpha,
                               gamma=gamma)
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "apply_class_balancing": self.apply_class_balancing,
                "alpha": self.alpha, "gamma": self.gamma}


class CategoricalFocalCrossentropy(_SmoothedCrossentropy):
    """Categorical crossentropy scaled by ``alpha * (1 - p) ** gamma`` per class.

    Args:
        alpha: a weight for all classes (default 0.25) or a list with one per class (e.g.
            inverse class frequencies).
        gamma: the focusing exponent (>= 0, default 2.0).
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis.
        reduction, name, dtype: see :class:`~gpulayers.losses.Loss`.

    Raises ValueError naming the class for an argument out of range.

    Example: ``CategoricalFocalCrossentropy()([[0., 1., 0.], [0., 0., 1.]],
    [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]) -> 0.2332``.
    """

    def __init__(self, alpha: Any = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _REDUCTION,
                 name: str = "categorical_focal_crossentropy", dtype: Any = None) -> None:
        owner = f"CategoricalFocalCrossentropy {name!r}"
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"{owner}: `axis` must be an integer. Received: axis={axis!r}")
        _real(gamma, "gamma", owner, 0.0)
        if not isinstance(alpha, numbers.Real):
            try:
                alpha = _alpha_config(alpha)
            except (TypeError, ValueError):
                raise ValueError(f"{owner}: `alpha` must be a number or a list of numbers. "
                                 f"Received: alpha={alpha!r}") from None
            for value in alpha:
                _real(value, "alpha", owner)
        else:
            _real(alpha, "alpha", owner)
        super().__init__(categorical_focal_crossentropy, from_logits, label_smoothing, axis,
                         reduction, name, dtype)
        self._fn_kwargs.update(alpha=alpha, gamma=gamma)
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "alpha": self.alpha, "gamma": self.gamma,
                "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis}
