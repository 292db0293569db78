"""More of ``keras.random``: gamma, beta and binomial draws, categorical sampling, dropout and
shuffling, on the active backend (NumPy or CuPy), with Keras's signatures.

Seeds work as everywhere in :mod:`gpulayers.backend.random`: ``seed=None`` draws from the
global stream (``set_random_seed`` rules it), an int gives the same numbers on every call, a
:class:`~gpulayers.backend.random.SeedGenerator` gives a reproducible stream.

Example::

    gen = random.SeedGenerator(7)
    g = random.gamma((1000,), alpha=2.0, seed=gen)           # mean ~ 2
    idx = random.categorical([[0.0, 1.0, 2.0]], 5, seed=3)   # shape (1, 5), int32
    y = random.dropout(x, 0.5, seed=gen)                      # kept entries scaled by 2
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend as _backend
from gpulayers.backend.random import SeedGenerator, _generator

__all__ = ["beta", "binomial", "categorical", "dropout", "gamma", "shuffle"]

Seed = int | SeedGenerator | None


def _shape(shape: Any, name: str) -> tuple[int, ...]:
    try:
        return tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: `shape` must be a tuple of ints. Received: shape={shape!r}"
                        ) from None


def _parameter(value: Any, shape: tuple[int, ...], name: str, argument: str) -> Any:
    """``value`` (a number, array or Tensor) as a float64 array broadcast to ``shape``."""
    xp = _backend.xp()
    data = xp.asarray(getattr(value, "_data", value), dtype="float64")
    try:
        return xp.broadcast_to(data, shape)
    except ValueError:
        raise ValueError(f"{name}: `{argument}` of shape {data.shape} does not broadcast to "
                         f"shape {shape}") from None


def _standard_gamma(generator: Any, alpha: Any) -> Any:
    # Drawn in float64 (NumPy's and CuPy's gamma samplers accept an array of shapes there)
    # and cast by the caller: float16 has too little range for small-alpha draws.
    return generator.standard_gamma(alpha, size=alpha.shape)


def gamma(shape: tuple[int, ...], alpha: Any, dtype: Any = None, seed: Seed = None) -> Any:
    """Draws from Gamma(``alpha``, scale 1): mean ``alpha``, variance ``alpha``.

    Args:
        shape: the output shape.
        alpha: the concentration, a positive number or an array broadcastable to ``shape``.
        dtype: the output dtype (default ``floatx()``).
        seed: None, an int or a SeedGenerator.
    """
    shape = _shape(shape, "gamma")
    alpha = _parameter(alpha, shape, "gamma", "alpha")
    sample = _standard_gamma(_generator(seed), alpha)
    return sample.astype(dtype or _backend.floatx(), copy=False)


def beta(shape: tuple[int, ...], alpha: Any, beta: Any, dtype: Any = None,
         seed: Seed = None) -> Any:
    """Draws from Beta(``alpha``, ``beta``): mean ``alpha / (alpha + beta)``.

    Args:
        shape: the output shape.
        alpha, beta: positive numbers or arrays broadcastable to ``shape``.
        dtype: the output dtype (default ``floatx()``).
        seed: None, an int or a SeedGenerator.
    """
    shape = _shape(shape, "beta")
    a = _parameter(alpha, shape, "beta", "alpha")
    b = _parameter(beta, shape, "beta", "beta")
    generator = _generator(seed)
    # X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) is Beta(a, b); it takes array parameters on
    # both backends (CuPy's Generator.beta takes only scalars).
    x = _standard_gamma(generator, a)
    y = _standard_gamma(generator, b)
    return (x / (x + y)).astype(dtype or _backend.floatx(), copy=False)


def binomial(shape: tuple[int, ...], counts: Any, probabilities: Any, dtype: Any = None,
             seed: Seed = None) -> Any:
    """Number of successes in ``counts`` trials of probability ``probabilities``.

    Args:
        shape: the output shape.
        counts: trial counts (non-negative), a number or an array broadcastable to ``shape``.
        probabilities: success probabilities in [0, 1], broadcastable to ``shape``.
        dtype: the output dtype (default ``floatx()``, as Keras).
        seed: None, an int or a SeedGenerator.
    """
    shape = _shape(shape, "binomial")
    n = _parameter(counts, shape, "binomial", "counts")
    p = _parameter(probabilities, shape, "binomial", "probabilities")
    if bool((p < 0).any()) or bool((p > 1).any()):
        raise ValueError("binomial: `probabilities` must lie in [0, 1]")
    sample = _generator(seed).binomial(n.astype("int64"), p, size=shape)
    return sample.astype(dtype or _backend.floatx(), copy=False)


def categorical(logits: Any, num_samples: int, dtype: Any = "int32", seed: Seed = None) -> Any:
    """Class indices drawn from each row's ``softmax(logits)``, with replacement.

    Args:
        logits: shape ``(batch_size, num_classes)``, unnormalized log-probabilities
            (``-inf`` for a class that must never be drawn).
        num_samples: draws per row.
        dtype: the integer output dtype.
        seed: None, an int or a SeedGenerator.

    Returns:
        An array of shape ``(batch_size, num_samples)``.
    """
    xp = _backend.xp()
    data = xp.asarray(getattr(logits, "_data", logits), dtype="float64")
    if data.ndim != 2:
        raise ValueError("categorical: `logits` should be a 2-D tensor with shape "
                         f"[batch_size, num_classes]. Received shape: {data.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 0:
        raise ValueError(f"categorical: `num_samples` must be a non-negative int. Received: "
                         f"{num_samples!r}")
    shifted = xp.exp(data - data.max(axis=1, keepdims=True))
    cdf = xp.cumsum(shifted / shifted.sum(axis=1, keepdims=True), axis=1)
    u = _generator(seed).random((data.shape[0], num_samples))
    # Inverse CDF: the class is the number of cumulative probabilities <= u (a class with
    # zero probability adds no width, so it is never chosen).
    index = (cdf[:, None, :] <= u[:, :, None]).sum(axis=2)
    return xp.minimum(index, data.shape[1] - 1).astype(dtype)


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Seed = None) -> Any:
    """Zero each entry with probability ``rate``, scale the rest by ``1 / (1 - rate)``.

    Args:
        inputs: an array or a Tensor (a Tensor gives a Tensor, differentiable in ``inputs``).
        rate: the drop probability, in [0, 1].
        noise_shape: the shape of the keep mask, broadcast to ``inputs.shape``; ``None``
            entries take the input's size (e.g. ``(batch, 1, channels)`` drops whole
            channels of a sequence).
        seed: None, an int or a SeedGenerator.
    """
    rate = float(rate)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"dropout: `rate` must be in [0, 1]. Received: rate={rate}")
    xp = _backend.xp()
    data = getattr(inputs, "_data", None)
    data = xp.asarray(inputs) if data is None else data
    if rate == 0.0:
        return inputs
    if data.dtype.kind != "f":  # scaling by 1 / (1 - rate) makes integers fractional
        data = data.astype(_backend.floatx())
    if noise_shape is None:
        noise_shape = data.shape
    elif len(noise_shape) != data.ndim:
        raise ValueError(f"dropout: `noise_shape` {tuple(noise_shape)} must have one entry per "
                         f"input axis; inputs have shape {data.shape}")
    noise_shape = tuple(data.shape[i] if n is None else int(n)
                        for i, n in enumerate(noise_shape))
    keep = 1.0 - rate
    if rate == 1.0:
        scale = xp.zeros(noise_shape, dtype=data.dtype)
    else:
        kept = _generator(seed).random(noise_shape) < keep
        scale = kept.astype(data.dtype) / data.dtype.type(keep)
    if hasattr(inputs, "_data"):
        from gpulayers import ops  # lazy: the backend sits below ops (layering)

        return ops.multiply(inputs, scale)
    return (data * scale).astype(data.dtype, copy=False)


def shuffle(x: Any, axis: int = 0, seed: Seed = None) -> Any:
    """``x`` with its slices along ``axis`` in a random order (one permutation for all).

    Args:
        x: an array or a Tensor (a Tensor gives a Tensor, differentiable in ``x``).
        axis: the axis whose slices are permuted.
        seed: None, an int or a SeedGenerator.

    Example: ``shuffle(x, seed=1)`` permutes the rows of ``x``; each row stays intact.
    """
    xp = _backend.xp()
    data = getattr(x, "_data", None)
    data = xp.asarray(x) if data is None else data
    if data.ndim == 0 or isinstance(axis, bool) or not isinstance(axis, int) or not (
            -data.ndim <= axis < data.ndim):
        raise ValueError(f"shuffle: `axis` must be an int in [-{data.ndim}, {data.ndim}). "
                         f"Received: axis={axis!r} for shape {data.shape}")
    axis %= data.ndim
    permutation = xp.argsort(_generator(seed).random(data.shape[axis]))
    if hasattr(x, "_data"):
        from gpulayers import ops  # lazy: the backend sits below ops (layering)

        return ops.take(x, permutation, axis=axis)
    return xp.take(data, permutation, axis=axis)
