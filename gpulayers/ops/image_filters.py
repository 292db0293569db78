"""Fixed-kernel image filters: Sobel edges and SSIM (``keras.ops.image.sobel_edges`` and
``keras.ops.image.ssim``), built from differentiable ops.

Sobel follows Keras's torch backend: a 3x3 depthwise correlation over *zero* padding
(TensorFlow's ``tf.image.sobel_edges`` pads by reflection instead).
"""

from __future__ import annotations

from typing import Any

import gpulayers.ops.math as _math
import gpulayers.ops.reductions as _reductions
import gpulayers.ops.shape as _shape
from gpulayers.autodiff import Tensor
from gpulayers.backend.config import standardize_data_format
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.gaussian_filter import gaussian_kernel_1d

__all__ = ["sobel_edges", "ssim"]

_SOBEL_X = ((-1.0, 0.0, 1.0), (-2.0, 0.0, 2.0), (-1.0, 0.0, 1.0))
_SOBEL_Y = ((-1.0, -2.0, -1.0), (0.0, 0.0, 0.0), (1.0, 2.0, 1.0))


def _correlate(x: Tensor, kernel: Any, h_axis: int, w_axis: int, pad: bool) -> Tensor:
    """2-D correlation of every channel with a small kernel (rows x cols of Python floats
    or of scalar tensors); ``pad`` zero-pads to keep the size, else 'valid'."""
    rows, cols = len(kernel), len(kernel[0])
    if pad:
        widths = [(0, 0)] * x.ndim
        widths[h_axis], widths[w_axis] = ((rows - 1) // 2,) * 2, ((cols - 1) // 2,) * 2
        x = _shape.pad(x, widths)
    out_h, out_w = x.shape[h_axis] - rows + 1, x.shape[w_axis] - cols + 1
    result = None
    for i in range(rows):
        for j in range(cols):
            weight = kernel[i][j]
            if isinstance(weight, float) and weight == 0.0:
                continue
            key: list[Any] = [slice(None)] * x.ndim
            key[h_axis], key[w_axis] = slice(i, i + out_h), slice(j, j + out_w)
            term = x[tuple(key)] * weight
            result = term if result is None else result + term
    return result


def sobel_edges(images: Any, data_format: str | None = None) -> Tensor:
    """Sobel gradients of a batch ``(N, H, W, C)`` (or ``(N, C, H, W)``): the output adds a
    last axis of 2 holding ``[dy, dx]`` -> ``(N, H, W, C, 2)`` (channels_first:
    ``(N, C, H, W, 2)``)."""
    images = to_operand_tensor(images, "sobel_edges")
    fmt = standardize_data_format(data_format)
    if images.ndim != 4:
        raise ValueError(f"sobel_edges: invalid images rank: expected rank 4 (batch of "
                         f"images). Received: images.shape={images.shape}")
    h_axis, w_axis = (1, 2) if fmt == "channels_last" else (2, 3)
    dy = _correlate(images, _SOBEL_Y, h_axis, w_axis, pad=True)
    dx = _correlate(images, _SOBEL_X, h_axis, w_axis, pad=True)
    return _shape.stack([dy, dx], axis=-1)


def ssim(image1: Any, image2: Any, max_val: float = 1.0, filter_size: int = 11,
         filter_sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03,
         data_format: str | None = None) -> Tensor:
    """Structural similarity of two images (or batches): Gaussian-weighted local means,
    variances and covariance over 'valid' windows, averaged over pixels and channels.

    Returns a scalar for rank-3 inputs, ``(N,)`` for batches, in ``image1``'s dtype.

    Example: ``ssim(x, x)`` is 1.
    """
    first = to_operand_tensor(image1, "ssim")
    second = to_operand_tensor(image2, "ssim")
    fmt = standardize_data_format(data_format)
    for name, image in (("image1", first), ("image2", second)):
        if image.ndim not in (3, 4):
            raise ValueError(f"ssim: invalid {name} rank: expected rank 3 (single image) or "
                             f"rank 4 (batch of images). Received: {name}.shape={image.shape}")
    if first.shape != second.shape:
        raise ValueError(f"ssim: image1 and image2 must have the same shape. Received "
                         f"{first.shape} and {second.shape}")
    dtype = first.dtype
    work = "float64" if dtype == "float64" else "float32"
    x, y = _math.cast(first, work), _math.cast(second, work)
    if x.ndim == 3:
        x, y = _shape.expand_dims(x, 0), _shape.expand_dims(y, 0)
    h_axis, w_axis = (1, 2) if fmt == "channels_last" else (2, 3)
    g = gaussian_kernel_1d(int(filter_size), float(filter_sigma), work)
    kernel = [[g[i] * g[j] for j in range(int(filter_size))] for i in range(int(filter_size))]

    def blur(value: Tensor) -> Tensor:
        return _correlate(value, kernel, h_axis, w_axis, pad=False)

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mu1, mu2 = blur(x), blur(y)
    sigma1 = blur(x * x) - mu1 * mu1
    sigma2 = blur(y * y) - mu2 * mu2
    sigma12 = blur(x * y) - mu1 * mu2
    ssim_map = ((2.0 * mu1 * mu2 + c1) * (2.0 * sigma12 + c2)
                / ((mu1 * mu1 + mu2 * mu2 + c1) * (sigma1 + sigma2 + c2)))
    result = _reductions.mean(ssim_map, axis=(1, 2, 3))
    if first.ndim == 3:
        result = _shape.reshape(result, ())
    return _math.cast(result, dtype) if result.dtype != dtype else result
