"""LossFunctionWrapper: a Loss made from a function ``fn(y_true, y_pred, **kwargs)``.

Every built-in loss class is one of these around its function from
:mod:`gpulayers.losses.functions`; wrap your own function the same way to get reductions,
sample weights and masks for free.

Example::

    def mean_cubed_error(y_true, y_pred, power=3.0):
        return ops.mean(ops.absolute(y_pred - y_true) ** power, axis=-1)

    loss = LossFunctionWrapper(mean_cubed_error, name="mce", power=3.0)
    loss([[0.0, 1.0]], [[1.0, 1.0]])          # 0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers.autodiff import Tensor
from gpulayers.losses.loss import Loss
from gpulayers.losses.reduction import squeeze_or_expand_to_same_rank

__all__ = ["LossFunctionWrapper"]


class LossFunctionWrapper(Loss):
    """A :class:`Loss` whose :meth:`call` is ``fn(y_true, y_pred, **kwargs)``.

    Args:
        fn: the per-sample loss function.
        reduction: see :class:`Loss`. name: the loss's name. dtype: see :class:`Loss`.
        **kwargs: extra keyword arguments passed to ``fn`` on every call (and saved in the
            config).

    Before calling ``fn``, a rank difference of one due to a trailing size-1 axis is
    reconciled (``(batch,)`` targets with ``(batch, 1)`` predictions), as in Keras.

    Example: ``LossFunctionWrapper(losses.huber, delta=0.5)(y_true, y_pred)``.
    """

    def __init__(self, fn: Callable[..., Any], reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"LossFunctionWrapper: `fn` must be callable. Received: fn={fn!r}")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        from gpulayers.losses import serialize  # the package's name table (a cycle at import)

        return {**super().get_config(), "fn": serialize(self.fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LossFunctionWrapper:
        config = dict(config)
        if "fn" in config:
            from gpulayers.losses import deserialize

            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        name = getattr(self.fn, "__name__", repr(self.fn))
        return f"<{type(self).__name__}({name}, kwargs={self._fn_kwargs}) name={self.name!r}>"
