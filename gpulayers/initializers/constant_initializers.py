"""Deterministic initializers: Zeros, Ones, Constant and Identity.

Example::

    Zeros()((2, 3))                     # float32 zeros (floatx())
    Constant(0.5)((4,), dtype="float64")
    Identity(gain=2.0)((3, 3))          # 2 * eye(3)
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import unwrap
from gpulayers.initializers.initializer import (
    Initializer,
    standardize_initializer_dtype,
    standardize_shape,
)

__all__ = ["Constant", "Identity", "IdentityInitializer", "Ones", "Zeros"]


class Zeros(Initializer):
    """Fills with 0 (any numeric or bool dtype).

    Example: ``Zeros()((2, 2))`` -> ``[[0., 0.], [0., 0.]]``; ``Dense(3,
    bias_initializer='zeros')``.
    """

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape = standardize_shape(shape, "Zeros")
        return backend.xp().zeros(shape, dtype=standardize_initializer_dtype(dtype, "Zeros"))


class Ones(Initializer):
    """Fills with 1 (any numeric or bool dtype).

    Example: ``Ones()((2,))`` -> ``[1., 1.]``; ``BatchNormalization(gamma_initializer='ones')``.
    """

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape = standardize_shape(shape, "Ones")
        return backend.xp().ones(shape, dtype=standardize_initializer_dtype(dtype, "Ones"))


class Constant(Initializer):
    """Fills with ``value``: a scalar, or an array that broadcasts to the requested shape.

    Args:
        value: a Python number (Keras's case) or an array-like / Tensor broadcastable to the
            shape asked for; it is cast to the requested dtype.

    Example: ``Constant(10.)((2, 2))``; ``Constant([1., 2., 3.])((2, 3))`` repeats the row.
    """

    def __init__(self, value: Any = 0.0) -> None:
        if isinstance(value, dict):  # Keras 3 writes arrays as {'class_name': '__numpy__', ...}
            value = value.get("config", {}).get("value", value)
        if not isinstance(value, numbers.Number):
            try:
                backend.to_numpy(value).astype("float64")
            except (TypeError, ValueError):
                raise TypeError(f"Constant: `value` must be a number or an array of numbers. "
                                f"Received: value={value!r}") from None
        self.value = value

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape = standardize_shape(shape, "Constant")
        dtype = standardize_initializer_dtype(dtype, "Constant")
        xp = backend.xp()
        if isinstance(self.value, numbers.Number):
            return xp.full(shape, self.value, dtype=dtype)
        value = backend.to_device(unwrap(self.value), dtype=dtype)
        try:
            return xp.broadcast_to(value, shape).copy()
        except ValueError:
            raise ValueError(f"Constant: `value` of shape {tuple(value.shape)} cannot be "
                             f"broadcast to the requested shape {shape}") from None

    def get_config(self) -> dict[str, Any]:
        value = self.value
        if not isinstance(value, numbers.Number):
            value = backend.to_numpy(unwrap(value)).tolist()
        elif hasattr(value, "item"):  # a NumPy scalar: write a plain Python number
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; non-square gives ``eye(n, m)``).

    Args:
        gain: multiplicative factor applied to the identity matrix.

    Example: ``Identity()((3, 3))``; ``SimpleRNN(4, recurrent_initializer='identity')``.
    """

    def __init__(self, gain: float = 1.0) -> None:
        if isinstance(gain, bool) or not isinstance(gain, numbers.Real):
            raise TypeError(f"Identity: `gain` must be a number. Received: gain={gain!r}")
        self.gain = gain

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape = standardize_shape(shape, "Identity")
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dtype = standardize_initializer_dtype(dtype, "Identity")
        xp = backend.xp()
        return (self.gain * xp.eye(*shape, dtype=dtype)).astype(dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        return {"gain": float(self.gain)}


IdentityInitializer = Identity  # Keras 3 exports both names
