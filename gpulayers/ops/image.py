"""Image ops (Keras 3's ``keras.ops.image`` namespace), on rank-3 images ``(H, W, C)`` or
rank-4 batches ``(N, H, W, C)`` (or channels_first; ``data_format=None`` means
``backend.image_data_format()``).

The arithmetic is shared with the image preprocessing layers: resizing and crops in
:mod:`gpulayers.ops.image_resampling`, colour spaces in :mod:`gpulayers.ops.color_space`,
the Gaussian filter in :mod:`gpulayers.ops.gaussian_filter`, point sampling and warps in
:mod:`gpulayers.ops.image_sampling` and :mod:`gpulayers.ops.image_warps`; patches, filters
and ``scale_and_translate`` in :mod:`gpulayers.ops.image_patches`,
:mod:`gpulayers.ops.image_filters` and :mod:`gpulayers.ops.scale_translate`. All are built from
differentiable ops, so float images get gradients.

Example::

    from gpulayers.ops import image
    small = image.resize(batch, (64, 64))
    grey = image.rgb_to_grayscale(small)
"""

from __future__ import annotations

from typing import Any

from gpulayers.autodiff import Tensor
from gpulayers.backend import random as _random
from gpulayers.backend.config import standardize_data_format
from gpulayers.ops import color_space, gaussian_filter, image_resampling, image_sampling
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.image_filters import sobel_edges, ssim
from gpulayers.ops.image_patches import extract_patches, extract_patches_3d
from gpulayers.ops.image_warps import elastic_transform as _elastic_warp
from gpulayers.ops.image_warps import homography_transforms
from gpulayers.ops.reordering import pad
from gpulayers.ops.scale_translate import scale_and_translate

__all__ = ["affine_transform", "crop_images", "elastic_transform", "extract_patches",
           "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates",
           "pad_images", "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv",
           "scale_and_translate", "sobel_edges", "ssim"]


def _images(op_name: str, images: Any, data_format: str | None) -> tuple[Tensor, str, int, int]:
    """(tensor, data_format, height axis, width axis), checking the rank."""
    images = to_operand_tensor(images, op_name)
    fmt = standardize_data_format(data_format)
    if images.ndim not in (3, 4):
        raise ValueError(f"{op_name}: invalid images rank: expected rank 3 (single image) or "
                         f"rank 4 (batch of images). Received: images.shape={images.shape}")
    h_axis, w_axis = image_resampling.spatial_axes(images.ndim, fmt, op_name)
    return images, fmt, h_axis, w_axis


def resize(images: Any, size: Any, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0,
           data_format: str | None = None) -> Tensor:
    """Resize images to ``size = (height, width)`` (half-pixel centers, as Keras).

    Args:
        interpolation: ``"bilinear"`` or ``"nearest"`` (Keras's bicubic, lanczos and area
            modes are not implemented: ValueError).
        antialias: must be False (antialiased downsampling is not implemented).
        crop_to_aspect_ratio: first crop the largest centered box of the target aspect ratio.
        pad_to_aspect_ratio: first pad (both sides, ``fill_value``) to the target aspect
            ratio. At most one of the two.
        fill_mode: only ``"constant"``.
    """
    images, fmt, h_axis, w_axis = _images("resize", images, data_format)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"resize: expected `size` to be a tuple of 2 integers. "
                         f"Received: size={size!r}")
    height, width = (int(v) for v in size)
    if interpolation not in image_resampling.INTERPOLATIONS:
        raise ValueError(f"resize: `interpolation` must be one of "
                         f"{image_resampling.INTERPOLATIONS} here. Received: "
                         f"interpolation={interpolation!r}")
    if antialias:
        raise ValueError("resize: antialias=True is not implemented. Received: antialias=True")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` "
                         "can be `True`.")
    if fill_mode != "constant":
        raise ValueError(f"resize: `fill_mode` must be 'constant'. Received: "
                         f"fill_mode={fill_mode!r}")
    if pad_to_aspect_ratio:
        in_h, in_w = images.shape[h_axis], images.shape[w_axis]
        box_h = max(in_h, int(float(in_w * height) / width))
        box_w = max(in_w, int(float(in_h * width) / height))
        widths = [(0, 0)] * images.ndim
        widths[h_axis] = (int(float(box_h - in_h) / 2),) * 2
        widths[w_axis] = (int(float(box_w - in_w) / 2),) * 2
        images = pad(images, widths, constant_values=fill_value)
    return image_resampling.resize(images, height, width, interpolation, fmt,
                                   crop_to_aspect_ratio=crop_to_aspect_ratio,
                                   layer_name="resize")


def _non_negative(op_name: str, **values: Any) -> None:
    for name, value in values.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            raise ValueError(f"{op_name}: `{name}` must be a non-negative int. "
                             f"Received: {name}={value!r}")


def _two_of_three(op_name: str, names: tuple[str, str, str], values: tuple) -> None:
    if list(values).count(None) != 1:
        listing = ", ".join(f"{n}={v}" for n, v in zip(names, values))
        raise ValueError(f"{op_name}: must specify exactly two of {', '.join(names)}. "
                         f"Received: {listing}")


def pad_images(images: Any, top_padding: int | None = None, left_padding: int | None = None,
               bottom_padding: int | None = None, right_padding: int | None = None,
               target_height: int | None = None, target_width: int | None = None,
               data_format: str | None = None) -> Tensor:
    """Zero-pad images; give exactly two of (top, bottom, target_height) and two of
    (left, right, target_width).

    Example: ``pad_images(x, 2, 1, target_height=10, target_width=8)`` for ``x`` 6x5.
    """
    images, _, h_axis, w_axis = _images("pad_images", images, data_format)
    _two_of_three("pad_images", ("top_padding", "bottom_padding", "target_height"),
                  (top_padding, bottom_padding, target_height))
    _two_of_three("pad_images", ("left_padding", "right_padding", "target_width"),
                  (left_padding, right_padding, target_width))
    _non_negative("pad_images", top_padding=top_padding, bottom_padding=bottom_padding,
                  target_height=target_height, left_padding=left_padding,
                  right_padding=right_padding, target_width=target_width)
    height, width = images.shape[h_axis], images.shape[w_axis]
    if top_padding is None:
        top_padding = target_height - bottom_padding - height
    if bottom_padding is None:
        bottom_padding = target_height - top_padding - height
    if left_padding is None:
        left_padding = target_width - right_padding - width
    if right_padding is None:
        right_padding = target_width - left_padding - width
    _non_negative("pad_images", top_padding=top_padding, bottom_padding=bottom_padding,
                  left_padding=left_padding, right_padding=right_padding)
    widths = [(0, 0)] * images.ndim
    widths[h_axis], widths[w_axis] = (top_padding, bottom_padding), (left_padding, right_padding)
    return pad(images, widths)


def crop_images(images: Any, top_cropping: int | None = None,
                left_cropping: int | None = None, bottom_cropping: int | None = None,
                right_cropping: int | None = None, target_height: int | None = None,
                target_width: int | None = None, data_format: str | None = None) -> Tensor:
    """Crop images; give exactly two of (top, bottom, target_height) and two of
    (left, right, target_width)."""
    images, _, h_axis, w_axis = _images("crop_images", images, data_format)
    _two_of_three("crop_images", ("top_cropping", "bottom_cropping", "target_height"),
                  (top_cropping, bottom_cropping, target_height))
    _two_of_three("crop_images", ("left_cropping", "right_cropping", "target_width"),
                  (left_cropping, right_cropping, target_width))
    _non_negative("crop_images", top_cropping=top_cropping, bottom_cropping=bottom_cropping,
                  target_height=target_height, left_cropping=left_cropping,
                  right_cropping=right_cropping, target_width=target_width)
    height, width = images.shape[h_axis], images.shape[w_axis]
    if top_cropping is None:
        top_cropping = height - target_height - bottom_cropping
    if target_height is None:
        target_height = height - bottom_cropping - top_cropping
    if left_cropping is None:
        left_cropping = width - target_width - right_cropping
    if target_width is None:
        target_width = width - right_cropping - left_cropping
    _non_negative("crop_images", top_cropping=top_cropping, target_height=target_height,
                  left_cropping=left_cropping, target_width=target_width)
    if top_cropping + target_height > height or left_cropping + target_width > width:
        raise ValueError(f"crop_images: the crop box exceeds the image ({height}x{width}).")
    return image_resampling.crop(images, h_axis, w_axis, top_cropping, left_cropping,
                                 target_height, target_width)


def _color(op_name: str, images: Any, data_format: str | None, float_only: bool) -> tuple:
    images, fmt, _, _ = _images(op_name, images, data_format)
    if float_only and "float" not in images.dtype:
        raise TypeError(f"{op_name}: invalid images dtype: expected float dtype. "
                        f"Received: images.dtype={images.dtype}")
    channels = images.shape[color_space.channel_axis(images.ndim, fmt)]
    allowed = (1, 3) if op_name == "rgb_to_grayscale" else (3,)
    if channels not in allowed:
        raise ValueError(f"{op_name}: expected images with {' or '.join(map(str, allowed))} "
                         f"channels ({fmt}). Received: images.shape={images.shape}")
    return images, fmt


def rgb_to_grayscale(images: Any, data_format: str | None = None) -> Tensor:
    """RGB -> luma (0.2989 R + 0.587 G + 0.114 B), keeping a channel axis of size 1."""
    images, fmt = _color("rgb_to_grayscale", images, data_format, float_only=False)
    return color_space.rgb_to_grayscale(images, fmt)


def rgb_to_hsv(images: Any, data_format: str | None = None) -> Tensor:
    """Float RGB in [0, 1] -> HSV with every channel in [0, 1]."""
    images, fmt = _color("rgb_to_hsv", images, data_format, float_only=True)
    return color_space.rgb_to_hsv(images, fmt)


def hsv_to_rgb(images: Any, data_format: str | None = None) -> Tensor:
    """Float HSV (each channel in [0, 1]) -> RGB; the inverse of :func:`rgb_to_hsv`."""
    images, fmt = _color("hsv_to_rgb", images, data_format, float_only=True)
    return color_space.hsv_to_rgb(images, fmt)


def gaussian_blur(images: Any, kernel_size: Any = (3, 3), sigma: Any = (1.0, 1.0),
                  data_format: str | None = None) -> Tensor:
    """Blur with a separable Gaussian over zero padding (same size). Integer images are
    blurred in float32 and cast back (Keras's torch backend rejects them).

    As Keras's backends compute it, the first entries of ``kernel_size`` and ``sigma`` act
    along the width and the second along the height.
    """
    images, fmt, _, _ = _images("gaussian_blur", images, data_format)
    if not isinstance(kernel_size, (tuple, list)) or len(kernel_size) != 2:
        raise ValueError(f"gaussian_blur: `kernel_size` must be a tuple of 2 ints. Received: "
                         f"kernel_size={kernel_size!r}")
    dtype = images.dtype
    work = images if "float" in dtype else cast(images, "float32")
    blurred = gaussian_filter.gaussian_blur(work, kernel_size, sigma, fmt,
                                            label="gaussian_blur")
    return blurred if blurred.dtype == dtype else cast(blurred, dtype)


def affine_transform(images: Any, transform: Any, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0,
                     data_format: str | None = None) -> Tensor:
    """Warp each image by its 8-vector ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (``(8,)`` or
    ``(N, 8)``): output pixel ``(x, y)`` samples the input at
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``.

    ``interpolation``: ``"nearest"`` or ``"bilinear"``; ``fill_mode``: ``"constant"``,
    ``"nearest"``, ``"wrap"``, ``"mirror"`` or ``"reflect"`` (see
    :mod:`gpulayers.ops.image_sampling`). Gradients reach the images, not the transform.

    Example: ``affine_transform(x, [1, 0, -2, 0, 1, -1, 0, 0])`` shifts right 2, down 1.
    """
    images, fmt, _, _ = _images("affine_transform", images, data_format)
    transform = to_operand_tensor(transform, "affine_transform")
    if transform.ndim not in (1, 2):
        raise ValueError(f"affine_transform: invalid transform rank: expected rank 1 or 2. "
                         f"Received: transform.shape={transform.shape}")
    return image_sampling.affine_transform(
        images, transform.data, interpolation, fill_mode, fill_value, fmt,
        "affine_transform", image_sampling.MAP_FILL_MODES)


def map_coordinates(inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant",
                    fill_value: float = 0) -> Tensor:
    """Sample ``inputs`` (any rank R) at ``coordinates`` (R arrays of one shape S, or an
    array ``(R, *S)``) with nearest (``order=0``) or linear (``order=1``) interpolation;
    the result has shape S and ``inputs``' dtype. ``fill_mode`` as in
    :func:`affine_transform`.

    Example: ``map_coordinates(x, [[0.5], [1.0]], order=1)`` is the mean of
    ``x[0, 1]`` and ``x[1, 1]``.
    """
    inputs = to_operand_tensor(inputs, "map_coordinates")
    coordinates = [to_operand_tensor(c, "map_coordinates") for c in coordinates]
    if len(coordinates) != inputs.ndim:
        raise ValueError(f"map_coordinates: first dim of `coordinates` must be the same as "
                         f"the rank of `inputs`. Received inputs with shape: {inputs.shape} "
                         f"and coordinate leading dim of {len(coordinates)}")
    if coordinates[0].ndim < 1:
        raise ValueError("map_coordinates: invalid coordinates rank: expected at least "
                         f"rank 2. Received a coordinates leading dim of {len(coordinates)}")
    if fill_mode not in image_sampling.MAP_FILL_MODES:
        raise ValueError(f"map_coordinates: invalid value for argument `fill_mode`. "
                         f"Expected one of {image_sampling.MAP_FILL_MODES}. Received: "
                         f"fill_mode={fill_mode!r}")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: `order` must be 0 or 1. Received: order={order!r}")
    work = "float64" if inputs.dtype == "float64" else "float32"
    coordinates = [c if "float" in c.dtype else cast(c, work) for c in coordinates]
    return image_sampling.map_coordinates(inputs, coordinates, order, fill_mode,
                                          float(fill_value))


def perspective_transform(images: Any, start_points: Any, end_points: Any,
                          interpolation: str = "bilinear", fill_value: float = 0,
                          data_format: str | None = None) -> Tensor:
    """Warp images so that the 4 ``start_points`` (``(4, 2)`` or ``(N, 4, 2)``, as
    ``(x, y)``) move to ``end_points``; points outside read ``fill_value``."""
    images, fmt, _, _ = _images("perspective_transform", images, data_format)
    points = []
    for name, value in (("start_points", start_points), ("end_points", end_points)):
        value = to_operand_tensor(value, "perspective_transform")
        if value.ndim not in (2, 3) or tuple(value.shape[-2:]) != (4, 2):
            raise ValueError(f"perspective_transform: invalid {name} shape: expected (4, 2) "
                             f"or (N, 4, 2). Received shape: {value.shape}")
        points.append(value if value.ndim == 3 else value[None])
    if points[0].shape != points[1].shape:
        raise ValueError(f"perspective_transform: start_points and end_points must have "
                         f"the same shape. Received {points[0].shape} and {points[1].shape}")
    transforms = homography_transforms(points[0].data, points[1].data)
    return image_sampling.affine_transform(images, transforms.data, interpolation,
                                           "constant", fill_value, fmt,
                                           "perspective_transform")


def elastic_transform(images: Any, alpha: float = 20.0, sigma: float = 5.0,
                      interpolation: str = "bilinear", fill_mode: str = "reflect",
                      fill_value: float = 0.0, seed: Any = None,
                      data_format: str | None = None) -> Tensor:
    """Warp float images along a random smooth displacement field: standard-normal noise
    times ``sigma``, Gaussian-blurred (width ``sigma``), scaled by ``alpha`` (see
    :func:`gpulayers.ops.image_warps.elastic_transform`). ``seed``: an int or a
    ``SeedGenerator`` for reproducible fields."""
    images, fmt, _, _ = _images("elastic_transform", images, data_format)
    image_sampling.fill_and_interpolation("elastic_transform", fill_mode, interpolation,
                                          image_sampling.MAP_FILL_MODES)
    unbatched = images.ndim == 3
    batch = images if not unbatched else images[None]
    height, width = ((batch.shape[1], batch.shape[2]) if fmt == "channels_last"
                     else (batch.shape[2], batch.shape[3]))
    dtype = images.dtype if "float" in images.dtype else "float32"
    noise = [_random.normal((batch.shape[0], height, width), dtype=dtype, seed=seed)
             for _ in range(2)]
    warped = _elastic_warp(cast(batch, dtype), noise[0], noise[1], float(alpha),
                           float(sigma), interpolation, fill_mode, fill_value, fmt)
    warped = warped[0] if unbatched else warped
    return image_sampling.restore_dtype(warped, images.dtype)
