"""Patch extraction (``keras.ops.image.extract_patches`` / ``extract_patches_3d``).

Each output position holds the flattened window ``(rows, cols[, depth], channels)`` that a
convolution with the same ``size``, ``strides``, ``dilation_rate`` and ``padding`` would
see: it *is* such a convolution, with an identity kernel (as Keras computes it), so the
layout matches Keras exactly and gradients come from the convolution.

Example: ``extract_patches(images (2, 20, 20, 3), (5, 5)).shape == (2, 4, 4, 75)``.
"""

from __future__ import annotations

from typing import Any

import gpulayers.ops.math as _math
import gpulayers.ops.shape as _shape
from gpulayers.autodiff import Tensor
from gpulayers.backend.config import standardize_data_format
from gpulayers.ops.conv import conv
from gpulayers.ops.dtypes import to_operand_tensor

__all__ = ["extract_patches", "extract_patches_3d"]


def extract_patches(images: Any, size: Any, strides: Any = None, dilation_rate: Any = 1,
                    padding: str = "valid", data_format: str | None = None) -> Tensor:
    """Patches of images (``size`` an int or ``(h, w)``: 2-D) or of volumes (``size`` of
    length 3: 3-D, as :func:`extract_patches_3d`). ``strides`` defaults to ``size``."""
    if not isinstance(size, int):
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"extract_patches: invalid `size` argument. Expected an int or "
                            f"a tuple. Received: size={size!r}")
        if len(size) not in (2, 3):
            raise ValueError(f"extract_patches: invalid `size` argument. Expected a tuple "
                             f"of length 2 or 3. Received: size={size!r}")
    if not isinstance(size, int) and len(size) == 3:
        return _patches("extract_patches", images, tuple(size), strides, dilation_rate,
                        padding, data_format)
    size = (size, size) if isinstance(size, int) else tuple(size)
    return _patches("extract_patches", images, size, strides, dilation_rate, padding,
                    data_format)


def extract_patches_3d(volumes: Any, size: Any, strides: Any = None,
                       dilation_rate: Any = 1, padding: str = "valid",
                       data_format: str | None = None) -> Tensor:
    """Patches of a volume ``(D, H, W, C)`` or batch ``(N, D, H, W, C)`` (or channels_first):
    ``size`` an int or ``(d, h, w)``; output ``(..., d', h', w', d * h * w * C)``."""
    size = (size,) * 3 if isinstance(size, int) else tuple(size)
    if len(size) != 3:
        raise ValueError(f"extract_patches_3d: `size` must be an int or a tuple of 3 ints. "
                         f"Received: size={size!r}")
    return _patches("extract_patches_3d", volumes, size, strides, dilation_rate, padding,
                    data_format)


def _patches(op_name: str, images: Any, size: tuple[int, ...], strides: Any,
             dilation_rate: Any, padding: str, data_format: str | None) -> Tensor:
    images = to_operand_tensor(images, op_name)
    fmt = standardize_data_format(data_format)
    rank = len(size)
    if images.ndim not in (rank + 1, rank + 2):
        raise ValueError(f"{op_name}: expected a rank {rank + 1} input or a rank {rank + 2} "
                         f"batch for a {rank}-D `size`. Received: images.shape={images.shape}")
    if strides is None or (not isinstance(strides, int) and not strides):
        strides = size
    channels = images.shape[-1] if fmt == "channels_last" else images.shape[-rank - 1]
    width = int(_math_prod(size)) * channels
    kernel = _shape.reshape(_math.eye(width, dtype=images.dtype), (*size, channels, width))
    unbatched = images.ndim == rank + 1
    if unbatched:
        images = _shape.expand_dims(images, 0)
    patches = conv(images, kernel, strides=strides, padding=padding, data_format=fmt,
                   dilation_rate=dilation_rate)
    return _shape.squeeze(patches, 0) if unbatched else patches


def _math_prod(values: tuple[int, ...]) -> int:
    product = 1
    for value in values:
        product *= int(value)
    return product
