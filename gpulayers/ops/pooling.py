"""Differentiable max and average pooling (Keras 3 ``keras.ops.max_pool`` / ``average_pool``).

The rank (1D, 2D or 3D) follows from the input: ``(batch, *spatial, channels)`` for
channels_last or ``(batch, channels, *spatial)`` for channels_first (transposed to
channels_last for the primitives and back). ``padding='same'`` uses TensorFlow's rule: the
output has ``ceil(n / s)`` cells, ``max((out - 1) * s + k - n, 0)`` padding cells in total,
``total // 2`` of them before the input. Padded cells never count: max pooling ignores them and
average pooling divides by the number of valid cells in each window (as TensorFlow and Keras).

Example::

    x = ops.reshape(ops.arange(16.0), (1, 4, 4, 1))
    ops.max_pool(x, 2)                  # [[5, 7], [13, 15]], shape (1, 2, 2, 1)
    ops.average_pool(x, 3, strides=1, padding="same").shape     # (1, 4, 4, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, convert_to_tensor, record
from gpulayers.ops.conv_arguments import to_channels_first, to_channels_last

__all__ = ["average_pool", "max_pool"]

_PADDINGS = ("valid", "same")


def max_pool(inputs: Any, pool_size: int | Sequence[int],
             strides: int | Sequence[int] | None = None, padding: str = "valid",
             data_format: str | None = None) -> Tensor:
    """Max pooling over 1, 2 or 3 spatial dims.

    Args:
        inputs: ``(batch, *spatial, channels)`` (channels_last) or ``(batch, channels,
            *spatial)`` (channels_first), with 1 to 3 spatial dims. Integer inputs are cast
            to ``floatx()``.
        pool_size: window size, an int (same for every spatial dim) or one int per dim.
        strides: step between windows, int or tuple; defaults to ``pool_size``.
        padding: ``'valid'`` (no padding) or ``'same'`` (output length ``ceil(n / s)``).
        data_format: ``'channels_last'``, ``'channels_first'`` or None for
            ``backend.image_data_format()``.

    Returns:
        The pooled Tensor, in the input's layout.

    Example::

        ops.max_pool(np.zeros((2, 8, 3)), pool_size=2).shape   # (2, 4, 3)
    """
    return _pool("max_pool", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs: Any, pool_size: int | Sequence[int],
                 strides: int | Sequence[int] | None = None, padding: str = "valid",
                 data_format: str | None = None) -> Tensor:
    """Average pooling over 1, 2 or 3 spatial dims; padded cells are left out of each mean.

    Arguments, shapes and layouts as in :func:`max_pool`.

    Example::

        x = np.array([1.0, 2, 3, 4, 5]).reshape(1, 5, 1)
        ops.average_pool(x, 2, strides=1, padding="same")   # [1.5, 2.5, 3.5, 4.5, 5.0]
    """
    return _pool("average_pool", inputs, pool_size, strides, padding, data_format)


def _pool(op: str, inputs: Any, pool_size: Any, strides: Any, padding: Any,
          data_format: str | None) -> Tensor:
    """The one pooling op behind max_pool and average_pool, for every rank and layout."""
    tensor = convert_to_tensor(inputs)
    channels_first = _data_format(op, data_format) == "channels_first"
    rank = _spatial_rank(op, tensor.shape, pool_size)
    pool = _int_tuple(op, "pool_size", pool_size, rank)
    steps = pool if strides is None else _int_tuple(op, "strides", strides, rank)
    padding = _padding_mode(op, padding)
    x = to_channels_last(_float_data(tensor), channels_first)
    pads = _pads(op, x.shape[1:-1], pool, steps, padding)
    primitives = backend.primitives("pooling")  # kept for the backward pass
    input_shape = tuple(x.shape)

    if op == "max_pool":
        output, winners = primitives.max_pool_forward(x, pool, steps, pads)

        def backward(grad: Any) -> Any:
            return primitives.max_pool_backward(grad, winners, input_shape, pool, steps, pads)
    else:
        output = primitives.avg_pool_forward(x, pool, steps, pads)

        def backward(grad: Any) -> Any:
            return primitives.avg_pool_backward(grad, input_shape, pool, steps, pads)

    def vjp(grad: Any) -> tuple[Any]:
        grad_input = backward(to_channels_last(grad, channels_first))
        return (to_channels_first(grad_input, channels_first),)

    return record(to_channels_first(output, channels_first), (tensor,), vjp, name=op)


def _data_format(op: str, data_format: str | None) -> str:
    try:
        return backend.standardize_data_format(data_format)
    except ValueError as error:
        raise ValueError(f"{op}: {error}") from None


def _spatial_rank(op: str, shape: tuple[int, ...], pool_size: Any) -> int:
    """Number of spatial dims (1-3) of an input of ``shape``, checked against ``pool_size``."""
    if isinstance(pool_size, (tuple, list)) and 1 <= len(pool_size) <= 3:
        expected = len(pool_size) + 2
        if len(shape) != expected:
            raise ValueError(
                f"{op}: expected a {expected}D input (batch, {_spatial_names(len(pool_size))}, "
                f"channels) for pool_size of length {len(pool_size)}. Received shape {shape}")
    if not 3 <= len(shape) <= 5:
        raise ValueError(
            f"{op}: expected a 3D, 4D or 5D input (batch, *spatial, channels) with 1 to 3 "
            f"spatial dims. Received shape {shape}")
    return len(shape) - 2


def _spatial_names(rank: int) -> str:
    return {1: "steps", 2: "height, width", 3: "depth, height, width"}[rank]


def _int_tuple(op: str, name: str, value: Any, rank: int) -> tuple[int, ...]:
    """An int or a sequence of ``rank`` ints, all positive, as a tuple of ``rank`` ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * rank
    valid = len(values) == rank and all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values)
    if not valid:
        raise ValueError(
            f"{op}: `{name}` must be a positive int or a tuple of {rank} positive ints. "
            f"Received: {name}={value!r}")
    return values


def _padding_mode(op: str, padding: Any) -> str:
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in _PADDINGS:
        raise ValueError(
            f"{op}: `padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    return mode


def _pads(op: str, spatial: Sequence[int], pool: Sequence[int], strides: Sequence[int],
          padding: str) -> tuple[tuple[int, int], ...]:
    """``(before, after)`` per spatial dim: zeros for 'valid', TensorFlow's rule for 'same'."""
    if any(n < 1 for n in spatial) or (
            padding == "valid" and any(n < k for n, k in zip(spatial, pool))):
        raise ValueError(
            f"{op}: every spatial dim must be at least 1 and, with padding='valid', at least "
            f"the pool size. Received spatial shape {tuple(spatial)} with pool_size "
            f"{tuple(pool)}")
    if padding == "valid":
        return tuple((0, 0) for _ in spatial)
    pads = []
    for n, k, s in zip(spatial, pool, strides):
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _float_data(tensor: Tensor) -> Any:
    data = tensor.data
    return data if data.dtype.kind == "f" else data.astype(backend.floatx())
