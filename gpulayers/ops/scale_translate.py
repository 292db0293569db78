"""``keras.ops.image.scale_and_translate`` (JAX's ``jax.image.scale_and_translate``): resample
chosen axes with a kernel, output sample ``i`` reading input position
``(i + 0.5 - translation) / scale - 0.5``.

Each axis is one matrix product with a weight matrix ``(in, out)``: kernel weights of the
distances (divided by ``max(1 / scale, 1)`` when antialiasing a downscale), normalised per
output sample, zero for samples outside ``[-0.5, in - 0.5]``. Differentiable in the images.
"""

from __future__ import annotations

import math
from typing import Any

import gpulayers.ops.math as _math
import gpulayers.ops.shape as _shape
from gpulayers.autodiff import Tensor
from gpulayers.ops.dtypes import to_operand_tensor

__all__ = ["scale_and_translate"]

METHODS = ("linear", "bilinear", "trilinear", "triangle", "cubic", "bicubic", "tricubic",
           "lanczos3", "lanczos5")


def _triangle(x: Tensor) -> Tensor:
    return _math.maximum(1.0 - _math.abs(x), 0.0)


def _keys_cubic(x: Tensor) -> Tensor:
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    out = _shape.where(_math.greater_equal(x, 1.0), far, near)
    return _shape.where(_math.greater_equal(x, 2.0), 0.0, out)


def _lanczos(radius: float) -> Any:
    def kernel(x: Tensor) -> Tensor:
        y = radius * _math.sin(math.pi * x) * _math.sin(math.pi * x / radius)
        safe = _shape.where(_math.not_equal(x, 0.0), math.pi ** 2 * x * x, 1.0)
        out = _shape.where(_math.greater(x, 1e-3), y / safe, 1.0)
        return _shape.where(_math.greater(x, radius), 0.0, out)
    return kernel


_KERNELS = {"linear": _triangle, "cubic": _keys_cubic,
            "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def _weights(in_size: int, out_size: int, scale: Tensor, translation: Tensor,
             kernel: Any, antialias: bool, dtype: str) -> Tensor:
    inv_scale = 1.0 / scale
    kernel_scale = _math.maximum(inv_scale, 1.0) if antialias else 1.0
    samples = ((_math.arange(out_size, dtype=dtype) + 0.5) * inv_scale
               - translation * inv_scale - 0.5)
    positions = _shape.reshape(_math.arange(in_size, dtype=dtype), (in_size, 1))
    weights = kernel(_math.abs(_shape.reshape(samples, (1, out_size)) - positions)
                     / kernel_scale)
    total = _math.sum(weights, axis=0, keepdims=True)
    usable = _math.greater(_math.abs(total), 1000.0 * 1.1920928955078125e-07)
    weights = _shape.where(usable, weights / _shape.where(_math.not_equal(total, 0.0),
                                                          total, 1.0), 0.0)
    inside = _math.logical_and(_math.greater_equal(samples, -0.5),
                               _math.less_equal(samples, in_size - 0.5))
    return _shape.where(_shape.reshape(inside, (1, out_size)), weights, 0.0)


def scale_and_translate(images: Any, output_shape: Any, scale: Any, translation: Any,
                        spatial_dims: Any, method: str, antialias: bool = True) -> Tensor:
    """Resample ``images`` along ``spatial_dims`` to ``output_shape`` (the full output
    shape) with per-axis ``scale`` and ``translation``.

    Args:
        method: ``"linear"`` (or bilinear/trilinear), ``"cubic"`` (Keys, a = -0.5),
            ``"lanczos3"`` or ``"lanczos5"``.
        antialias: widen the kernel when downscaling.

    Integer images are resampled in float32, rounded and clipped to their input range.

    Example: a 3x3 image, ``scale=(2, 2)``, ``translation=(-0.5, -0.5)``, ``"linear"``
    gives the 5x5 bilinear upsampling.
    """
    if method not in METHODS:
        raise ValueError(f"scale_and_translate: invalid value for argument `method`. "
                         f"Expected one of {METHODS}. Received: method={method!r}")
    if method in ("linear", "bilinear", "trilinear", "triangle"):
        method = "linear"
    elif method in ("cubic", "bicubic", "tricubic"):
        method = "cubic"
    images = to_operand_tensor(images, "scale_and_translate")
    scale = _math.convert_to_tensor(scale)
    translation = _math.convert_to_tensor(translation)
    dtype = _math.result_type(scale.dtype, translation.dtype)
    dtype = dtype if "float" in dtype else "float32"
    scale, translation = _math.cast(scale, dtype), _math.cast(translation, dtype)
    if len(output_shape) != images.ndim:
        raise ValueError(f"scale_and_translate: `output_shape` must have one entry per "
                         f"images dim ({images.ndim}). Received: output_shape={output_shape}")
    is_int = "int" in images.dtype
    output = _math.cast(images, "float32") if is_int else images
    for i, axis in enumerate(spatial_dims):
        axis = int(axis) % images.ndim
        weights = _math.cast(_weights(images.shape[axis], int(output_shape[axis]), scale[i],
                                      translation[i], _KERNELS[method], bool(antialias),
                                      dtype), output.dtype)
        output = _shape.moveaxis(_math.tensordot(output, weights, axes=([axis], [0])),
                                 -1, axis)
    if is_int:
        output = _math.clip(_math.round(output), _math.min(images), _math.max(images))
        output = _math.cast(output, images.dtype)
    return output
