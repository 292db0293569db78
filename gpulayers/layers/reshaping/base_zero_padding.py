"""BaseZeroPadding: the N-d zero-padding layer behind ZeroPadding1D, 2D and 3D."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import checked_data_format, owner
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer
from gpulayers.layers.reshaping.spatial_arguments import (
    before_after_pairs,
    pairs_config,
    spatial_axes,
)

__all__ = ["BaseZeroPadding"]


class BaseZeroPadding(Layer):
    """Add ``before`` zeros at the start and ``after`` zeros at the end of each spatial axis
    (not used directly).

    Args:
        rank: number of spatial axes (1, 2 or 3).
        padding: an int, or per axis an int or a ``(before, after)`` pair (see
            :func:`~gpulayers.layers.reshaping.spatial_arguments.before_after_pairs`).
        data_format: ``'channels_last'`` (``(batch, *spatial, channels)``) or
            ``'channels_first'`` (``(batch, channels, *spatial)``); None means
            ``backend.image_data_format()``.
        **kwargs: base Layer arguments.
    """

    def __init__(self, rank: int, padding: Any, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        who = owner(self)
        self.rank = rank
        self.data_format = checked_data_format(who, data_format)
        self._pairs = before_after_pairs(who, "padding", padding, rank)
        self.padding = pairs_config(self._pairs)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True

    def _widths(self) -> list[tuple[int, int]]:
        widths = [(0, 0)] * (self.rank + 2)
        for axis, pair in zip(spatial_axes(self.rank, self.data_format), self._pairs):
            widths[axis] = pair
        return widths

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if len(shape) != self.rank + 2:
            raise ValueError(f"{owner(self)}: expected inputs of rank {self.rank + 2}. "
                             f"Received input shape {shape}")
        return tuple(None if size is None else size + before + after
                     for size, (before, after) in zip(shape, self._widths()))

    def call(self, inputs: Tensor) -> Tensor:
        return ops.pad(inputs, self._widths())

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}
