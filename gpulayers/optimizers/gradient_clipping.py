"""Gradient clipping on backend arrays: by value, by each gradient's norm, by the global norm.

These are Keras 3's ``clipvalue``, ``clipnorm`` and ``global_clipnorm``. Norms stay 0-d device
arrays, so clipping never waits for the GPU to finish (no host sync per step).

Example::

    grads = clip_by_global_norm([g1, g2], 1.0)   # scaled so sqrt(|g1|^2 + |g2|^2) <= 1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend

__all__ = ["clip_by_global_norm", "clip_by_norm", "clip_by_value", "global_norm"]


def clip_by_value(gradients: Sequence[Any], clipvalue: float) -> list[Any]:
    """Each element clipped to ``[-clipvalue, clipvalue]``."""
    xp = backend.xp()
    return [xp.clip(g, -clipvalue, clipvalue) for g in gradients]


def clip_by_norm(gradients: Sequence[Any], clipnorm: float) -> list[Any]:
    """Each gradient ``g`` scaled by ``clipnorm / max(||g||, clipnorm)`` (its own L2 norm)."""
    xp = backend.xp()
    # g * c / max(norm, c): a zero gradient stays zero and needs no special case.
    return [g * (clipnorm / xp.maximum(xp.sqrt(xp.sum(g * g)), clipnorm)) for g in gradients]


def global_norm(gradients: Sequence[Any]) -> Any:
    """``sqrt(sum of every gradient's squared elements)`` as a 0-d float64 array."""
    xp = backend.xp()
    # float64 accumulation: a float32 sum of squares over millions of weights loses digits.
    total = sum(xp.sum(xp.square(g), dtype="float64") for g in gradients)
    return xp.sqrt(total)


def clip_by_global_norm(gradients: Sequence[Any], clipnorm: float) -> list[Any]:
    """All gradients scaled by ``clipnorm / max(global_norm, clipnorm)``.

    A non-finite global norm (an inf or NaN anywhere) makes every gradient NaN, as in Keras,
    so a diverged step shows up instead of silently becoming a zero update.
    """
    xp = backend.xp()
    norm = global_norm(gradients)
    scale = xp.where(xp.isfinite(norm), clipnorm / xp.maximum(norm, clipnorm), xp.nan)
    return [g * scale.astype(g.dtype) for g in gradients]
