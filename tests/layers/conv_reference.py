"""Plain-loop NumPy references for the convolution layer tests (float64, channels_last).

Deliberately naive: one Python loop over output positions and kernel taps, TensorFlow's
padding rules written out per dim. Independent of gpulayers' im2col/GEMM code.
"""

from __future__ import annotations

import math

import numpy as np


def tf_same_pads(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow 'same': ceil(n / s) outputs, the extra cell of an odd total after."""
    extent = (k - 1) * d + 1
    total = max((math.ceil(n / s) - 1) * s + extent - n, 0)
    return total // 2, total - total // 2


def reference_conv(x, w, strides, padding, dilation, groups=1):
    """``x`` (N, *S, C), ``w`` (*K, C // groups, F) -> (N, *out, F)."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    rank = x.ndim - 2
    k = w.shape[:rank]
    if padding == "valid":
        pads = [(0, 0)] * rank
    elif padding == "same":
        pads = [tf_same_pads(x.shape[1 + i], k[i], strides[i], dilation[i]) for i in range(rank)]
    else:  # causal
        pads = [(dilation[0] * (k[0] - 1), 0)]
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    out_sizes = [(xp.shape[1 + i] - (k[i] - 1) * dilation[i] - 1) // strides[i] + 1
                 for i in range(rank)]
    channels, filters = x.shape[-1], w.shape[-1]
    cin, fout = channels // groups, filters // groups
    out = np.zeros((x.shape[0], *out_sizes, filters))
    for pos in np.ndindex(*out_sizes):
        for tap in np.ndindex(*k):
            index = tuple(p * s + q * d for p, q, s, d in zip(pos, tap, strides, dilation))
            patch = xp[(slice(None), *index)]
            for g in range(groups):
                out[(slice(None), *pos, slice(g * fout, (g + 1) * fout))] += (
                    patch[:, g * cin:(g + 1) * cin] @ w[tap][:, g * fout:(g + 1) * fout])
    return out


def reference_depthwise(x, w, strides, padding, dilation):
    """``w`` (*K, C, M): output channel c * M + m is channel c convolved with w[..., c, m]."""
    channels, multiplier = w.shape[-2], w.shape[-1]
    outs = [reference_conv(x[..., c:c + 1], w[..., c:c + 1, m:m + 1], strides, padding,
                           dilation)
            for c in range(channels) for m in range(multiplier)]
    return np.concatenate(outs, axis=-1)


def reference_conv_transpose(x, w, strides, padding, output_padding, dilation):
    """``x`` (N, *S, C), ``w`` (*K, F, C): the scatter of every input cell through the kernel,
    cropped to Keras's output length with TensorFlow's 'same' offset."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    rank = x.ndim - 2
    k = w.shape[:rank]
    lengths, offsets = [], []
    for i in range(rank):
        n, s, d = x.shape[1 + i], strides[i], dilation[i]
        extent = (k[i] - 1) * d + 1
        if output_padding is None:
            length = n * s + max(extent - s, 0) if padding == "valid" else n * s
        else:
            pad = extent // 2 if padding == "same" else 0
            length = (n - 1) * s + extent - 2 * pad + output_padding[i]
        lengths.append(length)
        offsets.append(tf_same_pads(length, k[i], s, d)[0] if padding == "same" else 0)
    full_sizes = [(x.shape[1 + i] - 1) * strides[i] + (k[i] - 1) * dilation[i] + 1
                  + lengths[i] + offsets[i] for i in range(rank)]
    full = np.zeros((x.shape[0], *full_sizes, w.shape[-2]))
    for pos in np.ndindex(*x.shape[1:-1]):
        for tap in np.ndindex(*k):
            index = tuple(p * s + q * d for p, q, s, d in zip(pos, tap, strides, dilation))
            full[(slice(None), *index)] += x[(slice(None), *pos)] @ w[tap].T
    crop = tuple(slice(o, o + n) for o, n in zip(offsets, lengths))
    return full[(slice(None), *crop)]


def to_last(x, data_format):
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def to_first(x, data_format):
    return np.moveaxis(x, -1, 1) if data_format == "channels_first" else x


def relu(x):
    return np.maximum(x, 0)
