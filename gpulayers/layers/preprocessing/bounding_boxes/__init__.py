"""Bounding-box utilities (Keras 3's ``keras.utils.bounding_boxes``): format conversion,
clipping, cropping, padding, the affine transform of boxes, anchor deltas, and the checks of
the ``bounding_boxes`` input dict of the image preprocessing layers."""

from gpulayers.layers.preprocessing.bounding_boxes.affine import affine_transform
from gpulayers.layers.preprocessing.bounding_boxes.converters import (
    SUPPORTED_FORMATS,
    clip_to_image_size,
    convert_format,
    crop,
    pad,
)
from gpulayers.layers.preprocessing.bounding_boxes.deltas import (
    decode_deltas_to_boxes,
    encode_box_to_deltas,
)
from gpulayers.layers.preprocessing.bounding_boxes.validation import (
    densify_bounding_boxes,
    validate_bounding_boxes,
)

__all__ = ["SUPPORTED_FORMATS", "affine_transform", "clip_to_image_size", "convert_format",
           "crop", "decode_deltas_to_boxes", "densify_bounding_boxes", "encode_box_to_deltas",
           "pad", "validate_bounding_boxes"]
