"""``image_dataset_from_directory``: a folder of images (one sub-folder per class) as a
``PyDataset`` of ``(images, labels)`` batches (Keras 3's ``keras.utils`` function).

Images are decoded with Pillow (optional: ``pip install pillow``) and resized with
``gpulayers.ops.image.resize`` (Keras's resize: half-pixel centers, no antialiasing).
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend, ops
from gpulayers.backend import host_datasets, host_images
from gpulayers.utils.directory_dataset import build_file_datasets

__all__ = ["ALLOWLIST_FORMATS", "image_dataset_from_directory"]

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_KERAS_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                         "gaussian", "mitchellcubic")
_SUPPORTED_INTERPOLATIONS = ("bilinear", "nearest")
_WHO = "image_dataset_from_directory"


def _image_loader(image_size: tuple[int, int], color_mode: str, interpolation: str,
                  data_format: str, crop_to_aspect_ratio: bool, pad_to_aspect_ratio: bool
                  ) -> Any:
    def load(path: str) -> Any:
        pixels = host_images.read_image_array(path, color_mode, _WHO)
        if data_format == "channels_first":
            pixels = pixels.transpose(2, 0, 1)
        resized = ops.image.resize(pixels, image_size, interpolation=interpolation,
                                   crop_to_aspect_ratio=crop_to_aspect_ratio,
                                   pad_to_aspect_ratio=pad_to_aspect_ratio,
                                   data_format=data_format)
        return backend.to_numpy(resized)

    return load


def image_dataset_from_directory(
        directory: Any, labels: Any = "inferred", label_mode: str | None = "int",
        class_names: list[str] | None = None, color_mode: str = "rgb",
        batch_size: int | None = 32, image_size: Any = (256, 256), shuffle: bool = True,
        seed: int | None = None, validation_split: float | None = None,
        subset: str | None = None, interpolation: str = "bilinear", follow_links: bool = False,
        crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
        data_format: str | None = None, verbose: bool = True, **kwargs: Any) -> Any:
    """A ``PyDataset`` of image batches from ``directory`` (see Keras's documentation).

    With ``labels="inferred"`` the layout ``directory/class_a/*.png, directory/class_b/...``
    gives class ids in sorted sub-folder order (or ``class_names``' order).

    Args:
        labels: ``"inferred"``, None (images only) or one integer label per file, in the
            sorted order of the file paths.
        label_mode: ``"int"`` (int32 ``(batch,)``), ``"categorical"`` (float32 one-hot),
            ``"binary"`` (float32 ``(batch, 1)``, 2 classes) or None (images only).
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"`` (1, 3 or 4 channels).
        batch_size: images per batch; None: one image per item.
        image_size: ``(height, width)`` every image is resized to.
        shuffle, seed: shuffle the file order (seeded: Keras's order).
        validation_split, subset: hold out the last fraction of the (shuffled) files;
            ``subset`` is ``"training"``, ``"validation"`` or ``"both"`` (a list of two).
        interpolation: ``"bilinear"`` or ``"nearest"``.
        crop_to_aspect_ratio / pad_to_aspect_ratio: keep the aspect ratio by cropping the
            centre or padding with zeros.
        data_format: ``"channels_last"`` (default ``image_data_format()``) or
            ``"channels_first"``.
        kwargs: ``PyDataset`` options (``workers``, ``max_queue_size``).

    Returns:
        A ``PyDataset`` of float32 images ``(batch, height, width, channels)`` (and labels),
        with ``class_names`` and ``file_paths`` attributes.

    Example::

        train, val = image_dataset_from_directory("photos", image_size=(64, 64),
                                                  validation_split=0.2, subset="both",
                                                  seed=1)
        model.fit(train, validation_data=val)
    """
    kwargs.pop("format", None)  # Keras's "tf"/"grain" choice: always a PyDataset here
    if color_mode not in host_images.COLOR_MODES:
        raise ValueError(f"{_WHO}: `color_mode` must be one of "
                         f"{tuple(host_images.COLOR_MODES)}. Received: color_mode={color_mode!r}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(f"{_WHO}: `image_size` must be a tuple of 2 integers. Received: "
                         f"image_size={image_size!r}")
    interpolation = str(interpolation).lower()
    if interpolation not in _SUPPORTED_INTERPOLATIONS:
        reason = ("is not implemented in gpulayers" if interpolation in _KERAS_INTERPOLATIONS
                  else "is unknown")
        raise ValueError(f"{_WHO}: `interpolation` must be one of {_SUPPORTED_INTERPOLATIONS}; "
                         f"{interpolation!r} {reason}. Received: interpolation={interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{_WHO}: only one of `crop_to_aspect_ratio` and "
                         "`pad_to_aspect_ratio` can be True")
    host_images.pil_image_module(_WHO)  # fail now, not at the first batch
    fmt = backend.standardize_data_format(data_format)
    load = _image_loader(tuple(int(v) for v in image_size), color_mode, interpolation, fmt,
                         crop_to_aspect_ratio, pad_to_aspect_ratio)
    return build_file_datasets(
        directory, labels, label_mode, class_names, ALLOWLIST_FORMATS, batch_size, shuffle,
        seed, validation_split, subset, follow_links, verbose, _WHO, load,
        lambda images: host_datasets.stack_rows(images, "float32"), **kwargs)
