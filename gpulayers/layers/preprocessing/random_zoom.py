"""RandomZoom: zoom each image in or out by a random factor during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import uniform
from gpulayers.layers.preprocessing.affine_augmentation import AffineAugmentationLayer
from gpulayers.layers.preprocessing.affine_transform import symmetric_factor
from gpulayers.layers.preprocessing.bounding_boxes.converters import (
    convert_format,
)


def zoom_transforms(width_zoom: Any, height_zoom: Any, height: int, width: int) -> Tensor:
    """``(N, 8)`` transforms zooming each image about its center: output pixel ``(x, y)``
    samples the input at ``(zx x + (W - 1) / 2 (1 - zx), zy y + (H - 1) / 2 (1 - zy))``
    for ``zx = width_zoom`` and ``zy = height_zoom`` (``N`` values each, any shape)."""
    zx = ops.reshape(ops.convert_to_tensor(width_zoom, dtype="float32"), (-1,))
    zy = ops.reshape(ops.convert_to_tensor(height_zoom, dtype="float32"), (-1,))
    x_offset = (width - 1.0) / 2.0 * (1.0 - zx)
    y_offset = (height - 1.0) / 2.0 * (1.0 - zy)
    zeros = ops.zeros_like(zx)
    return ops.stack([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1)


class RandomZoom(AffineAugmentationLayer):
    """Zoom each image about its center by a random factor during training (Keras 3).

    Per image, ``zy = 1 + u`` with ``u`` uniform in the height range and ``zx = 1 + v``
    (``v`` in the width range, or ``zx = zy`` when ``width_factor`` is None); output pixel
    ``(x, y)`` samples the input at ``(zx * x + (W - 1) / 2 * (1 - zx), ...)``, so positive
    factors zoom *out* and negative ones zoom *in*. Each factor is a number ``f`` (giving
    ``(-|f|, |f|)``) or a sorted pair, within ``(-1, 1]``; ``(0.5, 0.5)`` always zooms
    out by half. With ``training=False`` the layer is the identity (inputs cast to the
    layer's dtype).

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns ``{"height_zoom": (N, 1), "width_zoom": (N, 1), "input_shape": ...}`` and
    ``transform_images(images, transformation)`` applies it; ``call`` is the two in turn.

    Args:
        height_factor: vertical zoom range (see above).
        width_factor: horizontal zoom range, or None to keep the aspect ratio.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: an int for a reproducible stream of zooms, or None.
        fill_value: the value of points outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomZoom(0.2, seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, height_factor: Any, width_factor: Any = None,
                 fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomZoom '{self.name}'"
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = symmetric_factor(
            label, "height_factor", height_factor, low_inclusive=False)
        if width_factor is not None:
            self.width_lower, self.width_upper = symmetric_factor(
                label, "width_factor", width_factor, low_inclusive=False)
        self._resampling_arguments(fill_mode, interpolation, fill_value, seed, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any] | None:
        """One zoom per image and axis (None when not training); ``seed`` (an int or a
        SeedGenerator) replaces the layer's own stream for this draw."""
        if not training:
            return None
        batch = self.batch_geometry(images)[0]
        seed = self._stream(seed)
        zy = ops.convert_to_tensor(uniform((batch,), 1.0 + self.height_lower,
                                           1.0 + self.height_upper, dtype="float32",
                                           seed=seed))
        zx = zy
        if self.width_factor is not None:
            zx = ops.convert_to_tensor(uniform((batch,), 1.0 + self.width_lower,
                                               1.0 + self.width_upper, dtype="float32",
                                               seed=seed))
        return {"height_zoom": ops.reshape(zy, (batch, 1)),
                "width_zoom": ops.reshape(zx, (batch, 1)),
                "input_shape": tuple(images.shape)}

    def affine_matrix(self, transformation: dict[str, Any], height: int,
                      width: int) -> Tensor:
        return zoom_transforms(transformation["width_zoom"], transformation["height_zoom"],
                               height, width)

    def move_boxes(self, bounding_boxes: dict[str, Any], transformation: dict[str, Any],
                   height: int, width: int) -> dict[str, Any]:
        """Keras's steps: keep the part of each box inside the zoomed window (the image of
        the input frame under the zoom matrix), read it relative to that window, clip."""
        boxes = convert_format(bounding_boxes["boxes"], self.bounding_box_format, "xyxy",
                               height, width)
        zx = ops.reshape(ops.cast(transformation["width_zoom"], "float32"), (-1, 1, 1))
        zy = ops.reshape(ops.cast(transformation["height_zoom"], "float32"), (-1, 1, 1))
        w_start, h_start = (width - 1.0) / 2.0 * (1.0 - zx), (height - 1.0) / 2.0 * (1.0 - zy)
        w_end, h_end = zx * width + w_start, zy * height + h_start
        x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
        window = ops.concatenate([ops.clip(x1, w_start, w_end) - w_start,
                                  ops.clip(y1, h_start, h_end) - h_start,
                                  ops.clip(x2, w_start, w_end) - w_start,
                                  ops.clip(y2, h_start, h_end) - h_start], axis=-1)
        relative = convert_format(window, "xyxy", "rel_xyxy", h_end - h_start, w_end - w_start)
        return self.clipped_boxes({**bounding_boxes, "boxes": relative}, "rel_xyxy", height,
                                  width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


__all__ = ["RandomZoom", "zoom_transforms"]
