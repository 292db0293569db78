"""RandomGaussianBlur: blur a random subset of a batch with a randomly wide Gaussian."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.gaussian_blur import gaussian_blur
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import (
    seed_argument,
    value_range_argument,
)
from gpulayers.layers.preprocessing.random_erasing import draw_apply_mask, unit_range


def _kernel_size_argument(label: str, kernel_size: Any) -> tuple[int, int]:
    sizes = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
    if len(sizes) != 2 or any(isinstance(s, bool) or not isinstance(s, int) or s < 1
                              or s % 2 == 0 for s in sizes):
        raise ValueError(f"{label}: `kernel_size` must be an odd positive int or a pair of "
                         f"them. Received: kernel_size={kernel_size!r}")
    return int(sizes[0]), int(sizes[1])


class RandomGaussianBlur(Layer):
    """Blur images with a random Gaussian during training (Keras 3's RandomGaussianBlur).

    Each call draws one ``(sigma_x, sigma_y)`` pair in ``sigma`` (plus 1e-6) for the whole
    batch; each image is blurred (see
    :func:`~gpulayers.layers.preprocessing.gaussian_blur.gaussian_blur`, zero padding)
    with a probability drawn in ``factor``, and the result is clipped to
    ``value_range``. With ``training=False`` the layer is the identity (inputs cast to the
    layer's dtype).

    Args:
        factor: the blur probability: a number ``f`` in [0, 1] (drawn in ``(0, f)``) or a
            pair ``(min, max)``. Default 1.0.
        kernel_size: an odd int, or a pair ``(width_taps, height_taps)``. Default 3.
        sigma: the range of the Gaussian's standard deviation: a number ``s`` in [0, 1]
            (drawn in ``(0, s)``) or a pair. Default 1.0.
        value_range: ``(low, high)`` the outputs are clipped to. Default ``(0, 255)``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        seed: an int for a reproducible stream of blurs, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomGaussianBlur(factor=(1, 1), kernel_size=5, sigma=(0.5, 1.0))
        y = layer(images, training=True)
    """

    def __init__(self, factor: Any = 1.0, kernel_size: Any = 3, sigma: Any = 1.0,
                 value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomGaussianBlur '{self.name}'"
        self.factor = unit_range(label, "factor", factor)
        self.kernel_size = _kernel_size_argument(label, kernel_size)
        self.sigma = unit_range(label, "sigma", sigma)
        self.value_range = value_range_argument(label, value_range)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        label = f"RandomGaussianBlur '{self.name}'"
        images = ops.cast(inputs, self.compute_dtype)
        spatial_axes(images.ndim, self.data_format, label)
        if not training:
            return images
        batch = 1 if images.ndim == 3 else images.shape[0]
        apply = draw_apply_mask(batch, self.factor, self.generator)
        sigma = ops.convert_to_tensor(uniform((2,), self.sigma[0], self.sigma[1],
                                              dtype=self.compute_dtype, seed=self.generator)) + 1e-6
        blurred = gaussian_blur(images, self.kernel_size, sigma, self.data_format, label)
        apply = ops.reshape(apply, (-1,) + (1,) * (images.ndim - 1))
        outputs = ops.where(apply, blurred, images)
        return ops.clip(outputs, float(self.value_range[0]), float(self.value_range[1]))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "kernel_size": self.kernel_size,
                "sigma": self.sigma, "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomGaussianBlur"]
