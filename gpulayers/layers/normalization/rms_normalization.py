"""RMSNormalization: scale each sample by the inverse root mean square of its features."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.layer import Layer
from gpulayers.layers.normalization.normalization_arguments import (
    axis_argument,
    broadcast_shape,
    check_axes_in_range,
    known_sizes,
    layer_label,
    non_negative_float,
    resolve_axes,
    restore_dtype,
    upcast_half,
)


class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang & Sennrich, 2019), Keras 3 semantics:
    ``y = x / sqrt(mean(x**2, axis) + epsilon) * scale``.

    Args:
        axis: an int or a list of ints (default ``-1``): the axes averaged over.
        epsilon: added to the mean square (default 1e-6).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input: any tensor with known sizes on ``axis``. Output: same shape.
    Weights: ``scale`` of shape ``tuple(input_shape[a] for a in sorted(axis))``, ones.

    Example::

        y = RMSNormalization()(x)        # x of shape (batch, tokens, 64): scale of shape (64,)
    """

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-6,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis_argument(self, axis)
        self.epsilon = non_negative_float(self, "epsilon", epsilon)

    def build(self, input_shape: tuple) -> None:
        shape = tuple(input_shape)
        sizes = known_sizes(self, shape, resolve_axes(self, self.axis, shape))
        self.scale = self.add_weight(shape=sizes, name="scale", initializer="ones")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        axes = resolve_axes(self, self.axis, inputs.shape)
        if tuple(inputs.shape[a] for a in axes) != tuple(self.scale.shape):
            raise ValueError(f"{layer_label(self)} was built for sizes "
                             f"{tuple(self.scale.shape)} on axis={self.axis}, but received an "
                             f"input of shape {tuple(inputs.shape)}")
        x, dtype = upcast_half(inputs)
        mean_square = ops.mean(ops.square(x), axis=axes, keepdims=True)
        shape = broadcast_shape(x.ndim, axes, self.scale.shape)
        outputs = x * ops.rsqrt(mean_square + self.epsilon) * ops.reshape(
            ops.cast(self.scale, x.dtype), shape)
        return restore_dtype(outputs, dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        check_axes_in_range(self, self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


__all__ = ["RMSNormalization"]
