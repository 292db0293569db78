"""Image files <-> host (NumPy) arrays, through Pillow (an optional dependency).

``gpulayers.utils.load_img`` / ``save_img`` / ``array_to_img`` / ``img_to_array`` and
``image_dataset_from_directory`` decode and encode images here, with Keras 3's rules
(modes, scaling, channel order). Pillow is imported on first use: without it those functions
raise an ImportError that says how to install it; the rest of gpulayers does not need it.
"""

from __future__ import annotations

import io
import pathlib
from typing import Any

import numpy as np

__all__ = ["COLOR_MODES", "PIL_INTERPOLATIONS", "array_to_pil", "open_image",
           "pil_image_module", "pil_to_array", "read_image_array", "resize_pil",
           "to_color_mode"]

COLOR_MODES = {"grayscale": 1, "rgb": 3, "rgba": 4}
PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_INSTALL_HINT = "Install it with `pip install pillow` (or `pip install gpulayers[images]`)."


def pil_image_module(who: str) -> Any:
    """``PIL.Image``, or an ImportError naming ``who`` and how to install Pillow."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"{who} requires Pillow, which is not installed. "
                          f"{_INSTALL_HINT}") from None
    return Image


def array_to_pil(x: Any, data_format: str, scale: bool, dtype: str, who: str) -> Any:
    """A 3-D array (``(h, w, c)`` or ``(c, h, w)``) as a PIL image, as Keras's
    ``array_to_img`` makes it: scaled to ``[0, 255]`` when ``scale``; 1 channel -> ``'L'``
    (``'I'`` for values above 255), 3 -> ``'RGB'``, 4 -> ``'RGBA'``."""
    image = pil_image_module(who)
    data = getattr(x, "_data", x)
    if hasattr(data, "get") and not isinstance(data, np.ndarray):  # a CuPy array
        data = data.get()
    x = np.array(data, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(f"{who}: expected an image array of rank 3 (a single image). "
                         f"Received an array of shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 32-bit grayscale
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"{who}: an image needs 1, 3 or 4 channels. Received {channels} "
                     f"(array shape {x.shape})")


def pil_to_array(img: Any, data_format: str, dtype: str, who: str) -> Any:
    """A PIL image (or array) as a 3-D NumPy array in ``data_format``."""
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]
    raise ValueError(f"{who}: unsupported image shape {x.shape}; expected (h, w) or "
                     "(h, w, channels)")


def open_image(path: Any, who: str) -> Any:
    """Decode an image file (a path or a ``BytesIO``) with Pillow; the file is read whole
    first so no handle stays open."""
    image = pil_image_module(who)
    if isinstance(path, io.BytesIO):
        return image.open(path)
    if isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as stream:
            return image.open(io.BytesIO(stream.read()))
    raise TypeError(f"{who}: `path` must be a path or an io.BytesIO. Received: "
                    f"{type(path).__name__}")


def to_color_mode(img: Any, color_mode: str) -> Any:
    """``img`` converted as Keras converts: grayscale keeps 8/16/32-bit gray modes."""
    if color_mode == "grayscale":
        return img if img.mode in ("L", "I;16", "I") else img.convert("L")
    target = "RGBA" if color_mode == "rgba" else "RGB"
    return img if img.mode == target else img.convert(target)


def resize_pil(img: Any, target_size: tuple[int, int], interpolation: str,
               keep_aspect_ratio: bool) -> Any:
    """``img`` resized with Pillow to ``(height, width)``; with ``keep_aspect_ratio`` the
    largest centered box of the target aspect ratio is resized (Keras's ``load_img``)."""
    image = pil_image_module("load_img")
    resampling = getattr(image, "Resampling", image)
    resample = getattr(resampling, interpolation.upper())
    width_height = (target_size[1], target_size[0])
    if img.size == width_height:
        return img
    if not keep_aspect_ratio:
        return img.resize(width_height, resample)
    width, height = img.size
    crop_height = min(height, (width * width_height[1]) // width_height[0])
    crop_width = min(width, (height * width_height[0]) // width_height[1])
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return img.resize(width_height, resample,
                      box=(left, top, left + crop_width, top + crop_height))


def read_image_array(path: str, color_mode: str, who: str) -> Any:
    """An image file as a float32 ``(h, w, channels)`` array in ``color_mode``."""
    img = to_color_mode(open_image(path, who), color_mode)
    x = np.asarray(img, dtype=np.float32)
    return x[:, :, None] if x.ndim == 2 else x
