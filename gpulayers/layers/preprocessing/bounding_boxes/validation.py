"""Checking the ``bounding_boxes`` input dict and making it dense (Keras 3's
``validate_bounding_boxes`` / ``densify_bounding_boxes``, for arrays and nested lists)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops


def validate_bounding_boxes(bounding_boxes: Any, label: str = "bounding_boxes") -> None:
    """ValueError unless ``bounding_boxes`` is ``{"boxes": (N, 4) | (B, N, 4), "labels":
    (N,) | (B, N) ...}``; ``label`` prefixes the message."""
    if not isinstance(bounding_boxes, dict) or "boxes" not in bounding_boxes \
            or "labels" not in bounding_boxes:
        raise ValueError(f"{label}: expected `bounding_boxes` to be a dict with keys 'boxes' "
                         f"and 'labels'. Received: bounding_boxes={bounding_boxes!r}")
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    if isinstance(boxes, list):
        if not isinstance(labels, list) or len(boxes) != len(labels):
            raise ValueError(f"{label}: list `boxes` need a list of `labels` of the same "
                             f"length. Received: boxes={boxes!r}, labels={labels!r}")
        return
    box_rank, label_rank = len(boxes.shape), len(labels.shape)
    if box_rank not in (2, 3):
        raise ValueError(f"{label}: `boxes` must have shape (num_boxes, 4) or "
                         f"(batch, num_boxes, 4). Received: shape={tuple(boxes.shape)}")
    if label_rank not in (box_rank - 1, box_rank):
        raise ValueError(f"{label}: `labels` must have rank {box_rank - 1} or {box_rank} "
                         f"for boxes of shape {tuple(boxes.shape)}. Received: "
                         f"labels.shape={tuple(labels.shape)}")


def _pad_rows(rows: list[list[Any]], width: int, fill: Any, item: Any) -> list[list[Any]]:
    return [list(row[:width]) + [item(fill)] * (width - len(row[:width])) for row in rows]


def densify_bounding_boxes(bounding_boxes: dict[str, Any], is_batched: bool = False,
                           max_boxes: int | None = None, boxes_default_value: float = 0,
                           labels_default_value: int = -1,
                           label: str = "bounding_boxes") -> dict[str, Any]:
    """``bounding_boxes`` with float32 ``boxes`` and tensor ``labels``. Ragged nested lists
    of a batch are padded to the longest (or ``max_boxes``) with ``boxes_default_value``
    and ``labels_default_value``."""
    validate_bounding_boxes(bounding_boxes, label)
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    result = dict(bounding_boxes)
    if isinstance(boxes, list) and boxes and isinstance(boxes[0], list) \
            and boxes[0] and isinstance(boxes[0][0], list):
        width = max_boxes if max_boxes is not None else max(len(b) for b in boxes)
        boxes = _pad_rows(boxes, width, boxes_default_value, lambda v: [v] * 4)
        labels = _pad_rows(labels, width, labels_default_value, lambda v: v)
        result["labels"] = ops.convert_to_tensor(labels, dtype="int32")
    else:
        result["labels"] = ops.convert_to_tensor(labels)
    result["boxes"] = ops.convert_to_tensor(boxes, dtype="float32")
    return result


__all__ = ["densify_bounding_boxes", "validate_bounding_boxes"]
