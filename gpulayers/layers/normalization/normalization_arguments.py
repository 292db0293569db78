"""Argument checks and small helpers shared by the normalization layers.

Errors name the layer, the argument and the value received, e.g.
``Layer 'batch_normalization' (BatchNormalization): `axis` must be an int. Received: axis='x'``.

Example::

    axes = resolve_axes(layer, layer.axis, input_shape)   # (-1,) on rank 4 -> (3,)
    x, original_dtype = upcast_half(x)                     # float16 inputs reduce in float32
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from gpulayers import constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor

__all__ = ["add_affine_weight", "affine_config", "axis_argument", "broadcast_shape",
           "check_axes_in_range", "known_sizes", "layer_label", "non_negative_float",
           "resolve_axes", "restore_dtype", "set_affine_arguments", "upcast_half"]

_HALF_DTYPES = ("float16", "bfloat16")


def layer_label(layer: Any) -> str:
    """``"Layer 'batch_normalization' (BatchNormalization)"``: how errors name a layer."""
    return f"Layer '{layer.name}' ({type(layer).__name__})"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def axis_argument(layer: Any, axis: Any, allow_list: bool = True) -> int | list[int]:
    """Validate an ``axis`` argument: an int, or (``allow_list``) a non-empty list of ints."""
    if _is_int(axis):
        return axis
    if allow_list and isinstance(axis, (list, tuple)) and axis and all(
            _is_int(a) for a in axis):
        return list(axis)
    expected = "an int or a non-empty list of ints" if allow_list else "an int"
    raise TypeError(f"{layer_label(layer)}: `axis` must be {expected}. Received: axis={axis!r}")


def non_negative_float(layer: Any, name: str, value: Any) -> float:
    """A finite float >= 0 (``epsilon``, ``momentum``, ...), else ValueError."""
    valid = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(
        value) and value >= 0
    if not valid:
        raise ValueError(f"{layer_label(layer)}: `{name}` must be a finite number >= 0. "
                         f"Received: {name}={value!r}")
    return float(value)


def check_axes_in_range(layer: Any, axis: int | Sequence[int], input_shape: Sequence) -> None:
    """Raise ValueError naming the layer when an axis is outside ``input_shape``'s rank."""
    rank = len(input_shape)
    for a in ([axis] if _is_int(axis) else axis):
        if not -rank <= a < rank:
            raise ValueError(f"{layer_label(layer)}: axis {a} is out of bounds for an input of "
                             f"rank {rank} (shape {tuple(input_shape)}). Received: "
                             f"axis={axis!r}")


def resolve_axes(layer: Any, axis: int | Sequence[int], input_shape: Sequence) -> tuple[int, ...]:
    """The axes as sorted non-negative ints, checked against ``input_shape`` (no repeats)."""
    check_axes_in_range(layer, axis, input_shape)
    rank = len(input_shape)
    axes = sorted(a % rank for a in ([axis] if _is_int(axis) else axis))
    if len(set(axes)) != len(axes):
        raise ValueError(f"{layer_label(layer)}: `axis` names the same axis twice. "
                         f"Received: axis={axis!r} for an input of rank {rank}")
    return tuple(axes)


def known_sizes(layer: Any, input_shape: Sequence, axes: Sequence[int]) -> tuple[int, ...]:
    """The sizes of ``axes`` in ``input_shape``; each must be known to create weights."""
    sizes = tuple(input_shape[a] for a in axes)
    if any(size is None for size in sizes):
        raise ValueError(f"{layer_label(layer)}: the size of the normalized axes {list(axes)} "
                         f"must be known to create its weights. Received an input of shape "
                         f"{tuple(input_shape)}")
    return tuple(int(size) for size in sizes)


def broadcast_shape(rank: int, axes: Sequence[int], sizes: Sequence[int]) -> list[int]:
    """``[1, ..., size, ..., 1]``: a weight over ``axes`` shaped to broadcast on the input."""
    shape = [1] * rank
    for a, size in zip(axes, sizes):
        shape[a] = size
    return shape


def upcast_half(x: Tensor) -> tuple[Tensor, str]:
    """``x`` in float32 when it is float16/bfloat16 (statistics overflow there), as Keras."""
    original = x.dtype
    return (ops.cast(x, "float32"), original) if original in _HALF_DTYPES else (x, original)


def restore_dtype(x: Tensor, dtype: str) -> Tensor:
    """``x`` cast back to ``dtype`` (a no-op when it already is)."""
    return x if x.dtype == dtype else ops.cast(x, dtype)


def set_affine_arguments(layer: Any, center: bool, scale: bool, beta_initializer: Any,
                         gamma_initializer: Any, beta_regularizer: Any, gamma_regularizer: Any,
                         beta_constraint: Any, gamma_constraint: Any) -> None:
    """Store ``center``/``scale`` and the resolved beta/gamma initializers, regularizers and
    constraints on ``layer`` (Layer/Group normalization share these arguments)."""
    layer.center = bool(center)
    layer.scale = bool(scale)
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def add_affine_weight(layer: Any, name: str, shape: tuple[int, ...]) -> Tensor:
    """Create ``gamma`` or ``beta`` with the layer's initializer/regularizer/constraint."""
    return layer.add_weight(shape=shape, name=name, trainable=True,
                            initializer=getattr(layer, f"{name}_initializer"),
                            regularizer=getattr(layer, f"{name}_regularizer"),
                            constraint=getattr(layer, f"{name}_constraint"))


def affine_config(layer: Any) -> dict[str, Any]:
    """The beta/gamma entries of ``get_config``, serialized as Keras writes them."""
    return {
        "center": layer.center,
        "scale": layer.scale,
        "beta_initializer": initializers.serialize(layer.beta_initializer),
        "gamma_initializer": initializers.serialize(layer.gamma_initializer),
        "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
        "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
        "beta_constraint": constraints.serialize(layer.beta_constraint),
        "gamma_constraint": constraints.serialize(layer.gamma_constraint),
    }
