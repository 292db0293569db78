"""Moving data between axes: sliding windows and block rearrangements (Keras 3's
``extract_sequences``, ``unfold``, ``fold``, ``depth_to_space``, ``space_to_depth``,
``rearrange``).

All are built from differentiable slicing, padding, reshapes and transposes, so gradients
flow through them; the dtype is always the input's.

* ``unfold`` / ``fold`` follow PyTorch's ``F.unfold`` / ``F.fold`` (channels-first): block
  ``(kh, kw)`` of channel ``c`` is row ``c * kh * kw + kh_index * kw + kw_index``; ``fold``
  sums overlapping blocks (it is ``unfold``'s adjoint).
* ``depth_to_space`` / ``space_to_depth`` follow Keras's torch backend: channels_last uses
  TensorFlow's (DCR) channel order ``(block_row, block_col, channel)``; channels_first uses
  ``(channel, block_row, block_col)`` (CRD, as PyTorch's pixel_shuffle).
"""

from __future__ import annotations

import re
from typing import Any

from gpulayers.autodiff import Tensor
from gpulayers.backend.config import standardize_data_format
from gpulayers.ops.creation import zeros
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.joining import concatenate, stack
from gpulayers.ops.reordering import pad
from gpulayers.ops.shape import reshape, transpose

__all__ = ["depth_to_space", "extract_sequences", "fold", "rearrange", "space_to_depth",
           "unfold"]


def _pair(op_name: str, name: str, value: Any, minimum: int) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < minimum
                             for v in pair):
        raise ValueError(f"{op_name}: `{name}` must be an int >= {minimum} or a pair of them. "
                         f"Received: {name}={value!r}")
    return pair  # type: ignore[return-value]


def _along(x: Tensor, axis: int, start: int, stop: int, step: int = 1) -> Tensor:
    key: list[Any] = [slice(None)] * x.ndim
    key[axis] = slice(start, stop, step)
    return x[tuple(key)]


def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> Tensor:
    """Frames of ``sequence_length`` along the last axis, every ``sequence_stride`` steps.

    ``(..., L)`` -> ``(..., 1 + (L - sequence_length) // sequence_stride, sequence_length)``.
    Example: ``extract_sequences([1, 2, 3, 4, 5], 3, 2)`` is ``[[1, 2, 3], [3, 4, 5]]``.
    """
    x = to_operand_tensor(x, "extract_sequences")
    length = x.shape[-1] if x.ndim else 0
    for name, value in (("sequence_length", sequence_length),
                        ("sequence_stride", sequence_stride)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"extract_sequences: `{name}` must be a positive int. "
                             f"Received: {name}={value!r}")
    if x.ndim == 0 or sequence_length > length:
        raise ValueError(f"extract_sequences: `sequence_length` ({sequence_length}) must not "
                         f"exceed the last axis of x. Received x.shape={x.shape}")
    count = 1 + (length - sequence_length) // sequence_stride
    frames = [_along(x, x.ndim - 1, i * sequence_stride, i * sequence_stride + sequence_length)
              for i in range(count)]
    return stack(frames, axis=-2)


def _unfold_geometry(op_name: str, height: int, width: int, kernel_size: Any, dilation: Any,
                     padding: Any, stride: Any) -> tuple:
    kernel = _pair(op_name, "kernel_size", kernel_size, 1)
    dil = _pair(op_name, "dilation", dilation, 1)
    pads = _pair(op_name, "padding", padding, 0)
    steps = _pair(op_name, "stride", stride, 1)
    blocks = tuple((size + 2 * p - d * (k - 1) - 1) // s + 1
                   for size, p, d, k, s in zip((height, width), pads, dil, kernel, steps))
    if min(blocks) < 1:
        raise ValueError(f"{op_name}: the kernel {kernel} (dilation {dil}) does not fit the "
                         f"padded spatial size {(height + 2 * pads[0], width + 2 * pads[1])}")
    return kernel, dil, pads, steps, blocks


def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Sliding blocks of a channels-first batch: ``(N, C, H, W)`` -> ``(N, C*kh*kw, L)``.

    ``L`` is the number of block positions; ``padding`` zero-pads both sides.
    Example: ``unfold(ops.ones((1, 2, 4, 4)), 2, stride=2).shape`` is ``(1, 8, 4)``.
    """
    x = to_operand_tensor(x, "unfold")
    if x.ndim != 4:
        raise ValueError(f"unfold: input must be a 4D tensor (N, C, H, W). Received: "
                         f"input.shape={x.shape}")
    kernel, dil, pads, steps, blocks = _unfold_geometry(
        "unfold", x.shape[2], x.shape[3], kernel_size, dilation, padding, stride)
    padded = pad(x, [(0, 0), (0, 0), (pads[0], pads[0]), (pads[1], pads[1])])
    patches = []
    for i in range(kernel[0]):
        rows = _along(padded, 2, i * dil[0], i * dil[0] + steps[0] * (blocks[0] - 1) + 1,
                      steps[0])
        for j in range(kernel[1]):
            patches.append(_along(rows, 3, j * dil[1],
                                  j * dil[1] + steps[1] * (blocks[1] - 1) + 1, steps[1]))
    n, c = x.shape[:2]
    return reshape(stack(patches, axis=2), (n, c * kernel[0] * kernel[1], blocks[0] * blocks[1]))


def _spread(block: Tensor, axis: int, step: int, start: int, total: int) -> Tensor:
    """Place ``block``'s entries along ``axis`` at ``start + step * i`` in a zero axis of
    length ``total`` (the transpose of a strided slice)."""
    count = block.shape[axis]
    if step > 1:
        gap_shape = list(block.shape)
        gap_shape.insert(axis + 1, step - 1)
        widened = concatenate([reshape(block, (*block.shape[:axis + 1], 1,
                                               *block.shape[axis + 1:])),
                               zeros(gap_shape, dtype=block.dtype)], axis=axis + 1)
        merged = list(block.shape)
        merged[axis] = count * step
        block = _along(reshape(widened, merged), axis, 0, step * (count - 1) + 1)
    widths = [(0, 0)] * block.ndim
    widths[axis] = (start, total - start - block.shape[axis])
    return pad(block, widths)


def fold(x: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Sum sliding blocks back into a channels-first batch (the adjoint of :func:`unfold`):
    ``(N, C*kh*kw, L)`` -> ``(N, C, oH, oW)``.

    Example: ``fold(unfold(x, 2, stride=2), (4, 4), 2, stride=2)`` equals ``x``.
    """
    x = to_operand_tensor(x, "fold")
    if x.ndim != 3:
        raise ValueError(f"fold: input must be a 3D tensor (N, C*kh*kw, L). Received: "
                         f"input.shape={x.shape}")
    out_h, out_w = _pair("fold", "output_size", output_size, 1)
    kernel, dil, pads, steps, blocks = _unfold_geometry(
        "fold", out_h, out_w, kernel_size, dilation, padding, stride)
    per_block = kernel[0] * kernel[1]
    if x.shape[1] % per_block or x.shape[2] != blocks[0] * blocks[1]:
        raise ValueError(f"fold: expected x of shape (N, C * {per_block}, "
                         f"{blocks[0] * blocks[1]}) for output_size {(out_h, out_w)}, "
                         f"kernel_size {kernel}. Received: x.shape={x.shape}")
    n, channels = x.shape[0], x.shape[1] // per_block
    parts = reshape(x, (n, channels, kernel[0], kernel[1], blocks[0], blocks[1]))
    total_h, total_w = out_h + 2 * pads[0], out_w + 2 * pads[1]
    result = None
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            block = _spread(parts[:, :, i, j], 2, steps[0], i * dil[0], total_h)
            block = _spread(block, 3, steps[1], j * dil[1], total_w)
            result = block if result is None else result + block
    return result[:, :, pads[0]:pads[0] + out_h, pads[1]:pads[1] + out_w]


def _block_arguments(op_name: str, x: Any, block_size: Any, data_format: str) -> tuple:
    x = to_operand_tensor(x, op_name)
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 2:
        raise ValueError(f"{op_name}: `block_size` must be at least 2. "
                         f"Received: block_size={block_size!r}")
    if x.ndim != 4:
        raise ValueError(f"{op_name}: requires a 4D input tensor. Received: x.shape={x.shape}")
    return x, standardize_data_format(data_format)


def depth_to_space(x: Any, block_size: int, data_format: str = "channels_last") -> Tensor:
    """Move channel blocks into ``block_size x block_size`` spatial blocks:
    ``(N, H, W, C)`` -> ``(N, H*b, W*b, C / b^2)`` (or channels_first)."""
    x, fmt = _block_arguments("depth_to_space", x, block_size, data_format)
    b = block_size
    if fmt == "channels_last":
        n, h, w, c = x.shape
    else:
        n, c, h, w = x.shape
    if c % (b * b):
        raise ValueError(f"depth_to_space: the number of channels ({c}) must be divisible by "
                         f"block_size ** 2 ({b * b}).")
    if fmt == "channels_last":
        y = transpose(reshape(x, (n, h, w, b, b, c // (b * b))), (0, 1, 3, 2, 4, 5))
        return reshape(y, (n, h * b, w * b, c // (b * b)))
    y = transpose(reshape(x, (n, c // (b * b), b, b, h, w)), (0, 1, 4, 2, 5, 3))
    return reshape(y, (n, c // (b * b), h * b, w * b))


def space_to_depth(x: Any, block_size: int, data_format: str = "channels_last") -> Tensor:
    """Move ``block_size x block_size`` spatial blocks into channels (the inverse of
    :func:`depth_to_space`): ``(N, H, W, C)`` -> ``(N, H/b, W/b, C*b^2)``."""
    x, fmt = _block_arguments("space_to_depth", x, block_size, data_format)
    b = block_size
    if fmt == "channels_last":
        n, h, w, c = x.shape
    else:
        n, c, h, w = x.shape
    if h % b or w % b:
        raise ValueError(f"space_to_depth: height ({h}) and width ({w}) must be divisible by "
                         f"block_size ({b}).")
    if fmt == "channels_last":
        y = transpose(reshape(x, (n, h // b, b, w // b, b, c)), (0, 1, 3, 2, 4, 5))
        return reshape(y, (n, h // b, w // b, b * b * c))
    y = transpose(reshape(x, (n, c, h // b, b, w // b, b)), (0, 1, 3, 5, 2, 4))
    return reshape(y, (n, c * b * b, h // b, w // b))


def _parse_side(side: str, pattern: str) -> list[list[str]]:
    tokens = re.findall(r"\(|\)|[^\s()]+", side)
    groups: list[list[str]] = []
    current: list[str] | None = None
    for token in tokens:
        if token == "(":
            if current is not None:
                raise ValueError(f"rearrange: nested parentheses in pattern {pattern!r}")
            current = []
        elif token == ")":
            if current is None:
                raise ValueError(f"rearrange: unbalanced parentheses in pattern {pattern!r}")
            groups.append(current)
            current = None
        elif not token.isidentifier():
            raise ValueError(f"rearrange: axis names must be identifiers (no '...' or numbers)"
                             f". Received {token!r} in pattern {pattern!r}")
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    if current is not None:
        raise ValueError(f"rearrange: unbalanced parentheses in pattern {pattern!r}")
    return groups


def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> Tensor:
    """Reorder, split and merge axes with an einops pattern (as ``keras.ops.rearrange``).

    Example::

        rearrange(images, "b h w c -> b c h w")
        rearrange(images, "b (h h1) (w w1) c -> b h w (c h1 w1)", h1=2, w1=2)
    """
    x = to_operand_tensor(tensor, "rearrange")
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError(f"rearrange: `pattern` must look like 'a b -> b a'. "
                         f"Received: pattern={pattern!r}")
    left, right = (_parse_side(s, pattern) for s in pattern.split("->"))
    names_in = [a for g in left for a in g]
    names_out = [a for g in right for a in g]
    if (len(set(names_in)) != len(names_in) or len(set(names_out)) != len(names_out)
            or set(names_in) != set(names_out)):
        raise ValueError(f"rearrange: each axis must appear exactly once on each side of "
                         f"the pattern. Received: pattern={pattern!r}")
    if len(left) != x.ndim:
        raise ValueError(f"rearrange: the pattern's input side has {len(left)} axes but the "
                         f"tensor has rank {x.ndim} (shape {x.shape}). Received: {pattern!r}")
    sizes: dict[str, int] = {}
    for group, dim in zip(left, x.shape):
        unknown = [a for a in group if a not in axes_lengths]
        known = 1
        for a in group:
            if a in axes_lengths:
                known *= int(axes_lengths[a])
        if len(unknown) > 1 or (not unknown and known != dim) or (unknown and dim % known):
            raise ValueError(f"rearrange: cannot split an axis of size {dim} into {group} "
                             f"with axes_lengths={axes_lengths}")
        for a in group:
            sizes[a] = int(axes_lengths[a]) if a in axes_lengths else dim // known
    x = reshape(x, [sizes[a] for a in names_in])
    x = transpose(x, [names_in.index(a) for a in names_out])
    merged = []
    for group in right:
        size = 1
        for a in group:
            size *= sizes[a]
        merged.append(size)
    return reshape(x, merged)
