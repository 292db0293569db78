"""Running reductions: Sum, Mean and MeanMetricWrapper (the mean of a per-sample function).

``Mean().update_state(values, sample_weight)`` adds ``sum(values * w)`` to a total and
``sum(w)`` (the number of samples without weights) to a count; ``result()`` is
``total / count`` (0 before any update). Values with more axes than the weights are first
averaged over the extra trailing axes, so a ``(batch, timesteps)`` value with one weight per
sample counts once per sample, as in Keras.

Example::

    m = Mean()
    m.update_state([1.0, 3.0, 5.0], sample_weight=[1.0, 1.0, 0.0])
    m.result()                                     # 2.0
    acc = MeanMetricWrapper(metrics.binary_accuracy, name="acc", threshold=0.7)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.losses.reduction import apply_mask, divide_no_nan, squeeze_or_expand_to_same_rank
from gpulayers.metrics.metric import Metric

__all__ = ["Mean", "MeanMetricWrapper", "Sum", "reduce_to_samplewise_values"]


def _reduce(fn: Callable[..., Tensor], values: Tensor, start: int, stop: int) -> Tensor:
    return fn(values, axis=tuple(range(start, stop))) if stop > start else values


def reduce_to_samplewise_values(values: Any, sample_weight: Any, reduce_fn: Callable[..., Any],
                                dtype: str, owner: str = "metric"
                                ) -> tuple[Tensor, Tensor | None]:
    """Per-sample values (and weights) from ``values`` of any rank, as Keras's metrics do.

    A ``_keras_mask`` on ``values`` (e.g. from ``sparse_categorical_crossentropy(...,
    ignore_class=c)``) zeroes the weights of the masked positions. Values with more axes than
    the weights are reduced with ``reduce_fn`` over the extra axes first; then both are
    reduced over every axis but the first.

    Args:
        values: the batch's values. sample_weight: None, a scalar, per-sample or per-value
        weights. reduce_fn: ``ops.mean`` or ``ops.sum``. dtype: the metric's dtype.
        owner: the metric's name, for error messages.

    Returns:
        ``(values, sample_weight)``: values of rank <= 1 (weighted) and the matching weights
        (None when there were none).

    Example: ``reduce_to_samplewise_values([[1., 3.]], None, ops.mean, "float32") -> ([2.],
    None)``.
    """
    mask = getattr(values, "_keras_mask", None)
    values = convert_to_tensor(values)
    if values.dtype != dtype:
        values = ops.cast(values, dtype)
    if mask is not None:
        # Keras drops such a mask when no sample_weight is given; honouring it always keeps
        # ignored positions out of the count as well as out of the total.
        sample_weight = apply_mask(sample_weight, mask, dtype, reduction="sum", owner=owner)
    if sample_weight is not None:
        sample_weight = convert_to_tensor(sample_weight)
        if sample_weight.dtype != dtype:
            sample_weight = ops.cast(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        values = _reduce(reduce_fn, values, weight_ndim, values.ndim)
        try:
            sample_weight = ops.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise ValueError(
                f"{owner}: `sample_weight` of shape {tuple(sample_weight.shape)} does not fit "
                f"values of shape {values.shape}; expected a scalar, one weight per sample or "
                "one per value.") from None
        values = ops.multiply(values, sample_weight)
        sample_weight = _reduce(reduce_fn, sample_weight, 1, weight_ndim)
    return _reduce(reduce_fn, values, 1, values.ndim), sample_weight


class Sum(Metric):
    """The running (weighted) sum of the values passed to ``update_state``.

    Args: name: the metric's name. dtype: its dtype (``floatx()`` by default).

    Example: ``m = Sum(); m.update_state([1, 3, 5, 7]); m.result() -> 16.0``.
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self.dtype, name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add ``sum(values * sample_weight)`` to the total."""
        values, _ = reduce_to_samplewise_values(values, sample_weight, ops.sum, self.dtype,
                                                owner=f"Sum {self.name!r}")
        self.total.assign_add(ops.sum(values))

    def result(self) -> Tensor:
        return ops.copy(self.total)


class Mean(Metric):
    """The running (weighted) mean of the values passed to ``update_state``.

    Args: name: the metric's name. dtype: its dtype (``floatx()`` by default).

    Example::

        m = Mean()
        m.update_state([1, 3, 5, 7])                          # result 4.0
        m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        m.result()                                            # (16 + 4) / (4 + 2) = 3.33
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable((), "zeros", dtype=self.dtype, name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add the weighted values to the total and the weights (or sample count) to the
        count."""
        if self._add_weighted_scalar(values, sample_weight):
            return
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, ops.mean, self.dtype,
            owner=f"{type(self).__name__} {self.name!r}")
        self.total.assign_add(ops.sum(values))
        if sample_weight is not None:
            self.count.assign_add(ops.sum(sample_weight))
        else:
            self.count.assign_add(values.shape[0] if values.ndim else 1)

    def _add_weighted_scalar(self, values: Any, sample_weight: Any) -> bool:
        """The training loop's case (one loss value, weighted by the batch size), done on the
        arrays directly: it runs every step, and the general path costs a dozen ops."""
        if not (isinstance(values, Tensor) and values.ndim == 0 and values.dtype == self.dtype
                and getattr(values, "_keras_mask", None) is None
                and (sample_weight is None or (isinstance(sample_weight, numbers.Real)
                                               and not isinstance(sample_weight, bool)))):
            return False
        weight = 1.0 if sample_weight is None else float(sample_weight)
        self.total.assign_add(values.data * weight)
        self.count.assign_add(weight)
        return True

    def result(self) -> Tensor:
        return divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``, a per-sample function.

    Args:
        fn: ``fn(y_true, y_pred, **kwargs)`` returning one value per sample (a loss function
            or one of the accuracy functions, for instance).
        name: the metric's name. dtype: its dtype.
        **kwargs: keyword arguments passed to ``fn`` on every update (saved in the config).

    A ``_keras_mask`` on ``y_pred`` leaves the masked positions out of the mean.

    Example::

        m = MeanMetricWrapper(losses.mean_absolute_error, name="mae")
        m.update_state([[0.0, 1.0]], [[1.0, 1.0]], sample_weight=[2.0])
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: `fn` must be callable. Received: fn={fn!r}")
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add ``fn(y_true, y_pred)`` (weighted) to the running mean."""
        mask = getattr(y_pred, "_keras_mask", None)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = apply_mask(sample_weight, mask, self.dtype, reduction="sum",
                                   owner=f"{type(self).__name__} {self.name!r}")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        from gpulayers.metrics import serialize  # the package's name table (a cycle at import)

        return {**super().get_config(), "fn": serialize(self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanMetricWrapper:
        config = dict(config)
        if "fn" in config:
            from gpulayers.metrics import deserialize

            config["fn"] = deserialize(config["fn"])
        return cls(**config)
