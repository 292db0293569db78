"""GroupNormalization: normalize each sample over groups of channels (Wu & He, 2018)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer
from gpulayers.layers.normalization.normalization_arguments import (
    add_affine_weight,
    affine_config,
    axis_argument,
    check_axes_in_range,
    known_sizes,
    layer_label,
    non_negative_float,
    resolve_axes,
    restore_dtype,
    set_affine_arguments,
    upcast_half,
)


class GroupNormalization(Layer):
    """Group normalization, Keras 3 semantics.

    The channels (``axis``) are split into ``groups`` contiguous groups; each sample is
    normalized with the mean and biased variance of each group, taken over the group's
    channels and every non-batch axis. ``groups=1`` is layer normalization over all
    features; ``groups=-1`` (one channel per group) is instance normalization. Then
    ``y = normalized * gamma + beta`` per channel. Same computation in training and
    inference.

    Args:
        groups: number of groups; must divide the number of channels (default 32), or -1.
        axis: the channel axis (default -1; 1 for channels_first).
        epsilon: added to the variance (default 1e-3).
        center / scale: learn ``beta`` / ``gamma`` (default both True).
        beta_initializer, gamma_initializer ('zeros', 'ones'), beta_regularizer,
        gamma_regularizer, beta_constraint, gamma_constraint.
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input: rank >= 2 with known channels. Output: same shape; masks pass through.
    Weights (Keras's order): ``gamma`` (if scale), ``beta`` (if center), shape ``(channels,)``.

    Example::

        gn = GroupNormalization(groups=4)   # x of shape (batch, h, w, 16): 4 groups of 4
        y = gn(x)
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # As Keras: statistics in float32 even under mixed_float16 (float16 overflows), from
        # float32 weights and uncast inputs; the output is cast to the compute dtype.
        self.autocast = False
        if not isinstance(groups, int) or isinstance(groups, bool) or (
                groups <= 0 and groups != -1):
            raise ValueError(f"{layer_label(self)}: `groups` must be a positive int (or -1 "
                             f"for instance normalization). Received: groups={groups!r}")
        self.groups = groups
        self.axis = axis_argument(self, axis, allow_list=False)
        self.epsilon = non_negative_float(self, "epsilon", epsilon)
        set_affine_arguments(self, center, scale, beta_initializer, gamma_initializer,
                             beta_regularizer, gamma_regularizer, beta_constraint,
                             gamma_constraint)
        self.supports_masking = True
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None

    def build(self, input_shape: tuple) -> None:
        shape = tuple(input_shape)
        if len(shape) < 2:
            raise ValueError(f"{layer_label(self)} expects an input of rank >= 2 (batch and "
                             f"channels). Received an input of shape {shape}")
        (axis,) = resolve_axes(self, self.axis, shape)
        if axis == 0:
            raise ValueError(f"{layer_label(self)}: `axis` must not be the batch axis. "
                             f"Received: axis={self.axis}")
        (channels,) = known_sizes(self, shape, (axis,))
        groups = self._groups_for(channels)
        if channels % groups:
            raise ValueError(f"{layer_label(self)}: the number of channels ({channels}) must "
                             f"be a multiple of `groups`. Received: groups={self.groups}")
        if self.scale:
            self.gamma = add_affine_weight(self, "gamma", (channels,))
        if self.center:
            self.beta = add_affine_weight(self, "beta", (channels,))
        self.input_spec = InputSpec(ndim=len(shape), axes={self.axis: channels})
        self.built = True

    def _groups_for(self, channels: int) -> int:
        groups = channels if self.groups == -1 else self.groups
        if groups > channels:
            raise ValueError(f"{layer_label(self)}: the number of groups ({groups}) cannot be "
                             f"more than the number of channels ({channels}). "
                             f"Received: groups={self.groups}")
        return groups

    def call(self, inputs: Tensor) -> Tensor:
        (axis,) = resolve_axes(self, self.axis, inputs.shape)
        channels = inputs.shape[axis]
        groups = self._groups_for(channels)
        x, _ = upcast_half(inputs)
        # (batch, ..., channels, ...) -> (batch, ..., groups, channels // groups, ...)
        grouped_shape = (*x.shape[:axis], groups, channels // groups, *x.shape[axis + 1:])
        grouped = ops.reshape(x, grouped_shape)
        reduce_axes = [a for a in range(1, len(grouped_shape)) if a != axis]
        mean, variance = ops.moments(grouped, axes=reduce_axes, keepdims=True)
        inverse = ops.rsqrt(variance + self.epsilon)
        weight_shape = [1] * len(grouped_shape)
        weight_shape[axis:axis + 2] = [groups, channels // groups]
        if self.gamma is not None:
            inverse = inverse * ops.reshape(ops.cast(self.gamma, x.dtype), weight_shape)
        offset = -mean * inverse
        if self.beta is not None:
            offset = offset + ops.reshape(ops.cast(self.beta, x.dtype), weight_shape)
        outputs = ops.reshape(grouped * inverse + offset, x.shape)
        return restore_dtype(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        check_axes_in_range(self, self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, **affine_config(self)}


__all__ = ["GroupNormalization"]
