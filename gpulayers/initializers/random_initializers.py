"""Random initializers with fixed parameters: RandomNormal, RandomUniform, TruncatedNormal,
Orthogonal, and the seed handling they share with the variance-scaling family.

Seeds, as in Keras 3:

- ``seed=<int>``: every call returns the same values (the initializer is deterministic).
- ``seed=SeedGenerator(...)``: each call draws the next values of a reproducible stream.
- ``seed=None``: each call draws from the global stream, so two layers get different weights
  and ``gpulayers.utils.set_random_seed(n)`` makes a whole run reproducible.

Example::

    RandomNormal(mean=0.0, stddev=0.05, seed=42)((3, 4))
    Orthogonal(gain=1.0)((64, 64))     # W.T @ W == I
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.backend import random as _random
from gpulayers.initializers.initializer import (
    Initializer,
    standardize_initializer_dtype,
    standardize_shape,
)

__all__ = ["Orthogonal", "OrthogonalInitializer", "RandomInitializer", "RandomNormal",
           "RandomUniform", "TruncatedNormal", "serialize_seed", "standardize_seed"]


def standardize_seed(seed: Any, caller: str) -> int | _random.SeedGenerator | None:
    """``seed`` as None, an int or a SeedGenerator (a serialized SeedGenerator dict too).

    Raises ValueError naming ``caller`` for anything else.
    """
    if seed is None or isinstance(seed, _random.SeedGenerator):
        return seed
    if isinstance(seed, dict) and seed.get("class_name") == "SeedGenerator":
        return _random.SeedGenerator(**(seed.get("config") or {}))
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return int(seed)
    raise ValueError(f"{caller}: `seed` must be None, an int or a SeedGenerator. "
                     f"Received: seed={seed!r}")


def serialize_seed(seed: int | _random.SeedGenerator | None) -> Any:
    """A seed for a config: ints and None as they are, a SeedGenerator as a Keras-style dict."""
    if isinstance(seed, _random.SeedGenerator):
        return {"module": "gpulayers.random", "class_name": "SeedGenerator",
                "config": {"seed": seed.seed}, "registered_name": None}
    return seed


def _number(value: Any, caller: str, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{caller}: `{argument}` must be a finite number. "
                         f"Received: {argument}={value!r}")
    return float(value)


def _positive(value: Any, caller: str, argument: str) -> float:
    number = _number(value, caller, argument)
    if number <= 0:
        raise ValueError(f"{caller}: `{argument}` must be positive. "
                         f"Received: {argument}={value!r}")
    return number


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the ``seed`` and writes it into the config.

    Args:
        seed: None (global stream), an int (same values every call) or a SeedGenerator
            (a reproducible stream of different values).
    """

    def __init__(self, seed: int | _random.SeedGenerator | None = None) -> None:
        self.seed = standardize_seed(seed, type(self).__name__)

    def get_config(self) -> dict[str, Any]:
        return {"seed": serialize_seed(self.seed)}

    def _prepare(self, shape: Sequence[int], dtype: Any) -> tuple[tuple[int, ...], str]:
        name = type(self).__name__
        return (standardize_shape(shape, name),
                standardize_initializer_dtype(dtype, name, float_only=True))


class RandomNormal(RandomInitializer):
    """Draws from a normal distribution ``N(mean, stddev**2)``.

    Args:
        mean: mean of the values. stddev: standard deviation of the values.
        seed: None, an int or a SeedGenerator (see the module docstring).

    Example: ``Dense(3, kernel_initializer=RandomNormal(stddev=0.01, seed=1))``.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean = _number(mean, "RandomNormal", "mean")
        self.stddev = _number(stddev, "RandomNormal", "stddev")
        super().__init__(seed)

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape, dtype = self._prepare(shape, dtype)
        return _random.normal(shape, mean=self.mean, stddev=self.stddev, dtype=dtype,
                              seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Draws from ``N(mean, stddev**2)``, re-drawing values more than 2 stddev from the mean.

    The standard deviation of the result is ``0.8796 * stddev`` (the truncation removes the
    tails).

    Args:
        mean: mean of the values. stddev: standard deviation before truncation.
        seed: None, an int or a SeedGenerator (see the module docstring).

    Example: ``Embedding(100, 8, embeddings_initializer=TruncatedNormal(stddev=0.02))``.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean = _number(mean, "TruncatedNormal", "mean")
        self.stddev = _number(stddev, "TruncatedNormal", "stddev")
        super().__init__(seed)

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape, dtype = self._prepare(shape, dtype)
        return _random.truncated_normal(shape, mean=self.mean, stddev=self.stddev, dtype=dtype,
                                        seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Draws uniformly from ``[minval, maxval)``.

    Args:
        minval: lower bound (inclusive). maxval: upper bound (exclusive).
        seed: None, an int or a SeedGenerator (see the module docstring).

    Example: ``RandomUniform(-0.1, 0.1, seed=0)((5, 5))``.
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        self.minval = _number(minval, "RandomUniform", "minval")
        self.maxval = _number(maxval, "RandomUniform", "maxval")
        if self.maxval < self.minval:
            raise ValueError(f"RandomUniform: `maxval` must be >= `minval`. "
                             f"Received: minval={minval!r}, maxval={maxval!r}")
        super().__init__(seed)

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape, dtype = self._prepare(shape, dtype)
        return _random.uniform(shape, minval=self.minval, maxval=self.maxval, dtype=dtype,
                               seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (times ``gain``) from the QR decomposition of a normal draw.

    Shapes of rank > 2 are treated as the matrix ``(prod(shape[:-1]), shape[-1])`` and reshaped
    back, so a conv kernel ``(kh, kw, in, out)`` gets orthogonal filters. With more rows than
    columns the columns are orthonormal (``W.T @ W == gain**2 * I``); otherwise the rows are.
    The signs of ``R``'s diagonal are folded into ``Q`` so the result is uniformly
    distributed over orthogonal matrices (Saxe et al., 2014).

    Args:
        gain: multiplicative factor applied to the orthogonal matrix.
        seed: None, an int or a SeedGenerator (see the module docstring).

    Example: ``LSTM(32, recurrent_initializer=Orthogonal(gain=1.0))``.
    """

    def __init__(self, gain: float = 1.0, seed: Any = None) -> None:
        self.gain = _number(gain, "Orthogonal", "gain")
        super().__init__(seed)

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape, dtype = self._prepare(shape, dtype)
        if len(shape) < 2:
            raise ValueError("Orthogonal: the tensor to initialize must be at least "
                             f"two-dimensional. Received: shape={shape} of rank {len(shape)}.")
        xp = backend.xp()
        rows, cols = math.prod(shape[:-1]), shape[-1]
        if rows == 0 or cols == 0:
            return xp.zeros(shape, dtype=dtype)
        # QR needs float32/float64; narrower floats are computed in float32 and cast.
        work = dtype if dtype in ("float32", "float64") else "float32"
        sample = _random.normal((max(rows, cols), min(rows, cols)), dtype=work, seed=self.seed)
        q, r = xp.linalg.qr(sample)
        signs = xp.sign(xp.diagonal(r))
        q = q * xp.where(signs == 0, 1, signs).astype(work)
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}


OrthogonalInitializer = Orthogonal  # Keras 3 exports both names
