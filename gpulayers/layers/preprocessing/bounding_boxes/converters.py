"""Bounding-box format conversion, clipping, cropping and padding (Keras 3's
``keras.utils.bounding_boxes.convert_format`` / ``clip_to_image_size`` / ``crop`` / ``pad``).

Boxes are ``(..., 4)`` arrays. Supported formats (case-insensitive):

* ``"xyxy"``: left, top, right, bottom (pixels); ``"yxyx"``: top, left, bottom, right;
* ``"xywh"``: left, top, width, height; ``"center_xywh"``: centre x, centre y, width, height;
  ``"center_yxhw"``: centre y, centre x, height, width;
* ``"rel_xyxy"``, ``"rel_yxyx"``, ``"rel_xywh"``, ``"rel_center_xywh"``: the same, with x
  divided by the image width and y by its height (these need ``height`` and ``width``).

Every conversion goes through ``xyxy``.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
                     "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")


def _columns(boxes: Tensor) -> list[Tensor]:
    return ops.split(boxes, 4, axis=-1)


def _join(columns: list[Any]) -> Tensor:
    return ops.concatenate(columns, axis=-1)


def _to_xyxy(boxes: Tensor, source: str, height: Any, width: Any) -> Tensor:
    a, b, c, d = _columns(boxes)
    if source.startswith("rel_"):
        # Relative boxes: x columns times the width, y columns times the height.
        source = source[4:]
        first, second = (height, width) if source == "yxyx" else (width, height)
        a, b, c, d = a * first, b * second, c * first, d * second
    if source == "xyxy":
        return _join([a, b, c, d])
    if source == "yxyx":
        return _join([b, a, d, c])
    if source == "xywh":
        return _join([a, b, a + c, b + d])
    if source == "center_xywh":
        return _join([a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0])
    # center_yxhw: cy, cx, h, w
    return _join([b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0])


def _from_xyxy(boxes: Tensor, target: str, height: Any, width: Any) -> Tensor:
    x1, y1, x2, y2 = _columns(boxes)
    relative = target.startswith("rel_")
    target = target[4:] if relative else target
    w, h = x2 - x1, y2 - y1
    if target == "xyxy":
        cols = [x1, y1, x2, y2]
    elif target == "yxyx":
        cols = [y1, x1, y2, x2]
    elif target == "xywh":
        cols = [x1, y1, w, h]
    elif target == "center_xywh":
        cols = [x1 + w / 2.0, y1 + h / 2.0, w, h]
    else:  # center_yxhw
        cols = [y1 + h / 2.0, x1 + w / 2.0, h, w]
    if relative:
        # Columns alternate x, y for every relative format except yxyx.
        scales = [height, width] * 2 if target == "yxyx" else [width, height] * 2
        cols = [col / scale for col, scale in zip(cols, scales)]
    return _join(cols)


def convert_format(boxes: Any, source: str, target: str, height: Any = None,
                   width: Any = None, dtype: str = "float32") -> Any:
    """Convert ``boxes`` (``(..., 4)``, or a dict whose ``"boxes"`` entry is converted and
    which is returned updated) from format ``source`` to format ``target``.

    Args:
        boxes: boxes array or ``{"boxes": ..., "labels": ...}``.
        source, target: format names (see the module docstring).
        height, width: the image size, required when either format is relative.
        dtype: the dtype of the result (default ``"float32"``).

    Example::

        convert_format([[10, 20, 30, 40]], "xyxy", "xywh")   # [[10, 20, 20, 20]]
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    boxes = ops.convert_to_tensor(boxes)
    if tuple(boxes.shape)[-1:] != (4,):
        raise ValueError("convert_format: `boxes` must have a last dimension of 4. "
                         f"Received: boxes.shape={tuple(boxes.shape)}")
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(f"convert_format: formats must be among {SUPPORTED_FORMATS}. "
                         f"Received: source={source!r}, target={target!r}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (
            height is None or width is None):
        raise ValueError("convert_format: `height` and `width` are required to convert "
                         f"between relative and absolute formats. Received: source={source!r}, "
                         f"target={target!r}, height={height}, width={width}")
    boxes = ops.cast(boxes, dtype)
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):
        # Relative to relative needs no image size (as in Keras).
        source, target = source[4:], target[4:]
    height = None if height is None else ops.cast(height, dtype)
    width = None if width is None else ops.cast(width, dtype)
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width)


def clip_to_image_size(bounding_boxes: dict[str, Any], height: Any = None, width: Any = None,
                       bounding_box_format: str = "xyxy") -> dict[str, Any]:
    """Clip ``bounding_boxes["boxes"]`` (``"xyxy"`` or ``"rel_xyxy"``) to the image; boxes
    left with no area get label -1. Returns a new dict (other keys kept).

    Example::

        clip_to_image_size({"boxes": b, "labels": l}, height=100, width=120)
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError("clip_to_image_size supports 'xyxy' and 'rel_xyxy'. "
                                  f"Received: bounding_box_format={bounding_box_format!r}")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("clip_to_image_size: `height` and `width` must be set for 'xyxy'. "
                         f"Received: height={height}, width={width}")
    boxes = ops.convert_to_tensor(bounding_boxes["boxes"])
    if bounding_box_format == "rel_xyxy":
        height = width = 1.0
    x1, y1, x2, y2 = _columns(boxes)
    x1, x2 = ops.clip(x1, 0, width), ops.clip(x2, 0, width)
    y1, y2 = ops.clip(y1, 0, height), ops.clip(y2, 0, height)
    result = dict(bounding_boxes)
    result["boxes"] = ops.cast(_join([x1, y1, x2, y2]), boxes.dtype)
    if bounding_boxes.get("labels") is not None:
        area = ops.squeeze((x2 - x1) * (y2 - y1), -1)
        labels = ops.convert_to_tensor(bounding_boxes["labels"])
        result["labels"] = ops.cast(ops.where(ops.greater(area, 0), labels, -1), labels.dtype)
    return result


def crop(boxes: Any, top: Any, left: Any, height: Any, width: Any,
         bounding_box_format: str = "xyxy") -> Tensor:
    """``xyxy`` boxes seen in the ``height x width`` window at (``top``, ``left``): shifted
    and clipped to the window."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError("crop supports 'xyxy' boxes only")
    x1, y1, x2, y2 = _columns(ops.convert_to_tensor(boxes))
    return _join([ops.clip(x1 - left, 0, width), ops.clip(y1 - top, 0, height),
                  ops.clip(x2 - left, 0, width), ops.clip(y2 - top, 0, height)])


def pad(boxes: Any, top: Any, left: Any, height: Any = None, width: Any = None,
        bounding_box_format: str = "xyxy") -> Tensor:
    """``xyxy`` boxes shifted by ``top`` rows and ``left`` columns of padding."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError("pad supports 'xyxy' boxes only")
    x1, y1, x2, y2 = _columns(ops.convert_to_tensor(boxes))
    return _join([x1 + left, y1 + top, x2 + left, y2 + top])


__all__ = ["SUPPORTED_FORMATS", "clip_to_image_size", "convert_format", "crop", "pad"]
