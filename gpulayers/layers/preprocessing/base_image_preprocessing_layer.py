"""BaseImagePreprocessingLayer: the ``call`` shared by the image augmentation layers.

As in Keras 3, a layer draws one random transformation per batch
(``get_random_transformation``) and applies it with ``transform_images``; ``call`` checks
rank 3 or 4 images (and the channel count), adds and removes the batch axis of a single
image, and is the identity when ``training=False`` (unless the layer always applies).
Colour, geometric and composite layers (RandAugment, AugMix) build on it.

``call`` also takes Keras 3's dict ``{"images": ..., "labels": ..., "bounding_boxes":
{"boxes": (B, N, 4), "labels": (B, N)}, "segmentation_masks": ...}``: the one drawn
transformation goes to ``transform_images``, ``transform_labels``,
``transform_bounding_boxes`` (boxes in the layer's ``bounding_box_format``) and
``transform_segmentation_masks``; the three last are the identity here (right for colour
layers), geometric layers override them.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.bounding_boxes.converters import SUPPORTED_FORMATS
from gpulayers.layers.preprocessing.bounding_boxes.validation import densify_bounding_boxes
from gpulayers.layers.preprocessing.color_ops import check_channels
from gpulayers.layers.preprocessing.image_ops import (
    data_format_argument,
    seed_argument,
    spatial_axes,
    value_range_argument,
)

__all__ = ["BaseImagePreprocessingLayer"]


class BaseImagePreprocessingLayer(Layer):
    """Base of the image augmentation layers: the shared ``call`` (see the module docstring).

    Subclasses set ``data_format`` and implement ``transform_images(images, transformation)``
    for rank-4 batches and, when random, ``get_random_transformation(images)``.
    ``channels`` lists the accepted channel counts (None: any). ``applies_at_inference``
    makes the transform run whatever ``training`` says; ``cast_at_inference`` casts the
    unchanged inputs to the layer's dtype (Keras does for some layers, not others).

    Args:
        bounding_box_format: the format of ``inputs["bounding_boxes"]["boxes"]`` (one of
            ``bounding_boxes.SUPPORTED_FORMATS``, e.g. ``"xyxy"``); required only when boxes
            are passed. Stored in the config when set.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        flip = RandomFlip("horizontal", bounding_box_format="xyxy")
        out = flip({"images": images, "bounding_boxes": {"boxes": b, "labels": l}})
    """

    channels: tuple[int, ...] | None = (3,)
    applies_at_inference = False
    cast_at_inference = False

    def __init__(self, *args: Any, bounding_box_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bounding_box_format is not None and (
                not isinstance(bounding_box_format, str)
                or bounding_box_format.lower() not in SUPPORTED_FORMATS):
            raise ValueError(f"{self.label}: `bounding_box_format` must be one of "
                             f"{SUPPORTED_FORMATS}. "
                             f"Received: bounding_box_format={bounding_box_format!r}")
        self.bounding_box_format = bounding_box_format

    @property
    def label(self) -> str:
        """``ClassName 'name'``, the prefix of this layer's error messages."""
        return f"{type(self).__name__} '{self.name}'"

    def call(self, inputs: Any, training: bool = True) -> Any:
        if isinstance(inputs, dict):
            return self._call_dict(inputs, training)
        spatial_axes(inputs.ndim, self.data_format, self.label)
        if self.channels is not None:
            check_channels(self.label, inputs, self.data_format, self.channels)
        if not training and not self.applies_at_inference:
            return ops.cast(inputs, self.compute_dtype) if self.cast_at_inference else inputs
        single = inputs.ndim == 3
        images = ops.expand_dims(inputs, 0) if single else inputs
        outputs = self.transform_images(images, self.get_random_transformation(images))
        return ops.squeeze(outputs, 0) if single else outputs

    def _call_dict(self, data: dict[str, Any], training: bool) -> dict[str, Any]:
        """Route each entry of Keras's input dict through its ``transform_*`` method with
        one shared transformation (single examples get a batch axis for the call)."""
        if "images" not in data:
            raise ValueError(f"{self.label}: a dict input needs an 'images' entry. "
                             f"Received keys: {sorted(data)}")
        data = dict(data)
        images = ops.convert_to_tensor(data["images"])
        spatial_axes(images.ndim, self.data_format, self.label)
        if self.channels is not None:
            check_channels(self.label, images, self.data_format, self.channels)
        if "bounding_boxes" in data and not getattr(self, "bounding_box_format", None):
            raise ValueError(f"{self.label}: the input has a 'bounding_boxes' entry but the "
                             "layer has no `bounding_box_format`; pass e.g. "
                             "`bounding_box_format='xyxy'` to the constructor.")
        single = images.ndim == 3
        active = training or self.applies_at_inference
        batch = ops.expand_dims(images, 0) if single else images
        transformation = self.get_random_transformation(batch) if active else None

        def route(method: Any, value: Any) -> Any:
            value = _add_batch(value) if single else value
            value = method(value, transformation, training=True)
            return _drop_batch(value) if single else value

        if active:
            data["images"] = route(self.transform_images, images)
        elif self.cast_at_inference:
            data["images"] = ops.cast(images, self.compute_dtype)
        if "bounding_boxes" in data:
            boxes = densify_bounding_boxes(data["bounding_boxes"], is_batched=not single,
                                           label=self.label)
            data["bounding_boxes"] = route(self.transform_bounding_boxes, boxes) \
                if active else boxes
        for key, method in (("labels", self.transform_labels),
                            ("segmentation_masks", self.transform_segmentation_masks)):
            if key in data and active:
                data[key] = route(method, ops.convert_to_tensor(data[key]))
        return data

    def transform_labels(self, labels: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """The batch's ``labels`` after ``transformation``: unchanged here."""
        return labels

    def transform_bounding_boxes(self, bounding_boxes: dict[str, Any], transformation: Any,
                                 training: bool = True) -> dict[str, Any]:
        """``{"boxes": (B, N, 4), "labels": (B, N)}`` (in ``bounding_box_format``) after
        ``transformation``: unchanged here (colour layers)."""
        return bounding_boxes

    def transform_segmentation_masks(self, segmentation_masks: Tensor, transformation: Any,
                                     training: bool = True) -> Tensor:
        """``(B, H, W, C)`` masks after ``transformation``: unchanged here (colour layers);
        geometric layers move them like the images, with nearest interpolation."""
        return segmentation_masks

    def _store_image_arguments(self, label: str, data_format: str | None, seed: int | None,
                               value_range: Any = None) -> None:
        """Check and store the arguments most image layers share: ``data_format`` (None: the
        global one), ``seed`` (with the layer's SeedGenerator) and, when given,
        ``value_range`` (sorted); errors name ``label``."""
        if value_range is not None:
            self.value_range = tuple(sorted(value_range_argument(label, value_range)))
        self.data_format = data_format_argument(label, data_format)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> Any:
        """The random draw for ``images`` (None for deterministic layers); ``seed`` (an int
        or a SeedGenerator) replaces the layer's own stream for this draw."""
        return None

    def _stream(self, seed: Any) -> Any:
        return self.generator if seed is None else seed

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """Apply ``transformation`` to a rank-4 batch ``images``."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "data_format": self.data_format}
        # getattr: a subclass may skip this class's __init__ (it then takes no boxes).
        if getattr(self, "bounding_box_format", None) is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config


def _add_batch(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ops.expand_dims(v, 0) if k in ("boxes", "labels") else v
                for k, v in value.items()}
    return ops.expand_dims(value, 0)


def _drop_batch(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ops.squeeze(v, 0) if k in ("boxes", "labels") else v
                for k, v in value.items()}
    return ops.squeeze(value, 0)
