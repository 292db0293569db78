"""BaseUpSampling: the N-d up-sampling layer behind UpSampling1D, 2D and 3D."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import checked_data_format, owner
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer
from gpulayers.layers.reshaping.spatial_arguments import positive_ints, spatial_axes

__all__ = ["BaseUpSampling", "INTERPOLATIONS", "linear_upsample_axis"]

INTERPOLATIONS = ("nearest", "bilinear")


def linear_upsample_axis(x: Tensor, axis: int, factor: int) -> Tensor:
    """Upsample ``x`` by ``factor`` along ``axis`` with linear interpolation and half-pixel
    centers, as Keras 3's ``ops.image.resize(..., 'bilinear')`` (TF ``half_pixel_centers``,
    torch ``align_corners=False``, JAX ``image.resize``).

    Output entry ``o`` samples the input at ``s = (o + 0.5) / factor - 0.5`` clamped to
    ``[0, n - 1]``: ``x[floor(s)] * (1 - t) + x[floor(s) + 1] * t`` with ``t = s - floor(s)``.
    Gradients flow through the two gathers (each a scatter-add backward).
    """
    size = x.shape[axis]
    lower, upper, fractions = [], [], []
    for out in range(size * factor):
        source = min(max((out + 0.5) / factor - 0.5, 0.0), size - 1.0)
        low = int(source)
        lower.append(low)
        upper.append(min(low + 1, size - 1))
        fractions.append(source - low)
    shape = [1] * x.ndim
    shape[axis] = size * factor
    weights = ops.reshape(ops.convert_to_tensor(fractions, dtype=x.dtype), shape)
    below = ops.take(x, lower, axis=axis)
    above = ops.take(x, upper, axis=axis)
    return below + (above - below) * weights


class BaseUpSampling(Layer):
    """Repeat (or interpolate) each spatial axis ``size`` times (not used directly).

    Args:
        rank: number of spatial axes (1, 2 or 3).
        size: a positive int or ``rank`` positive ints, the factor per spatial axis.
        data_format: ``'channels_last'`` (``(batch, *spatial, channels)``) or
            ``'channels_first'`` (``(batch, channels, *spatial)``); None means
            ``backend.image_data_format()``.
        interpolation: ``'nearest'`` (repeat each entry) or ``'bilinear'`` (linear along
            each axis, half-pixel centers).
        **kwargs: base Layer arguments.
    """

    def __init__(self, rank: int, size: Any, data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        who = owner(self)
        self.rank = rank
        self.data_format = checked_data_format(who, data_format)
        self._sizes = positive_ints(who, "size", size, rank)
        method = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if method not in INTERPOLATIONS:
            raise ValueError(f"{who}: `interpolation` must be one of {INTERPOLATIONS} "
                             f"(Keras's 'bicubic' and 'lanczos' are not supported). "
                             f"Received: interpolation={interpolation!r}")
        self.interpolation = method
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(input_shape)
        if len(shape) != self.rank + 2:
            raise ValueError(f"{owner(self)}: expected inputs of rank {self.rank + 2}. "
                             f"Received input shape {tuple(input_shape)}")
        for axis, factor in zip(spatial_axes(self.rank, self.data_format), self._sizes):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def call(self, inputs: Tensor) -> Tensor:
        outputs = inputs
        for axis, factor in zip(spatial_axes(self.rank, self.data_format), self._sizes):
            if factor == 1:
                continue
            if self.interpolation == "nearest":
                outputs = ops.repeat(outputs, factor, axis=axis)
            else:
                outputs = linear_upsample_axis(outputs, axis, factor)
        return outputs
