"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE): tile-wise histogram equalization
with a clip limit, blended bilinearly between tiles."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.color_ops import (
    channel_histograms,
    transform_value_range,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument
from gpulayers.layers.preprocessing.random_contrast import value_range_argument

_LEVELS = 256


def clahe(images: Tensor, clip_limit: float, tile_grid_size: tuple[int, int]) -> Tensor:
    """CLAHE of a float ``(N, H, W, C)`` batch on the 0-255 scale, per image and channel,
    computed as Keras 3.15 does.

    The image is padded (symmetric reflection) to a multiple of the tile grid; each tile's
    histogram of the integer levels ``clip(int(x), 0, 255)`` is clipped at
    ``clip_limit * tile_pixels / 256`` (when ``clip_limit > 0``) with the excess spread
    evenly over all levels; its cumulative sum gives the map
    ``255 * (cdf - cdf[0]) / (tile_pixels - cdf[0])``. A pixel's output blends the maps of
    the four tiles around it bilinearly (tile centres at ``(i + 1/2) * tile``; beyond the
    outer centres the edge tiles' maps are used). Outputs are float32, not rounded.
    """
    count, height, width, channels = images.shape
    grid_h, grid_w = tile_grid_size
    tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
    pad_h, pad_w = tile_h * grid_h - height, tile_w * grid_w - width
    images = ops.cast(images, "float32")
    padded = images if pad_h == pad_w == 0 else ops.pad(
        images, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="symmetric")
    tiles = ops.reshape(padded, (count, grid_h, tile_h, grid_w, tile_w, channels))
    tiles = ops.reshape(ops.transpose(tiles, (0, 1, 3, 5, 2, 4)),
                        (count * grid_h * grid_w, channels, tile_h * tile_w))
    histograms = channel_histograms(ops.clip(ops.cast(tiles, "int32"), 0, _LEVELS - 1),
                                    _LEVELS)
    pixels = float(tile_h * tile_w)
    if clip_limit > 0:
        clipped = ops.minimum(histograms, clip_limit * pixels / _LEVELS)
        excess = ops.sum(histograms - clipped, axis=-1, keepdims=True)
        histograms = clipped + excess / float(_LEVELS)
    cdf = ops.cumsum(histograms, axis=-1)
    cdf_min = ops.min(cdf, axis=-1, keepdims=True)
    denominator = pixels - cdf_min
    denominator = ops.where(denominator == 0, 1.0, denominator)
    maps = ops.clip((cdf - cdf_min) * 255.0 / denominator, 0.0, 255.0)
    # One ring of edge copies around the grid: pixels beyond the outer tile centres read the
    # edge tiles' maps on both sides of their blend.
    maps = ops.pad(ops.reshape(maps, (count, grid_h, grid_w, channels, _LEVELS)),
                   ((0, 0), (1, 1), (1, 1), (0, 0), (0, 0)), mode="edge")
    rows, row_weights = _neighbours(height, tile_h, grid_h)
    cols, col_weights = _neighbours(width, tile_w, grid_w)
    stride_x = channels * _LEVELS
    stride_y = stride_x * (grid_w + 2)
    base = (ops.reshape(ops.arange(count, dtype="int64"), (count, 1, 1, 1))
            * (stride_y * (grid_h + 2))
            + ops.reshape(ops.arange(channels, dtype="int64"), (1, 1, 1, channels)) * _LEVELS
            + ops.cast(ops.clip(images, 0.0, 255.0), "int64"))
    flat = ops.reshape(maps, (-1,))

    def lookup(row: list[int], col: list[int]) -> Tensor:
        offset = (ops.reshape(ops.convert_to_tensor(row, dtype="int64"), (1, height, 1, 1))
                  * stride_y
                  + ops.reshape(ops.convert_to_tensor(col, dtype="int64"), (1, 1, width, 1))
                  * stride_x)
        return ops.take(flat, base + offset)

    wy = ops.reshape(ops.convert_to_tensor(row_weights, dtype="float32"), (1, height, 1, 1))
    wx = ops.reshape(ops.convert_to_tensor(col_weights, dtype="float32"), (1, 1, width, 1))
    top = lookup(rows[0], cols[0]) * (1.0 - wx) + lookup(rows[0], cols[1]) * wx
    bottom = lookup(rows[1], cols[0]) * (1.0 - wx) + lookup(rows[1], cols[1]) * wx
    return top * (1.0 - wy) + bottom * wy


def _neighbours(size: int, tile: int, grid: int) -> tuple[tuple[list[int], list[int]],
                                                         list[float]]:
    """For each position along an axis: the two neighbouring tile rows of the edge-padded
    map grid and the weight of the second."""
    lower, upper, weights = [], [], []
    for i in range(size):
        position = (i - tile / 2.0) / tile + 1.0
        first = int(position // 1)
        weights.append(position - first)
        lower.append(min(max(first, 0), grid + 1))
        upper.append(min(max(first + 1, 0), grid + 1))
    return (lower, upper), weights


class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    """Contrast Limited Adaptive Histogram Equalization, as Keras 3 computes it.

    Each image channel is cut into ``tile_grid_size`` tiles; every tile gets a histogram
    equalization whose histogram is clipped at ``clip_limit`` times the mean bin count
    (limiting noise amplification in flat regions), and the tiles' maps are blended
    bilinearly (see :func:`clahe`). Values are mapped from ``value_range`` to 0-255 and
    back. Deterministic: applied whatever ``training`` says. The output has the input's
    shape and dtype (integer outputs truncate).

    Args:
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``).
        clip_limit: the clip limit (default 4.0); ``<= 0`` turns clipping off.
        tile_grid_size: ``(rows, columns)`` of tiles (default ``(8, 8)``), positive ints.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global image
            data format). Images may be rank 3 or batches of rank 4, any number of channels.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(4, 4))
        y = layer(images)        # images in [0, 255], shape (N, H, W, C)
    """

    channels = None
    applies_at_inference = True

    def __init__(self, value_range: Any = (0, 255), clip_limit: float = 4.0,
                 tile_grid_size: Any = (8, 8), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"ContrastLimitedAdaptiveHistogramEqualization '{self.name}'"
        self.value_range = value_range_argument(label, value_range)
        if isinstance(clip_limit, bool) or not isinstance(clip_limit, (int, float)):
            raise ValueError(f"{label}: `clip_limit` must be a number. Received: "
                             f"clip_limit={clip_limit!r}")
        self.clip_limit = clip_limit
        if (not isinstance(tile_grid_size, (tuple, list)) or len(tile_grid_size) != 2
                or any(isinstance(v, bool) or not isinstance(v, int) or v < 1
                       for v in tile_grid_size)):
            raise ValueError(f"{label}: `tile_grid_size` must be a pair of positive ints. "
                             f"Received: tile_grid_size={tile_grid_size!r}")
        self.tile_grid_size = tuple(tile_grid_size)
        self.data_format = data_format_argument(label, data_format)

    def transform_images(self, images: Tensor, transformation: Any = None,
                         training: bool = True) -> Tensor:
        dtype = images.dtype
        if self.data_format == "channels_first":
            images = ops.transpose(images, (0, 2, 3, 1))
        levels = transform_value_range(ops.cast(images, "float32"), self.value_range,
                                       (0, 255))
        outputs = transform_value_range(clahe(levels, self.clip_limit, self.tile_grid_size),
                                        (0, 255), self.value_range)
        outputs = ops.cast(outputs, dtype)
        if self.data_format == "channels_first":
            outputs = ops.transpose(outputs, (0, 3, 1, 2))
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size}


__all__ = ["ContrastLimitedAdaptiveHistogramEqualization", "clahe"]
