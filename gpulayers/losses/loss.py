"""The Loss base class: ``loss(y_true, y_pred, sample_weight=None)`` -> a scalar Tensor.

A loss's :meth:`Loss.call` returns one value per sample (or per timestep, ...); ``__call__``
then weights those values by ``sample_weight`` and by the mask the prediction carries
(``y_pred._keras_mask``, set by masking layers) and reduces them as Keras 3 does (see
:mod:`gpulayers.losses.reduction`). Everything is computed with :mod:`gpulayers.ops`, so the
result is differentiable and stays on the device.

Example::

    class MeanCubedError(Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.absolute(y_pred - y_true) ** 3, axis=-1)

    MeanCubedError()([[0.0, 1.0]], [[1.0, 1.0]])          # 0.5
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.initializers.object_catalog import to_snake_case
from gpulayers.layers.layer import unique_name
from gpulayers.losses.reduction import (
    REDUCTIONS,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)
from gpulayers.ops.dtypes import standardize_dtype

__all__ = ["Loss", "squeeze_or_expand_to_same_rank", "standardize_reduction"]


def standardize_reduction(reduction: Any, owner: str = "Loss") -> str | None:
    """``reduction`` checked against Keras 3's names (``None`` is kept: it means ``'none'``).

    Args: reduction: the value to check. owner: the loss's name, for the error message.
    Raises ValueError naming ``owner``, the allowed values and the received one.
    Example: ``standardize_reduction("sum") -> "sum"``.
    """
    if not isinstance(reduction, (str, type(None))) or reduction not in REDUCTIONS:
        allowed = ", ".join(repr(r) for r in REDUCTIONS)
        raise ValueError(f"{owner}: invalid value for argument `reduction`. Expected one of "
                         f"{allowed}. Received: reduction={reduction!r}")
    return reduction


def loss_dtype(dtype: Any, owner: str) -> str:
    """The dtype a loss or metric computes in: ``dtype`` (a name or a policy-like object with
    ``.name``) or ``floatx()``."""
    if dtype is None:
        return backend.floatx()
    if isinstance(dtype, dict):  # a serialized Keras DTypePolicy
        dtype = dtype.get("config", {}).get("name")
    if hasattr(dtype, "name") and not isinstance(dtype, str):
        dtype = dtype.name
    return standardize_dtype(dtype, owner)


def to_dtype(value: Any, dtype: str) -> Tensor:
    """``value`` as a Tensor of ``dtype``; a Tensor is cast differentiably (gradients flow)."""
    if isinstance(value, Tensor):
        return value if value.dtype == dtype else ops.cast(value, dtype)
    return convert_to_tensor(value, dtype)


class Loss:
    """Base class of losses (``keras.losses.Loss``).

    Args:
        name: the loss's name (logs, errors); defaults to the snake_case class name, made
            unique in this process (``loss``, ``loss_1``, ...).
        reduction: how the weighted per-sample values become the result:
            ``'sum_over_batch_size'`` (default: sum / number of values), ``'sum'``,
            ``'mean'`` (same as sum_over_batch_size), ``'mean_with_sample_weight'`` (sum /
            sum of the weights) or ``'none'`` / ``None`` (the weighted values, unreduced).
        dtype: the dtype both inputs are cast to and the loss is computed in; ``floatx()``
            by default.

    Subclasses implement :meth:`call`; give them ``get_config`` when their constructor takes
    more arguments. Every subclass is remembered by class name, so ``losses.deserialize``
    finds one defined in the same process.

    Example::

        class MeanCubedError(Loss):
            def call(self, y_true, y_pred):
                return ops.mean(ops.absolute(y_pred - y_true) ** 3, axis=-1)

        loss = MeanCubedError(reduction="sum")
        loss([[0.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [2.0, 0.0]])   # 0.5 + 4.0
    """

    _subclasses: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Loss._subclasses[cls.__name__] = cls

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        owner = f"{type(self).__name__} {self.name!r}"
        self.reduction = standardize_reduction(reduction, owner)
        self._requested_dtype = dtype
        self._dtype = loss_dtype(dtype, owner)

    @property
    def dtype(self) -> str:
        """The dtype the loss computes in."""
        return self._dtype

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The reduced, weighted loss: a scalar Tensor (per-sample values for ``'none'``).

        Args:
            y_true: targets, any array-like (cast to the loss's dtype).
            y_pred: predictions; a ``_keras_mask`` on it (from a masking layer) weights the
                masked-out positions 0 and, for the mean reductions, divides by the number of
                unmasked positions instead of all positions.
            sample_weight: optional weights: a scalar, one per sample (``(batch,)``), or one
                per value of :meth:`call`'s result (e.g. ``(batch, timesteps)``).

        Raises:
            ValueError naming the loss when shapes do not fit together.
        """
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = to_dtype(y_pred, self.dtype)
        y_true = to_dtype(y_true, self.dtype)
        values = self.call(y_true, y_pred)
        out_mask = getattr(values, "_keras_mask", None)
        if in_mask is not None and out_mask is not None:
            mask = ops.logical_and(in_mask, out_mask)
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(values, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self.dtype,
                                      owner=f"{type(self).__name__} {self.name!r}")

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        """The unreduced loss values, one per sample (or per sample and timestep, ...)."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-serializable dict."""
        config: dict[str, Any] = {"name": self.name, "reduction": self.reduction}
        if self._requested_dtype is not None:
            config["dtype"] = self.dtype
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Create the loss from the dict :meth:`get_config` returned."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"
