"""LayerNormalization: normalize each sample over its feature axes (Ba et al., 2016)."""

from __future__ import annotations

import warnings
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer
from gpulayers.layers.normalization.normalization_arguments import (
    add_affine_weight,
    affine_config,
    axis_argument,
    broadcast_shape,
    check_axes_in_range,
    known_sizes,
    non_negative_float,
    resolve_axes,
    restore_dtype,
    set_affine_arguments,
    upcast_half,
)

_RMS_SCALING_WARNING = (
    "You passed `rms_scaling=True`, which is deprecated (as in Keras 3). This argument scales "
    "the input by the variance, not the root mean square. For RMS normalization use "
    "`gpulayers.layers.RMSNormalization` instead.")


class LayerNormalization(Layer):
    """Layer normalization, Keras 3 semantics: statistics per sample, over ``axis``.

    ``y = (x - mean) / sqrt(var + epsilon) * gamma + beta`` where ``mean`` and the biased
    ``var`` are taken over ``axis`` of each sample separately (no moving statistics; the
    same computation in training and inference).

    Args:
        axis: an int or a list of ints: the axes normalized together (default ``-1``);
            ``gamma``/``beta`` have the sizes of those axes.
        epsilon: added to the variance (default 1e-3).
        center / scale: learn ``beta`` / ``gamma`` (default both True).
        rms_scaling: deprecated Keras option: ``y = x / sqrt(var + epsilon) * gamma`` (no
            centering, no ``beta``; ``gamma`` created even when ``scale=False``). Warns.
        beta_initializer, gamma_initializer ('zeros', 'ones'), beta_regularizer,
        gamma_regularizer, beta_constraint, gamma_constraint.
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input: any tensor with known sizes on ``axis``. Output: same shape; masks pass through.
    Weights (Keras's order): ``gamma`` (if scale or rms_scaling), ``beta`` (if center and not
    rms_scaling), each of shape ``tuple(input_shape[a] for a in sorted(axis))``.

    Example::

        ln = LayerNormalization(axis=[1, 2])   # (batch, h, w, c): per-(h, w) gamma and beta
        y = ln(x)
    """

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, rms_scaling: bool = False, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # As Keras: statistics in float32 even under mixed_float16 (float16 overflows), from
        # float32 weights and uncast inputs; the output is cast to the compute dtype.
        self.autocast = False
        if rms_scaling:
            warnings.warn(_RMS_SCALING_WARNING, UserWarning, stacklevel=2)
        self.axis = axis_argument(self, axis)
        self.epsilon = non_negative_float(self, "epsilon", epsilon)
        self.rms_scaling = bool(rms_scaling)
        set_affine_arguments(self, center, scale, beta_initializer, gamma_initializer,
                             beta_regularizer, gamma_regularizer, beta_constraint,
                             gamma_constraint)
        self.supports_masking = True
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None

    def build(self, input_shape: tuple) -> None:
        shape = tuple(input_shape)
        sizes = known_sizes(self, shape, resolve_axes(self, self.axis, shape))
        if self.scale or self.rms_scaling:
            self.gamma = add_affine_weight(self, "gamma", sizes)
        if self.center and not self.rms_scaling:
            self.beta = add_affine_weight(self, "beta", sizes)
        given = [self.axis] if isinstance(self.axis, int) else self.axis
        self.input_spec = InputSpec(min_ndim=max(a + 1 if a >= 0 else -a for a in given),
                                    axes={a: shape[a % len(shape)] for a in given})
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        axes = resolve_axes(self, self.axis, inputs.shape)
        x, _ = upcast_half(inputs)
        shape = broadcast_shape(x.ndim, axes, [x.shape[a] for a in axes])
        if self.rms_scaling:
            variance = ops.var(x, axis=axes, keepdims=True)
            outputs = x * ops.rsqrt(variance + self.epsilon)
            if self.gamma is not None:
                outputs = outputs * ops.reshape(ops.cast(self.gamma, x.dtype), shape)
            return restore_dtype(outputs, self.compute_dtype)
        mean, variance = ops.moments(x, axes=axes, keepdims=True)
        inverse = ops.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inverse = inverse * ops.reshape(ops.cast(self.gamma, x.dtype), shape)
        offset = -mean * inverse
        if self.beta is not None:
            offset = offset + ops.reshape(ops.cast(self.beta, x.dtype), shape)
        return restore_dtype(x * inverse + offset, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        check_axes_in_range(self, self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "rms_scaling": self.rms_scaling, **affine_config(self)}


__all__ = ["LayerNormalization"]
