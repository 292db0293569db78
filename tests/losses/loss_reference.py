"""Plain-NumPy reference formulas for the loss tests (per-sample values and reductions).

Keras 3 (a test-only peer, on its torch backend) is reached through :func:`keras_or_skip`,
which skips the test with the reason when it is not installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

EPS = 1e-7


def mse(t, p):
    return np.mean((t - p) ** 2, axis=-1)


def mae(t, p):
    return np.mean(np.abs(t - p), axis=-1)


def mape(t, p):
    return 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), axis=-1)


def msle(t, p):
    return np.mean((np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(t, EPS))) ** 2, axis=-1)


def huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.mean(np.where(e <= delta, 0.5 * e ** 2, delta * e - 0.5 * delta ** 2), axis=-1)


def log_cosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), axis=-1)


def cosine(t, p, axis=-1):
    tn = t / np.sqrt(np.maximum(np.sum(t ** 2, axis=axis, keepdims=True), 1e-12))
    pn = p / np.sqrt(np.maximum(np.sum(p ** 2, axis=axis, keepdims=True), 1e-12))
    return -np.sum(tn * pn, axis=axis)


def bce(t, p, from_logits=False, smoothing=0.0):
    t = t * (1 - smoothing) + 0.5 * smoothing
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=-1)


def cce(t, p, from_logits=False, smoothing=0.0):
    t = t * (1 - smoothing) + smoothing / t.shape[-1]
    if from_logits:
        p = np.exp(p - p.max(axis=-1, keepdims=True))
    p = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(t * np.log(p), axis=-1)


def scce(labels, p, from_logits=False):
    classes = p.shape[-1]
    return cce(np.eye(classes)[labels.astype(int)], p, from_logits)


def kld(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), axis=-1)


def poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


def _signs(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def hinge(t, p):
    return np.mean(np.maximum(1 - _signs(t) * p, 0), axis=-1)


def squared_hinge(t, p):
    return np.mean(np.maximum(1 - _signs(t) * p, 0) ** 2, axis=-1)


def categorical_hinge(t, p):
    pos = np.sum(t * p, axis=-1)
    neg = np.max((1 - t) * p, axis=-1)
    return np.maximum(neg - pos + 1, 0)


def reduce(values: np.ndarray, reduction: str | None, sample_weight: Any = None,
           mask: np.ndarray | None = None) -> np.ndarray:
    """Keras 3's weighting and reduction of per-sample values, written out plainly."""
    values = np.asarray(values, dtype=np.float64)
    weights = np.ones_like(values)
    if sample_weight is not None:
        sw = np.asarray(sample_weight, dtype=np.float64)
        if sw.ndim == values.ndim + 1 and sw.shape[-1] == 1:  # (batch, 1) weights
            values = values[..., None] if values.ndim == 1 else values
            sw = sw if values.ndim == sw.ndim else sw[..., 0]
            weights = np.ones_like(values)
        if sw.ndim and sw.ndim < values.ndim:
            sw = sw.reshape(sw.shape + (1,) * (values.ndim - sw.ndim))
        weights = weights * sw
    if mask is not None:
        kept = mask.astype(np.float64)
        if reduction in ("sum_over_batch_size", "mean"):
            kept = kept * (mask.size / max(mask.sum(), 1))
        weights = weights * kept
    weighted = values * weights
    if reduction in (None, "none"):
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean_with_sample_weight":
        return weighted.sum() / weights.sum()
    return weighted.sum() / weighted.size
