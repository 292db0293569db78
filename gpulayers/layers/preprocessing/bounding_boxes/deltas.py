"""Box <-> anchor delta encoding (Keras 3's ``encode_box_to_deltas`` and
``decode_deltas_to_boxes``): centre offsets in anchor sizes and log size ratios."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend import epsilon
from gpulayers.layers.preprocessing.bounding_boxes.converters import convert_format

_ENCODINGS = ("center_xywh", "center_yxhw")


def _variance(variance: Any) -> Tensor | None:
    if variance is None:
        return None
    variance = ops.convert_to_tensor(variance, dtype="float32")
    if tuple(variance.shape)[-1:] != (4,):
        raise ValueError(f"`variance` must have length 4. Received: variance={variance}")
    return variance


def _size(image_shape: Any) -> tuple[Any, Any]:
    if image_shape is None:
        return None, None
    height, width, _ = image_shape
    return height, width


def encode_box_to_deltas(anchors: Any, boxes: Any, anchor_format: str, box_format: str,
                         encoding_format: str = "center_yxhw", variance: Any = None,
                         image_shape: Any = None) -> Tensor:
    """Deltas from ``anchors`` (``(N, 4)``) to ``boxes`` (``(N, 4)`` or ``(B, N, 4)``):
    ``(centre - anchor centre) / anchor size`` then ``log(size / anchor size)``, in
    ``encoding_format`` order, divided by ``variance`` when given. ``image_shape``
    (height, width, channels) is needed for relative formats."""
    variance = _variance(variance)
    if encoding_format not in _ENCODINGS:
        raise ValueError(f"`encoding_format` must be one of {_ENCODINGS}. "
                         f"Received: encoding_format={encoding_format!r}")
    height, width = _size(image_shape)
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    anchor_size = ops.maximum(anchors[..., 2:], epsilon())
    box_size = ops.maximum(boxes[..., 2:], epsilon())
    deltas = ops.concatenate([(boxes[..., :2] - anchors[..., :2]) / anchor_size,
                              ops.log(box_size / anchor_size)], axis=-1)
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(anchors: Any, boxes_delta: Any, anchor_format: str,
                           box_format: str, encoded_format: str = "center_yxhw",
                           variance: Any = None, image_shape: Any = None) -> Any:
    """Inverse of :func:`encode_box_to_deltas`: boxes in ``box_format``. ``anchors`` and
    ``boxes_delta`` may be dicts of levels (decoded level by level)."""
    variance = _variance(variance)
    if encoded_format not in _ENCODINGS:
        raise ValueError(f"`encoded_format` must be one of {_ENCODINGS}. "
                         f"Received: encoded_format={encoded_format!r}")
    height, width = _size(image_shape)

    def decode(anchor: Any, delta: Any) -> Tensor:
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = ops.convert_to_tensor(delta)
        if variance is not None:
            delta = delta * variance
        box = ops.concatenate([delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
                               ops.exp(delta[..., 2:]) * anchor[..., 2:]], axis=-1)
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)


__all__ = ["decode_deltas_to_boxes", "encode_box_to_deltas"]
