"""Weight and activity penalties: Regularizer, L1, L2, L1L2, OrthogonalRegularizer.

A regularizer is a callable ``regularizer(x)`` returning a scalar Tensor computed with
:mod:`gpulayers.ops`, so the penalty is differentiable and training adds its gradient.

Example::

    Dense(64, kernel_regularizer=L2(1e-4), activity_regularizer=L1(1e-5))
    L1L2(l1=0.01, l2=0.01)(w)      # 0.01 * sum(|w|) + 0.01 * sum(w**2)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor, convert_to_tensor

__all__ = ["L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "validate_float_arg"]


def validate_float_arg(value: Any, name: str, caller: str = "Regularizer") -> float:
    """``value`` as a float, or ValueError naming ``caller`` unless it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"{caller}: invalid value for argument `{name}`: expected a "
                         f"non-negative float. Received: {name}={value!r}")
    return float(value)


def _float_input(x: Any) -> Tensor:
    tensor = convert_to_tensor(x)
    if not tensor.dtype.startswith("float"):
        tensor = ops.cast(tensor, "float32")
    return tensor


class Regularizer:
    """Base class of regularizers: ``__call__(x)`` returns a scalar penalty Tensor.

    Any function ``x -> scalar`` also works as a regularizer; subclass this to make one
    serializable (implement ``get_config`` when the constructor takes arguments). Every
    subclass is remembered by class name, so ``regularizers.deserialize`` finds a custom one
    defined in the same process.

    Example::

        class L2Sum(Regularizer):
            def __init__(self, l2=0.0):
                self.l2 = l2
            def __call__(self, x):
                return self.l2 * ops.sum(ops.square(x))
            def get_config(self):
                return {"l2": self.l2}
    """

    _subclasses: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Regularizer._subclasses[cls.__name__] = cls

    def __call__(self, x: Any) -> Tensor:
        """The penalty for ``x`` (the base class penalizes nothing: 0)."""
        return ops.zeros((), dtype=_float_input(x).dtype)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        """Create a regularizer from the dict returned by :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``.

    Args:
        l1: L1 factor (>= 0; None means 0). l2: L2 factor (>= 0; None means 0).

    The name ``'l1_l2'`` gives ``L1L2(l1=0.01, l2=0.01)`` (Keras 2's defaults); the class's
    own defaults are 0, so ``L1L2(l2=0.1)`` has no L1 term.

    Example: ``Dense(3, kernel_regularizer=L1L2(l1=1e-5, l2=1e-4))``.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x: Any) -> Tensor:
        x = _float_input(x)
        penalty = ops.zeros((), dtype=x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * ops.sum(ops.absolute(x))
        if self.l2:
            penalty = penalty + self.l2 * ops.sum(ops.square(x))
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``.

    Args:
        l1: the L1 factor (>= 0; None means the default 0.01).

    Example: ``Dense(3, kernel_regularizer='l1')`` uses ``l1=0.01``.
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = validate_float_arg(0.01 if l1 is None else l1, "l1", "L1")

    def __call__(self, x: Any) -> Tensor:
        return self.l1 * ops.sum(ops.absolute(_float_input(x)))

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x**2)`` (no factor 1/2, as in Keras).

    Args:
        l2: the L2 factor (>= 0; None means the default 0.01).

    Example: ``Conv2D(32, 3, kernel_regularizer=L2(5e-4))``.
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, x: Any) -> Tensor:
        return self.l2 * ops.sum(ops.square(_float_input(x)))

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards being mutually orthogonal.

    The penalty is ``factor * 0.5 * sum(|P - diag(P)|) / (n * (n - 1) / 2)``, where ``P`` is
    the matrix of dot products between the L2-normalized rows (``mode='rows'``, ``n`` rows)
    or columns (``mode='columns'``): ``factor`` times the mean absolute cosine similarity over
    distinct pairs. With a single row/column there are no pairs and the penalty is 0.

    Args:
        factor: the regularization factor (>= 0). mode: ``'rows'`` or ``'columns'``.

    Example: ``Dense(4, kernel_regularizer=OrthogonalRegularizer(factor=0.01))``.
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = validate_float_arg(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError("OrthogonalRegularizer: invalid value for argument `mode`. "
                             f"Expected one of {{'rows', 'columns'}}. Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, inputs: Any) -> Tensor:
        x = _float_input(inputs)
        if x.ndim != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. "
                             f"Received: inputs.shape={x.shape}")
        if self.mode == "rows":
            unit = ops.normalize(x, axis=1)
            product = ops.matmul(unit, ops.transpose(unit))
            size = x.shape[0]
        else:
            unit = ops.normalize(x, axis=0)
            product = ops.matmul(ops.transpose(unit), unit)
            size = x.shape[1]
        if size < 2:
            return ops.zeros((), dtype=x.dtype)
        off_diagonal = product * (1.0 - ops.eye(size, dtype=x.dtype))
        pairs = size * (size - 1) / 2.0
        return (self.factor * 0.5 / pairs) * ops.sum(ops.absolute(off_diagonal))

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "mode": self.mode}
