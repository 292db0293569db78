"""Raw-array forward/backward arithmetic for the normalization ops (no tape).

Used by ``nn.batch_normalization``, ``nn.normalize`` and the cosine-similarity loss, whose
vjps work on raw backend arrays. Reductions keep dimensions so results broadcast back.

Example::

    out, saved = lp_normalize_forward(x, (1,), 2, 1e-7)
    dx = lp_normalize_backward(grad, x, out, saved, (1,), 2)
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend

__all__ = ["batch_norm_backward", "lp_normalize_backward", "lp_normalize_forward"]


def batch_norm_backward(grad: Any, normalized: Any, inverse_std: Any, scale: Any | None,
                        reduce_axes: tuple[int, ...]) -> tuple[Any, Any, Any, Any, Any]:
    """Gradients of ``y = normalized * scale + offset`` with ``normalized = (x - m) * inv_std``.

    Args:
        grad: gradient of y (shape of x). normalized: ``(x - mean) * inverse_std``.
        inverse_std: ``1 / sqrt(variance + epsilon)``, broadcastable to x.
        scale: broadcastable scale, or None. reduce_axes: every axis but the channel axis.

    Returns:
        ``(dx, d_mean, d_variance, d_offset, d_scale)``; the last four reduced over
        ``reduce_axes`` (keepdims for mean/variance, flat for offset/scale).
    """
    d_offset = grad.sum(axis=reduce_axes)
    d_scale = (grad * normalized).sum(axis=reduce_axes)
    grad_normalized = grad if scale is None else grad * scale
    dx = grad_normalized * inverse_std
    d_mean = -grad_normalized.sum(axis=reduce_axes, keepdims=True) * inverse_std
    d_variance = ((grad_normalized * normalized).sum(axis=reduce_axes, keepdims=True)
                  * (-0.5) * inverse_std * inverse_std)
    return dx, d_mean, d_variance, d_offset, d_scale


def lp_normalize_forward(x: Any, axes: tuple[int, ...], order: int,
                         epsilon: float) -> tuple[Any, dict[str, Any]]:
    """``x / max(||x||_p, epsilon)`` along ``axes`` (Keras: for p=2, ``x * min(rsqrt, 1/eps)``).

    Returns:
        ``(out, saved)`` where ``saved`` holds what the backward needs.
    """
    xp = backend.xp()
    if order == 2:
        norm = xp.sqrt((x * x).sum(axis=axes, keepdims=True))
    else:
        norm = (xp.abs(x) ** order).sum(axis=axes, keepdims=True) ** (1.0 / order)
    clamped = norm < epsilon
    denominator = xp.maximum(norm, epsilon)
    return x / denominator, {"norm": norm, "clamped": clamped, "denominator": denominator}


def lp_normalize_backward(grad: Any, x: Any, out: Any, saved: dict[str, Any],
                          axes: tuple[int, ...], order: int) -> Any:
    """vjp of :func:`lp_normalize_forward` (where the norm was clamped it is a constant)."""
    xp = backend.xp()
    projection = (grad * out).sum(axis=axes, keepdims=True)
    projection = xp.where(saved["clamped"], 0, projection)
    if order == 2:
        direction = out
    else:
        safe_norm = xp.where(saved["clamped"], 1, saved["norm"])
        direction = xp.sign(x) * (xp.abs(x) / safe_norm) ** (order - 1)
    return (grad - projection * direction) / saved["denominator"]
