"""The ``Initializer`` base class and the shape/dtype checks every initializer shares.

An initializer is a callable ``initializer(shape, dtype=None)`` returning a backend array
(``numpy.ndarray`` or ``cupy.ndarray``) of that shape and dtype; ``dtype`` defaults to
``floatx()``. It is configured by constructor arguments that ``get_config`` returns, so
``cls.from_config(obj.get_config())`` rebuilds it.

Example (a custom initializer, as in the Keras guides)::

    class ScaledOnes(Initializer):
        def __init__(self, scale=1.0):
            self.scale = scale

        def __call__(self, shape, dtype=None):
            return Ones()(shape, dtype) * self.scale

        def get_config(self):
            return {"scale": self.scale}
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.ops.dtypes import standardize_dtype

__all__ = ["Initializer", "standardize_initializer_dtype", "standardize_shape"]


class Initializer:
    """Base class of all initializers: ``__call__(shape, dtype=None)`` -> backend array.

    Subclasses implement ``__call__`` and, when they take arguments, ``get_config``.
    Every subclass is remembered by class name, so ``initializers.deserialize`` finds a
    custom initializer defined in the same process without ``custom_objects``.
    """

    _subclasses: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Initializer._subclasses[cls.__name__] = cls

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        """Return a backend array of ``shape`` and ``dtype`` (default ``floatx()``)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(self, shape, dtype=None)")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """Create an initializer from the dict returned by :meth:`get_config`."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same configuration."""
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


def standardize_shape(shape: Any, caller: str) -> tuple[int, ...]:
    """``shape`` (an int or a sequence of non-negative ints) as a tuple of ints.

    Raises TypeError/ValueError naming ``caller`` otherwise.
    """
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"{caller}: `shape` must be a tuple of ints. Received: shape={shape!r}"
                        ) from None
    for dim in dims:
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or dim < 0:
            raise ValueError(f"{caller}: `shape` must hold non-negative ints. "
                             f"Received: shape={shape!r}")
    return tuple(int(dim) for dim in dims)


def standardize_initializer_dtype(dtype: Any, caller: str, float_only: bool = False) -> str:
    """The dtype name for ``dtype`` (None -> ``floatx()``); ``float_only`` rejects non-floats.

    Raises TypeError naming ``caller`` for an unknown dtype, ValueError for a non-float dtype
    when a float is required.
    """
    name = standardize_dtype(backend.floatx() if dtype is None else dtype, caller)
    if float_only and not name.startswith("float"):
        raise ValueError(f"{caller}: expected a float dtype (float16, float32, float64). "
                         f"Received: dtype={dtype!r}")
    return name
