"""Weight constraints: Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm.

A constraint is a callable ``constraint(w)`` returning the projection of ``w`` (a Tensor of
the same shape); optimizers assign it back to the weight after each update.

Norms are taken along ``axis`` with ``keepdims``: for a Dense kernel ``(in, out)`` the
default ``axis=0`` constrains each unit's incoming weight vector; for a Conv2D kernel
``(kh, kw, in, out)`` use ``axis=[0, 1, 2]`` to constrain each filter.

Example::

    Dense(64, kernel_constraint=MaxNorm(3.0), bias_constraint="non_neg")
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Tensor, convert_to_tensor

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm"]


def _axis(axis: Any, caller: str) -> int | list[int]:
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return int(axis)
    if isinstance(axis, Sequence) and not isinstance(axis, str) and axis and all(
            isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axis):
        return [int(a) for a in axis]
    raise ValueError(f"{caller}: `axis` must be an int or a non-empty list of ints. "
                     f"Received: axis={axis!r}")


def _non_negative(value: Any, caller: str, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
        raise ValueError(f"{caller}: `{argument}` must be a non-negative number. "
                         f"Received: {argument}={value!r}")
    return value


def _float_weight(w: Any) -> Tensor:
    tensor = convert_to_tensor(w)
    if not tensor.dtype.startswith("float"):
        tensor = ops.cast(tensor, backend.floatx())
    return tensor


def _norms(w: Tensor, axis: int | list[int]) -> Tensor:
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class of weight constraints: ``__call__(w)`` returns the projected weight.

    The base class is the identity. Subclass it and override ``__call__`` (and
    ``get_config`` when the constructor takes arguments); every subclass is remembered by
    class name so ``constraints.deserialize`` finds it in the same process.

    Example::

        class Clip(Constraint):
            def __init__(self, limit=1.0):
                self.limit = limit
            def __call__(self, w):
                return ops.clip(w, -self.limit, self.limit)
            def get_config(self):
                return {"limit": self.limit}
    """

    _subclasses: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Constraint._subclasses[cls.__name__] = cls

    def __call__(self, w: Any) -> Tensor:
        """The projected weight (unchanged by the base class)."""
        return convert_to_tensor(w)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        """Create a constraint from the dict returned by :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class MaxNorm(Constraint):
    """Rescales each weight vector along ``axis`` whose L2 norm exceeds ``max_value``.

    ``w * clip(norm, 0, max_value) / (epsilon + norm)``; vectors already shorter are left
    (up to the epsilon).

    Args:
        max_value: the largest allowed norm. axis: the axis (or list of axes) of the norm.

    Example: ``Dense(64, kernel_constraint=MaxNorm(max_value=2, axis=0))``.
    """

    def __init__(self, max_value: float = 2, axis: int | Sequence[int] = 0) -> None:
        self.max_value = _non_negative(max_value, "MaxNorm", "max_value")
        self.axis = _axis(axis, "MaxNorm")

    def __call__(self, w: Any) -> Tensor:
        w = _float_weight(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to 0: ``maximum(w, 0)``.

    Example: ``Dense(8, kernel_constraint=NonNeg())`` or ``kernel_constraint='non_neg'``.
    """

    def __call__(self, w: Any) -> Tensor:
        return ops.maximum(convert_to_tensor(w), 0)


class UnitNorm(Constraint):
    """Rescales each weight vector along ``axis`` to L2 norm 1: ``w / (epsilon + norm)``.

    Args:
        axis: the axis (or list of axes) of the norm.

    Example: ``Dense(8, kernel_constraint=UnitNorm(axis=0))``.
    """

    def __init__(self, axis: int | Sequence[int] = 0) -> None:
        self.axis = _axis(axis, "UnitNorm")

    def __call__(self, w: Any) -> Tensor:
        w = _float_weight(w)
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each weight vector's L2 norm into ``[min_value, max_value]`` at speed ``rate``.

    The new norm is ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``, so
    ``rate=1`` enforces the bounds strictly and a smaller rate approaches them step by step.

    Args:
        min_value: smallest allowed norm. max_value: largest allowed norm.
        rate: enforcement rate in [0, 1]. axis: the axis (or list of axes) of the norm.

    Example: ``Dense(8, kernel_constraint=MinMaxNorm(0.5, 1.5, rate=0.5))``.
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: int | Sequence[int] = 0) -> None:
        self.min_value = _non_negative(min_value, "MinMaxNorm", "min_value")
        self.max_value = _non_negative(max_value, "MinMaxNorm", "max_value")
        if self.min_value > self.max_value:
            raise ValueError("MinMaxNorm: `min_value` must be <= `max_value`. Received: "
                             f"min_value={min_value!r}, max_value={max_value!r}")
        self.rate = _non_negative(rate, "MinMaxNorm", "rate")
        if self.rate > 1:
            raise ValueError(f"MinMaxNorm: `rate` must be in [0, 1]. Received: rate={rate!r}")
        self.axis = _axis(axis, "MinMaxNorm")

    def __call__(self, w: Any) -> Tensor:
        w = _float_weight(w)
        norms = _norms(w, self.axis)
        desired = (self.rate * ops.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}
