"""Argument checking, operand conversion and geometry for the convolution ops.

Turns Keras-style arguments (``strides=2``, ``padding='same'``, ``dilation_rate=(1, 2)``) into a
:class:`ConvGeometry` with one explicit value per spatial dim, applying the TensorFlow/Keras
rules:

- 'valid': no padding.
- 'same': ``ceil(n / s)`` output cells; ``total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)``
  padding cells, ``total // 2`` before the input and the rest after.
- 'causal' (1D only): ``d * (k - 1)`` cells before the input, none after.
- transposed convolutions: Keras's ``deconv_output_length`` rule for the output length and
  the padding of the convolution whose input gradient the transposed convolution is.

Every error names the op, the argument, what was expected and what was received.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, convert_to_tensor, needs_grad, record

__all__ = [
    "ConvGeometry", "conv_geometry", "float_operands", "gradient_as", "int_tuple", "padding_mode",
    "record_conv", "spatial_rank", "to_channels_first", "to_channels_last", "transpose_geometry",
]


@dataclass(frozen=True)
class ConvGeometry:
    """One value per spatial dim; ``padding`` holds ``(before, after)`` pairs."""

    kernel_size: tuple[int, ...]
    strides: tuple[int, ...]
    dilation_rate: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    groups: int = 1

    def primitive_args(self) -> tuple[Any, ...]:
        """``(kernel_size, strides, dilation_rate, padding)`` for im2col/col2im."""
        return self.kernel_size, self.strides, self.dilation_rate, self.padding


def effective_size(kernel: int, dilation: int) -> int:
    """Extent of a dilated kernel: ``(k - 1) * d + 1``."""
    return (kernel - 1) * dilation + 1


def spatial_rank(op: str, inputs_shape: Sequence[int], kernel_shape: Sequence[int],
                 kernel_layout: str = "(*kernel_size, in_channels, out_channels)") -> int:
    """The number of spatial dims (1-3), checking that inputs and kernel agree on it."""
    if len(kernel_shape) not in (3, 4, 5):
        raise ValueError(
            f"{op}: `kernel` must have rank 3, 4 or 5 (shape {kernel_layout}) for a 1D, 2D or "
            f"3D convolution. Received kernel shape {tuple(kernel_shape)}")
    rank = len(kernel_shape) - 2
    if len(inputs_shape) != rank + 2:
        raise ValueError(
            f"{op}: a {rank}D kernel of shape {tuple(kernel_shape)} needs inputs of rank "
            f"{rank + 2} (batch, spatial dims and channels). Received inputs of shape "
            f"{tuple(inputs_shape)}")
    return rank


def int_tuple(op: str, name: str, value: Any, rank: int, minimum: int = 1) -> tuple[int, ...]:
    """An int or a sequence of ``rank`` ints, each ``>= minimum``, as a tuple."""
    values = (value,) * rank if _is_int(value) else value
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    if len(values) != rank or not all(_is_int(v) and v >= minimum for v in values):
        raise ValueError(
            f"{op}: `{name}` must be an int or a tuple of {rank} ints, each >= {minimum}. "
            f"Received: {name}={value!r}")
    return tuple(int(v) for v in values)


def _is_int(value: Any) -> bool:
    """Python and NumPy integers, but not bools."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def padding_mode(op: str, padding: Any, rank: int, allowed: Sequence[str]) -> str:
    """The lower-cased padding name, checked against ``allowed`` ('causal' needs rank 1)."""
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in allowed:
        names = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(f"{op}: `padding` must be {names}. Received: padding={padding!r}")
    if mode == "causal" and rank != 1:
        raise ValueError(
            f"{op}: padding='causal' is only defined for 1D convolutions. Received a {rank}D "
            f"kernel")
    return mode


def _pads(mode: str, spatial: Sequence[int], kernel_size: Sequence[int],
          strides: Sequence[int], dilation_rate: Sequence[int]) -> tuple[tuple[int, int], ...]:
    pads = []
    for n, k, s, d in zip(spatial, kernel_size, strides, dilation_rate):
        if mode == "same":
            total = max((math.ceil(n / s) - 1) * s + effective_size(k, d) - n, 0)
            pads.append((total // 2, total - total // 2))
        elif mode == "causal":
            pads.append((d * (k - 1), 0))
        else:
            pads.append((0, 0))
    return tuple(pads)


def conv_geometry(op: str, spatial: Sequence[int], kernel_size: Sequence[int], strides: Any,
                  padding: Any, dilation_rate: Any, groups: int = 1) -> ConvGeometry:
    """Check Keras-style arguments and make the explicit geometry of a convolution."""
    rank = len(kernel_size)
    strides = int_tuple(op, "strides", strides, rank)
    dilation_rate = int_tuple(op, "dilation_rate", dilation_rate, rank)
    mode = padding_mode(op, padding, rank, ("valid", "same", "causal"))
    pads = _pads(mode, spatial, kernel_size, strides, dilation_rate)
    for n, k, d, (before, after) in zip(spatial, kernel_size, dilation_rate, pads):
        if n + before + after < effective_size(k, d):
            raise ValueError(
                f"{op}: the inputs' spatial shape {tuple(spatial)} is too small for a kernel of "
                f"size {tuple(kernel_size)} with dilation_rate={dilation_rate} and "
                f"padding={padding!r}: the output would be empty")
    return ConvGeometry(tuple(kernel_size), strides, dilation_rate, pads, groups)


def transpose_geometry(op: str, spatial: Sequence[int], kernel_size: Sequence[int],
                       strides: Any, padding: Any, output_padding: Any,
                       dilation_rate: Any) -> tuple[tuple[int, ...], ConvGeometry]:
    """Output spatial shape of a transposed convolution and the geometry of its adjoint conv.

    The output length follows Keras (``deconv_output_length``); the padding before the output
    is that of the convolution mapping the output back onto the inputs (TF's 'same' rule on
    the output length, 0 for 'valid'). The padding after it may be negative (a crop).
    """
    rank = len(kernel_size)
    strides = int_tuple(op, "strides", strides, rank)
    dilation_rate = int_tuple(op, "dilation_rate", dilation_rate, rank)
    mode = padding_mode(op, padding, rank, ("valid", "same"))
    extra = None if output_padding is None else int_tuple(
        op, "output_padding", output_padding, rank, minimum=0)
    lengths, pads = [], []
    for i, (n, k, s, d) in enumerate(zip(spatial, kernel_size, strides, dilation_rate)):
        if extra is not None and extra[i] >= max(s, d):
            raise ValueError(
                f"{op}: `output_padding` must be smaller than the stride or the dilation rate "
                f"in every dim. Received: output_padding={output_padding!r}, "
                f"strides={strides}, dilation_rate={dilation_rate}")
        length = _transpose_length(n, effective_size(k, d), s, mode,
                                   None if extra is None else extra[i])
        before = _transpose_pad_before(effective_size(k, d), s, mode,
                                       None if extra is None else extra[i])
        lengths.append(length)
        pads.append((before, (n - 1) * s + effective_size(k, d) - before - length))
    return tuple(lengths), ConvGeometry(tuple(kernel_size), strides, dilation_rate, tuple(pads))


def _transpose_length(n: int, extent: int, stride: int, mode: str,
                      output_padding: int | None) -> int:
    """Keras's ``compute_conv_transpose_output_length`` for one dim."""
    if output_padding is None:
        return n * stride + max(extent - stride, 0) if mode == "valid" else n * stride
    pad = extent // 2 if mode == "same" else 0
    return (n - 1) * stride + extent - 2 * pad + output_padding


def _transpose_pad_before(extent: int, stride: int, mode: str,
                          output_padding: int | None) -> int:
    """Cells of the output hidden before the full scatter (Keras's JAX padding, mirrored)."""
    if mode == "valid":
        return 0
    if output_padding is None:
        total = stride + extent - 2
    else:
        total = extent + extent % 2 - 2 + output_padding
    return extent - 1 - min(total // 2 + total % 2, extent - 1)


def to_channels_last(array: Any, channels_first: bool) -> Any:
    """``(N, C, *spatial)`` -> ``(N, *spatial, C)`` when ``channels_first``; else unchanged."""
    if not channels_first:
        return array
    return backend.xp().moveaxis(array, 1, -1)


def to_channels_first(array: Any, channels_first: bool) -> Any:
    """``(N, *spatial, C)`` -> ``(N, C, *spatial)`` when ``channels_first``; else unchanged."""
    if not channels_first:
        return array
    return backend.xp().ascontiguousarray(backend.xp().moveaxis(array, -1, 1))


def float_operands(op: str, **operands: Any) -> tuple[list[Tensor], list[Any]]:
    """Tensors for the named ``operands`` and their raw arrays cast to one float dtype.

    The common dtype is that of the float operands (promoted, e.g. float32 + float64 ->
    float64), or ``floatx()`` when none is a float. Gradients must be cast back to each
    tensor's own dtype (see :func:`gradient_as`).

    Example::

        (x, w), (x_data, w_data) = float_operands("conv", inputs=inputs, kernel=kernel)
    """
    tensors = [convert_to_tensor(value) for value in operands.values()]
    for name, tensor in zip(operands, tensors):
        if tensor.data.dtype.kind not in "fiub":
            raise TypeError(f"{op}: `{name}` must be a real number array. "
                            f"Received dtype={tensor.dtype}")
    floats = [t.data.dtype for t in tensors if t.data.dtype.kind == "f"]
    dtype = backend.xp().result_type(*floats) if floats else backend.floatx()
    return tensors, [t.data.astype(dtype, copy=False) for t in tensors]


def gradient_as(grad: Any, tensor: Tensor) -> Any:
    """``grad`` cast to ``tensor``'s dtype, or None for non-float tensors."""
    if tensor.data.dtype.kind != "f":
        return None
    return grad.astype(tensor.data.dtype, copy=False)


def record_conv(op: str, x: Tensor, w: Tensor, result: Any, channels_first: bool,
                input_gradient: Callable[[Any], Any],
                kernel_gradient: Callable[[Any], Any]) -> Tensor:
    """Record ``result`` (channels_last) as the output of ``op(x, w)`` in the caller's layout.

    The backward pass hands the output gradient, channels_last and in ``result``'s dtype, to
    ``input_gradient`` (returns the channels_last gradient of ``x``) and ``kernel_gradient``
    (returns the gradient of ``w``), each only when that operand needs one; both are cast
    back to the operand's own dtype (see :func:`gradient_as`).
    """
    need_x, need_w = needs_grad(x, w)

    def vjp(grad: Any) -> tuple[Any, Any]:
        grad_last = to_channels_last(grad.astype(result.dtype, copy=False), channels_first)
        grad_x = grad_w = None
        if need_x:
            grad_x = gradient_as(to_channels_first(input_gradient(grad_last), channels_first), x)
        if need_w:
            grad_w = gradient_as(kernel_gradient(grad_last), w)
        return grad_x, grad_w

    return record(to_channels_first(result, channels_first), (x, w), vjp, name=op)
