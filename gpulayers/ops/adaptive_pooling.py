"""Adaptive pooling (Keras 3's ``keras.ops.adaptive_average_pool`` / ``adaptive_max_pool``):
pool each spatial axis to a fixed number of cells whatever its length.

Output cell ``i`` of a spatial axis of length ``L`` pooled to ``n`` cells covers input cells
``floor(i * L / n)`` to ``ceil((i + 1) * L / n)`` (exclusive), as in PyTorch and Keras. A box
mean is the mean of the means along each axis, and a box max the max of the maxes, so the axes
are pooled one after another. The AdaptivePooling layers call :func:`adaptive_pool`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers.autodiff import Tensor
from gpulayers.backend.config import standardize_data_format
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.joining import concatenate
from gpulayers.ops.reductions import max as reduce_max
from gpulayers.ops.reductions import mean

# adaptive_pool / adaptive_pool_sizes are building blocks for the layers, kept out of ``ops``.
__all__ = ["adaptive_average_pool", "adaptive_max_pool"]


def _bins(length: int, cells: int) -> list[tuple[int, int]]:
    return [((i * length) // cells, -((-(i + 1) * length) // cells)) for i in range(cells)]


def adaptive_pool_sizes(op_name: str, output_size: Any, rank: int) -> tuple[int, ...]:
    """``output_size`` (an int or ``rank`` ints) as a tuple of positive ints, else ValueError."""
    sizes = (output_size,) * rank if isinstance(output_size, int) else output_size
    if (not isinstance(sizes, (list, tuple)) or len(sizes) != rank or any(
            isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes)):
        raise ValueError(f"{op_name}: `output_size` must be a positive integer or a tuple of "
                         f"{rank} positive integers. Received: output_size={output_size!r}")
    return tuple(sizes)


def adaptive_pool(x: Tensor, output_size: tuple[int, ...], spatial_axes: tuple[int, ...],
                  reduce: Callable[..., Tensor]) -> Tensor:
    """Pool ``spatial_axes`` of ``x`` to ``output_size`` cells with ``reduce`` (mean or max)."""
    for axis, cells in zip(spatial_axes, output_size):
        lead = (slice(None),) * axis
        pieces = [reduce(x[(*lead, slice(start, end))], axis=axis, keepdims=True)
                  for start, end in _bins(x.shape[axis], cells)]
        x = concatenate(pieces, axis=axis)
    return x


def _pool(op_name: str, inputs: Any, output_size: Any, data_format: str | None,
          reduce: Callable[..., Tensor]) -> Tensor:
    x = to_operand_tensor(inputs, op_name)
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"{op_name}: expected a rank 3, 4 or 5 input (batch, spatial..., "
                         f"channels). Received: inputs.shape={x.shape}")
    rank = x.ndim - 2
    sizes = adaptive_pool_sizes(op_name, output_size, rank)
    first = 1 if standardize_data_format(data_format) == "channels_last" else 2
    return adaptive_pool(x, sizes, tuple(range(first, first + rank)), reduce)


def adaptive_average_pool(inputs: Any, output_size: Any,
                          data_format: str | None = None) -> Tensor:
    """Average-pool the 1, 2 or 3 spatial axes of ``inputs`` to ``output_size`` cells.

    Example: ``adaptive_average_pool(ops.ones((2, 10, 3)), 4).shape`` is ``(2, 4, 3)``.
    """
    return _pool("adaptive_average_pool", inputs, output_size, data_format, mean)


def adaptive_max_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Tensor:
    """Max-pool the 1, 2 or 3 spatial axes of ``inputs`` to ``output_size`` cells."""
    return _pool("adaptive_max_pool", inputs, output_size, data_format, reduce_max)
