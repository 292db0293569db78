"""Images <-> arrays (Keras's ``keras.utils.load_img`` / ``save_img`` / ``array_to_img`` /
``img_to_array``), through Pillow.

Pillow is optional: ``pip install pillow`` (or the ``images`` extra). Without it these
functions raise an ImportError saying so.

Example::

    img = load_img("cat.png", target_size=(224, 224))
    x = img_to_array(img)              # (224, 224, 3) float32
    save_img("copy.png", x)
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.backend import host_images

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]


def _dtype(dtype: Any) -> str:
    return backend.floatx() if dtype is None else str(getattr(dtype, "name", dtype))


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True,
                 dtype: Any = None) -> Any:
    """A 3-D image array as a ``PIL.Image``.

    Args:
        x: ``(height, width, channels)`` (or ``(channels, height, width)`` for
            ``"channels_first"``), 1, 3 or 4 channels.
        data_format: default ``image_data_format()``.
        scale: rescale the values to ``[0, 255]`` (min -> 0, max -> 255) first.
        dtype: the dtype the values are read in (default ``floatx()``).

    Example: ``array_to_img(np.random.random((8, 8, 3))).size == (8, 8)``.
    """
    fmt = backend.standardize_data_format(data_format)
    return host_images.array_to_pil(x, fmt, scale, _dtype(dtype), "array_to_img")


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> Any:
    """A ``PIL.Image`` as a 3-D NumPy array ``(height, width, channels)`` (channels first
    for ``"channels_first"``); a grayscale image gets one channel axis.

    Example: ``img_to_array(load_img(path)).shape == (h, w, 3)``.
    """
    fmt = backend.standardize_data_format(data_format)
    return host_images.pil_to_array(img, fmt, _dtype(dtype), "img_to_array")


def save_img(path: Any, x: Any, data_format: str | None = None,
             file_format: str | None = None, scale: bool = True, **kwargs: Any) -> None:
    """Write an image array to ``path`` (a path or a file object).

    Args:
        file_format: e.g. ``"png"``; default: from the file name's extension (required for a
            file object). An RGBA image saved as JPEG is converted to RGB (with a warning).
        scale: as in :func:`array_to_img`.
        kwargs: passed to ``PIL.Image.save``.
    """
    import pathlib
    import warnings

    fmt = backend.standardize_data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=fmt, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("save_img: the JPEG format does not support RGBA images; converting "
                      "to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format or None, **kwargs)


def load_img(path: Any, color_mode: str = "rgb", target_size: tuple[int, int] | None = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False) -> Any:
    """Read an image file as a ``PIL.Image``.

    Args:
        path: a path or an ``io.BytesIO``.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` to resize to (default: keep the size).
        interpolation: Pillow's ``"nearest"``, ``"bilinear"``, ``"bicubic"``,
            ``"hamming"``, ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: resize the largest centered crop of the target aspect ratio.

    Example: ``img_to_array(load_img("cat.png", target_size=(64, 64))).shape == (64, 64, 3)``.
    """
    if color_mode not in host_images.COLOR_MODES:
        raise ValueError(f"load_img: `color_mode` must be one of "
                         f"{sorted(host_images.COLOR_MODES)}. Received: "
                         f"color_mode={color_mode!r}")
    if target_size is not None and interpolation not in host_images.PIL_INTERPOLATIONS:
        raise ValueError(f"load_img: `interpolation` must be one of "
                         f"{host_images.PIL_INTERPOLATIONS}. Received: "
                         f"interpolation={interpolation!r}")
    img = host_images.to_color_mode(host_images.open_image(path, "load_img"), color_mode)
    if target_size is None:
        return img
    return host_images.resize_pil(img, tuple(target_size), interpolation, keep_aspect_ratio)
