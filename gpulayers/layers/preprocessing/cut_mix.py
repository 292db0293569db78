"""CutMix: paste a random box from another image of the batch and mix the labels by area."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.backend.random import SeedGenerator, permutation, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.mix_up import (
    join_image_data,
    mix_labels,
    sample_beta,
    split_image_data,
)
from gpulayers.layers.preprocessing.random_contrast import seed_argument
from gpulayers.layers.preprocessing.random_erasing import box_mask, crop_bounds, unit_range


class CutMix(Layer):
    """CutMix (Keras 3): replace a random box of each image by the same box of another.

    Per call, ``a`` is drawn in ``factor`` (plus 1e-6) and per image ``lam`` from
    Beta(a, a); a box of sides ``sqrt(1 - lam) * (W, H)`` placed uniformly in the image is
    copied from image ``p[i]`` of a random permutation ``p``. Labels, when given as
    ``{"images": ..., "labels": ...}``, become ``w * labels + (1 - w) * labels[p]`` with
    ``w = 1 - box_area / (H * W)``. A single rank-3 image is only cast, as in Keras; with
    ``training=False`` images are cast to the layer's dtype and labels pass unchanged.

    Args:
        factor: the range of ``a``: a number ``f`` in [0, 1] (drawn in ``(0, f)``) or a
            pair ``(min, max)``. Default 1.0.
        seed: an int for a reproducible stream of boxes, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format).
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        cut_mix = CutMix(seed=1)
        out = cut_mix({"images": images, "labels": one_hot_labels}, training=True)
    """

    def __init__(self, factor: Any = 1.0, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"CutMix '{self.name}'"
        self.factor = unit_range(label, "factor", factor)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Any, training: bool = True) -> Any:
        label = f"CutMix '{self.name}'"
        images, labels = split_image_data(label, inputs)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, label)
        images = ops.cast(images, self.compute_dtype)
        if not training or images.ndim == 3:
            return join_image_data(inputs, images, None)
        batch, height, width = images.shape[0], images.shape[h_axis], images.shape[w_axis]
        alpha = float(uniform((), self.factor[0], self.factor[1], dtype=self.compute_dtype,
                              seed=self.generator)) + 1e-6
        ratio = ops.sqrt(1.0 - sample_beta((batch,), alpha, alpha, self.generator,
                                           self.compute_dtype))
        x0, x1 = crop_bounds(batch, width, ratio, self.generator, self.compute_dtype)
        y0, y1 = crop_bounds(batch, height, ratio, self.generator, self.compute_dtype)
        weight = 1.0 - (x1 - x0) * (y1 - y0) / float(width * height)
        order = ops.convert_to_tensor(permutation(batch, seed=self.generator))
        mask = box_mask(height, width, x0, x1, y0, y1, self.data_format, self.compute_dtype)
        images = ops.where(mask, ops.take(images, order, axis=0), images)
        if labels is not None:
            labels = mix_labels(labels, weight, order, self.compute_dtype)
        return join_image_data(inputs, images, labels)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "seed": self.seed}


__all__ = ["CutMix"]
