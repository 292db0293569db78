"""BaseCropping: the N-d cropping layer behind Cropping1D, Cropping2D and Cropping3D."""

from __future__ import annotations

from typing import Any

from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import checked_data_format, owner
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer
from gpulayers.layers.reshaping.spatial_arguments import (
    before_after_pairs,
    pairs_config,
    spatial_axes,
)

__all__ = ["BaseCropping"]


class BaseCropping(Layer):
    """Remove ``(before, after)`` entries from each spatial axis (not used directly).

    Args:
        rank: number of spatial axes (1, 2 or 3).
        cropping: an int, or per axis an int or a ``(before, after)`` pair (see
            :func:`~gpulayers.layers.reshaping.spatial_arguments.before_after_pairs`).
        data_format: ``'channels_last'`` (``(batch, *spatial, channels)``) or
            ``'channels_first'`` (``(batch, channels, *spatial)``); None means
            ``backend.image_data_format()``.
        **kwargs: base Layer arguments.

    Each cropped axis must keep at least one entry, else ValueError naming the layer.
    """

    def __init__(self, rank: int, cropping: Any, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        who = owner(self)
        self.rank = rank
        self.data_format = checked_data_format(who, data_format)
        self._pairs = before_after_pairs(who, "cropping", cropping, rank)
        self.cropping = pairs_config(self._pairs)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape: Any) -> None:
        self.compute_output_shape(input_shape)  # refuses crops larger than the input
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(input_shape)
        if len(shape) != self.rank + 2:
            raise ValueError(f"{owner(self)}: expected inputs of rank {self.rank + 2}. "
                             f"Received input shape {tuple(input_shape)}")
        for axis, (before, after) in zip(spatial_axes(self.rank, self.data_format),
                                         self._pairs):
            if shape[axis] is None:
                continue
            if before + after >= shape[axis]:
                raise ValueError(
                    f"{owner(self)}: `cropping` {self.cropping} must leave at least one entry "
                    f"on each spatial axis; axis {axis} has size {shape[axis]} (input shape "
                    f"{tuple(input_shape)})")
            shape[axis] -= before + after
        return tuple(shape)

    def call(self, inputs: Tensor) -> Tensor:
        self.compute_output_shape(inputs.shape)
        key: list[slice] = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(spatial_axes(self.rank, self.data_format),
                                         self._pairs):
            key[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(key)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}
