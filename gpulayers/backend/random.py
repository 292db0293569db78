"""Seeded random number generation on the active backend.

``set_random_seed(seed)`` re-seeds the global generator of every backend, so two runs with the
same seed on the same backend draw identical numbers. Passing ``seed=`` to a draw uses a fresh
generator for that draw (same numbers every call); a :class:`SeedGenerator` gives a reproducible
*stream* (different numbers each call, the same stream for the same seed), as in Keras 3.

gamma, beta, binomial, categorical, dropout and shuffle live in
:mod:`gpulayers.backend.random_distributions` and are re-exported here, so
``gpulayers.random`` has every ``keras.random`` name.
"""

from __future__ import annotations

import random as _python_random
from typing import Any

from gpulayers import backend as _backend
from gpulayers.backend import step_graphs

_global_seed: int | None = None
_global_generators: dict[str, Any] = {}


def set_seed(seed: int) -> None:
    """Re-seed the global generators of all backends and Python's ``random``."""
    global _global_seed
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"set_random_seed: seed must be an int. Received: {seed!r}")
    _global_seed = seed
    _global_generators.clear()
    _python_random.seed(seed)


def _new_generator(seed: int | None) -> Any:
    return _backend.xp().random.default_rng(seed)


def _global_generator() -> Any:
    name = _backend.backend()
    if name not in _global_generators:
        _global_generators[name] = _new_generator(_global_seed)
    return _global_generators[name]


class SeedGenerator:
    """A reproducible stream of random draws: the same ``seed`` gives the same sequence.

    Example::

        gen = SeedGenerator(1337)
        a = uniform((2, 3), seed=gen)
        b = uniform((2, 3), seed=gen)   # differs from a; a rerun gives the same a and b
    """

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise TypeError(f"SeedGenerator: seed must be an int or None. Received: {seed!r}")
        self.seed = seed
        self._generators: dict[str, Any] = {}

    def generator(self) -> Any:
        """The backend generator for the active backend (created on first use)."""
        name = _backend.backend()
        if name not in self._generators:
            seed = self.seed
            if seed is None:  # draw one from the global stream, so set_random_seed still rules
                seed = int(_global_generator().integers(0, 2**31 - 1))
            self._generators[name] = _new_generator(seed)
        return self._generators[name]


def _generator(seed: int | SeedGenerator | None) -> Any:
    if step_graphs.capturing():
        raise step_graphs.CaptureUnsupported(
            "the step draws random numbers (Dropout, noise or augmentation layers...): a "
            "CUDA graph would replay the draws it recorded in every step")
    if seed is None:
        return _global_generator()
    if isinstance(seed, SeedGenerator):
        return seed.generator()
    if isinstance(seed, int) and not isinstance(seed, bool):
        return _new_generator(seed)
    raise TypeError(f"seed must be None, an int or a SeedGenerator. Received: {seed!r}")


def _float_dtype(dtype: Any) -> Any:
    return _backend.xp().dtype(dtype or _backend.floatx())


def _draw_in(dtype: Any) -> Any:
    # Generators draw float32/float64 only; lower precisions are drawn in float32 and cast.
    return dtype if dtype.name in ("float32", "float64") else _backend.xp().dtype("float32")


def uniform(shape: tuple[int, ...], minval: float = 0.0, maxval: float = 1.0,
            dtype: Any = None, seed: int | SeedGenerator | None = None) -> Any:
    """Array of ``shape`` drawn uniformly from ``[minval, maxval)``."""
    dtype = _float_dtype(dtype)
    sample = _generator(seed).random(tuple(shape), dtype=_draw_in(dtype))
    return (sample * (maxval - minval) + minval).astype(dtype, copy=False)


def normal(shape: tuple[int, ...], mean: float = 0.0, stddev: float = 1.0,
           dtype: Any = None, seed: int | SeedGenerator | None = None) -> Any:
    """Array of ``shape`` drawn from a normal distribution."""
    dtype = _float_dtype(dtype)
    sample = _generator(seed).standard_normal(tuple(shape), dtype=_draw_in(dtype))
    return (sample * stddev + mean).astype(dtype, copy=False)


def truncated_normal(shape: tuple[int, ...], mean: float = 0.0, stddev: float = 1.0,
                     dtype: Any = None, seed: int | SeedGenerator | None = None) -> Any:
    """Normal draws re-drawn until they lie within two standard deviations (as Keras)."""
    dtype = _float_dtype(dtype)
    generator = _generator(seed)
    sample = generator.standard_normal(tuple(shape), dtype=_draw_in(dtype))
    outside = abs(sample) > 2.0
    while bool(outside.any()):
        fresh = generator.standard_normal(tuple(shape), dtype=_draw_in(dtype))
        sample = _backend.xp().where(outside, fresh, sample)
        outside = abs(sample) > 2.0
    return (sample * stddev + mean).astype(dtype, copy=False)


def randint(shape: tuple[int, ...], minval: int, maxval: int, dtype: Any = "int32",
            seed: int | SeedGenerator | None = None) -> Any:
    """Integers drawn uniformly from ``[minval, maxval)``."""
    return _generator(seed).integers(minval, maxval, size=tuple(shape)).astype(dtype)


def permutation(n: int, seed: int | SeedGenerator | None = None) -> Any:
    """A random permutation of ``range(n)`` (used to shuffle batches)."""
    # CuPy's Generator has no permutation(); ranking uniform draws works on both backends.
    return _backend.xp().argsort(_generator(seed).random(n))


# Re-exported last: random_distributions builds on _generator and SeedGenerator above.
from gpulayers.backend.random_distributions import (  # noqa: E402
    beta,
    binomial,
    categorical,
    dropout,
    gamma,
    shuffle,
)

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "permutation", "randint", "set_seed", "shuffle", "truncated_normal", "uniform"]
