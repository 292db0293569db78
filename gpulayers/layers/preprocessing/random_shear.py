"""RandomShear: shear each image along x and y by random factors during training."""

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


def shear_transforms(shear_x: Any, shear_y: Any) -> Tensor:
    """``(N, 8)`` transforms: output pixel ``(x, y)`` samples the input at
    ``(x + shear_x * y, shear_y * x + y)`` (a shear about the top-left corner, as Keras)."""
    shear_x = ops.reshape(ops.convert_to_tensor(shear_x, dtype="float32"), (-1,))
    shear_y = ops.reshape(ops.convert_to_tensor(shear_y, dtype="float32"), (-1,))
    ones, zeros = ops.ones_like(shear_x), ops.zeros_like(shear_x)
    return ops.stack([ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], axis=1)


def _shear_range(label: str, name: str, factor: Any) -> tuple[float, float]:
    # A number lies in [0, 1] as in Keras; a pair may reach down to -1, because Keras's
    # own config stores the number f as (-f, f) and that must load again.
    low = -1.0 if isinstance(factor, (tuple, list)) else 0.0
    return symmetric_factor(label, name, factor, low=low)


class RandomShear(AffineAugmentationLayer):
    """Shear each image along x and y by random amounts during training (Keras 3).

    Per image, ``s_x`` is drawn in ``x_factor`` and ``s_y`` in ``y_factor``, and one random
    sign flips both; output pixel ``(x, y)`` then samples the input at
    ``(x + s_x * y, s_y * x + y)`` through
    :func:`~gpulayers.layers.preprocessing.affine_transform.affine_transform`. Each factor
    is a number ``f`` in [0, 1] (giving ``(-f, f)``) or a pair, kept sorted, in [-1, 1]
    (Keras asks for [0, 1] but writes ``(-f, f)`` into its config).
    With ``training=False`` the layer is the identity (inputs cast to the layer's dtype).

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns ``{"shear_factor": (N, 2) signed (s_x, s_y), "input_shape": ...}`` and
    ``transform_images(images, transformation)`` applies it; ``call`` is the two in turn.

    Args:
        x_factor: the horizontal shear range (see above). Default 0.0.
        y_factor: the vertical shear range. Default 0.0.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        fill_value: the value of points outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        seed: an int for a reproducible stream of shears, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomShear(x_factor=0.2, y_factor=0.1, seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, x_factor: Any = 0.0, y_factor: Any = 0.0,
                 interpolation: str = "bilinear", fill_mode: str = "reflect",
                 fill_value: float = 0.0, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomShear '{self.name}'"
        self.x_factor = _shear_range(label, "x_factor", x_factor)
        self.y_factor = _shear_range(label, "y_factor", y_factor)
        self._resampling_arguments(fill_mode, interpolation, fill_value, seed, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any] | None:
        """One signed shear pair per image (None when not training); ``seed`` (an int or a
        SeedGenerator) replaces the layer's own stream for this draw."""
        if not training:
            return None
        batch = self.batch_geometry(images)[0]
        seed = self._stream(seed)
        # Keras's draw order: the sign, then y, then x.
        sign, shear_y, shear_x = (
            ops.convert_to_tensor(uniform((batch, 1), low, high, dtype="float32", seed=seed))
            for low, high in ((0.0, 1.0), self.y_factor, self.x_factor))
        sign = ops.where(ops.greater(sign, 0.5), -1.0, 1.0)
        return {"shear_factor": ops.concatenate([shear_x, shear_y], axis=1) * sign,
                "input_shape": tuple(images.shape)}

    def affine_matrix(self, transformation: dict[str, Any], height: int,
                      width: int) -> Tensor:
        shear = ops.convert_to_tensor(transformation["shear_factor"], dtype="float32")
        return shear_transforms(shear[:, 0], shear[:, 1])

    def move_boxes(self, bounding_boxes: dict[str, Any], transformation: dict[str, Any],
                   height: int, width: int) -> dict[str, Any]:
        """Keras's box shear, in relative coordinates: each edge moves by the shear times
        the opposite coordinate of the corner chosen by the shear's sign; then clip."""
        boxes = convert_format(bounding_boxes["boxes"], self.bounding_box_format, "rel_xyxy",
                               height, width, dtype=self.compute_dtype)
        shear = ops.cast(ops.convert_to_tensor(transformation["shear_factor"]),
                         self.compute_dtype)
        sx, sy = ops.reshape(shear[:, 0], (-1, 1)), ops.reshape(shear[:, 1], (-1, 1))
        x1, y1, x2, y2 = (boxes[..., i] for i in range(4))
        left = ops.less(sx, 0)
        x1 = ops.where(left, x1 - sx * y1, x1 - sx * y2)
        x2 = ops.where(left, x2 - sx * y2, x2 - sx * y1)
        down = ops.greater(sy, 0)
        y1 = ops.where(down, y1 - sy * x2, y1 - sy * x1)
        y2 = ops.where(down, y2 - sy * x1, y2 - sy * x2)
        bounding_boxes["boxes"] = ops.stack([x1, y1, x2, y2], axis=-1)
        return self.clipped_boxes(bounding_boxes, "rel_xyxy", height, width,
                                  dtype=self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "x_factor": self.x_factor,
                "y_factor": self.y_factor}


__all__ = ["RandomShear", "shear_transforms"]
