"""The Gaussian blur shared by ``gpulayers.ops.image``, RandomGaussianBlur and
RandomElasticTransform.

Keras 3's ``ops.image.gaussian_blur`` convolves each channel with the outer product of two
normalised 1-D Gaussians, ``g(t) = exp(-t^2 / (2 sigma^2)) / sum`` at
``t = i - (size - 1) / 2``, over a zero-padded image (the output keeps the input's size).
The kernel being an outer product, the same result comes from two 1-D passes, one along
the width and one along the height, which is what :func:`gaussian_blur` does.

As Keras's backends compute it (its docstring says otherwise), the *first* entries of
``kernel_size`` and ``sigma`` apply along the width (x) and the second along the height.
"""

from __future__ import annotations

from typing import Any

import gpulayers.ops.math as _math
import gpulayers.ops.shape as _shape
from gpulayers.autodiff import Tensor
from gpulayers.ops.image_resampling import spatial_axes


def gaussian_kernel_1d(size: int, sigma: Any, dtype: str = "float32") -> Tensor:
    """The normalised 1-D Gaussian of ``size`` taps (``sigma`` a number or scalar tensor).

    Example: ``gaussian_kernel_1d(3, 1.0)`` is ``[0.274, 0.452, 0.274]``.
    """
    offsets = _math.arange(size, dtype=dtype) - (size - 1) / 2.0
    weights = _math.exp(-0.5 * _math.square(offsets / _math.cast(sigma, dtype)))
    return weights / _math.sum(weights)


def gaussian_blur(images: Any, kernel_size: Any = (3, 3), sigma: Any = (1.0, 1.0),
                  data_format: str = "channels_last",
                  label: str = "gaussian_blur") -> Tensor:
    """Blur a float rank-3 image or rank-4 batch with a Gaussian kernel, as Keras 3 does.

    Args:
        images: float images, ``(H, W, C)`` / ``(N, H, W, C)`` or channels_first.
        kernel_size: ``(width_taps, height_taps)``, odd ints.
        sigma: ``(sigma_x, sigma_y)``: numbers or a tensor of two values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        label: the name used in error messages.

    Returns:
        The blurred images, same shape and dtype; borders see zeros beyond the image.
    """
    images = _math.convert_to_tensor(images)
    h_axis, w_axis = spatial_axes(images.ndim, data_format, label)
    output = images
    for axis, index in ((w_axis, 0), (h_axis, 1)):
        kernel = gaussian_kernel_1d(int(kernel_size[index]), sigma[index], images.dtype)
        output = _convolve_axis(output, kernel, axis)
    return output


def _convolve_axis(x: Tensor, kernel: Tensor, axis: int) -> Tensor:
    """Correlate ``x`` along ``axis`` with a 1-D kernel over zero padding (same size)."""
    taps, length = kernel.shape[0], x.shape[axis]
    before = (taps - 1) // 2
    pad_width = [(0, 0)] * x.ndim
    pad_width[axis] = (before, taps - 1 - before)
    padded = _shape.pad(x, pad_width)
    result = None
    for tap in range(taps):
        key: list[Any] = [slice(None)] * x.ndim
        key[axis] = slice(tap, tap + length)
        term = padded[tuple(key)] * kernel[tap]
        result = term if result is None else result + term
    return result


__all__ = ["gaussian_blur", "gaussian_kernel_1d"]
