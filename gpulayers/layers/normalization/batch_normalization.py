"""BatchNormalization: normalize with batch statistics in training, moving ones at inference."""

from __future__ import annotations

from typing import Any

from gpulayers import backend, constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer
from gpulayers.layers.normalization.normalization_arguments import (
    axis_argument,
    check_axes_in_range,
    known_sizes,
    layer_label,
    non_negative_float,
    resolve_axes,
    restore_dtype,
    upcast_half,
)

_RENORM_CLIPPING_KEYS = ("rmax", "rmin", "dmax")


class BatchNormalization(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015), Keras 3 semantics.

    With ``training=True`` (and a trainable layer) the output is
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with the biased mean and variance of
    the current batch over every axis but ``axis``, and the moving statistics are updated:
    ``moving = moving * momentum + batch_statistic * (1 - momentum)``. Otherwise (inference,
    or a frozen layer, ``layer.trainable = False``, even when ``training=True``) the moving
    mean and variance are used and nothing is updated.

    Args:
        axis: the feature (channel) axis, e.g. ``-1`` for channels_last, ``1`` for
            channels_first.
        momentum: momentum of the moving averages (default 0.99).
        epsilon: added to the variance (default 1e-3).
        center / scale: learn ``beta`` / ``gamma`` (default both True).
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers ('zeros', 'ones', 'zeros', 'ones').
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: optional.
        synchronized: accepted for Keras compatibility; one device is always in sync.
        renorm: batch renormalization (Ioffe, 2017); adds ``moving_stddev``,
            ``renorm_mean``, ``renorm_stddev`` weights. renorm_clipping: dict with optional
            ``rmax``, ``rmin``, ``dmax``. renorm_momentum: momentum of the renorm averages.
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input: any rank >= 1 tensor with a known ``axis`` size; a mask one rank lower (e.g.
    ``(batch, time)`` for ``(batch, time, features)``) restricts the batch statistics to the
    unmasked positions. Output: same shape.

    Weights (Keras's order): ``gamma`` (if scale), ``beta`` (if center), ``moving_mean``,
    ``moving_variance``, all of shape ``(channels,)``.

    Example::

        bn = BatchNormalization(axis=1)       # channels_first images (batch, c, h, w)
        y = bn(x, training=True)              # batch statistics; moving ones updated
        y = bn(x)                             # moving statistics
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, renorm: bool = False,
                 renorm_clipping: dict[str, float] | None = None,
                 renorm_momentum: float = 0.99, synchronized: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis_argument(self, axis, allow_list=False)
        self.momentum = _momentum(self, "momentum", momentum)
        self.epsilon = non_negative_float(self, "epsilon", epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = bool(synchronized)
        self.renorm = bool(renorm)
        self.renorm_clipping = _renorm_clipping(self, renorm_clipping) if self.renorm else (
            renorm_clipping)
        self.renorm_momentum = _momentum(self, "renorm_momentum", renorm_momentum)
        self.supports_masking = True
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self._channel_axis: int | None = None
        self._reduction_axes: list[int] = []

    def build(self, input_shape: tuple) -> None:
        shape = tuple(input_shape)
        (axis,) = resolve_axes(self, self.axis, shape)
        channels = known_sizes(self, shape, (axis,))
        if self.scale:
            self.gamma = self.add_weight(shape=channels, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True,
                                         autocast=False)
        if self.center:
            self.beta = self.add_weight(shape=channels, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True,
                                        autocast=False)
        self.moving_mean = self.add_weight(shape=channels, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(shape=channels, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False, autocast=False)
        if self.renorm:
            self._build_renorm_weights(channels)
        self.input_spec = InputSpec(ndim=len(shape), axes={self.axis: channels[0]})
        self._channel_axis = axis
        self._reduction_axes = [a for a in range(len(shape)) if a != axis]
        self.built = True

    def _build_renorm_weights(self, channels: tuple[int, ...]) -> None:
        self.moving_stddev = self.add_weight(shape=channels, name="moving_stddev",
                                             initializer=self.moving_variance_initializer,
                                             trainable=False, autocast=False)
        self.moving_stddev.assign(ops.sqrt(self.moving_stddev))
        self.renorm_mean = self.add_weight(shape=channels, name="renorm_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False, autocast=False)
        self.renorm_stddev = self.add_weight(shape=channels, name="renorm_stddev",
                                             initializer="ones", trainable=False,
                                             autocast=False)
        self.renorm_stddev.assign(self.moving_stddev)

    def call(self, inputs: Tensor, training: bool | None = None,
             mask: Tensor | None = None) -> Tensor:
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(f"{layer_label(self)}: the mask must have one dimension less "
                             f"than the inputs. Received: mask.shape={tuple(mask.shape)}, "
                             f"inputs.shape={tuple(inputs.shape)}")
        # float16 statistics overflow: mixed_float16 normalizes in float32, as Keras does
        inputs, _ = upcast_half(inputs)
        gamma, beta = self.gamma, self.beta
        if training and self.trainable:
            mean, variance = self._moments(inputs, mask)
            if self.renorm:
                gamma, beta = self._renorm_transform(mean, variance, gamma, beta)
                self._update_renorm_statistics(mean, variance)
            else:
                self._update_moving(self.moving_mean, mean, self.momentum)
                self._update_moving(self.moving_variance, variance, self.momentum)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        outputs = ops.batch_normalization(inputs, mean, variance, axis=self._channel_axis,
                                          offset=beta, scale=gamma, epsilon=self.epsilon)
        return restore_dtype(outputs, self.compute_dtype)

    def _moments(self, inputs: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        """Biased batch mean and variance per channel (over the unmasked positions)."""
        if mask is None:
            return ops.moments(inputs, axes=self._reduction_axes,
                               synchronized=self.synchronized)
        keep = ops.broadcast_to(ops.expand_dims(ops.cast(mask, "bool"), -1), inputs.shape)
        weights = ops.cast(keep, inputs.dtype)
        count = ops.sum(weights, axis=self._reduction_axes, keepdims=True) + backend.epsilon()
        mean = ops.sum(inputs * weights, axis=self._reduction_axes, keepdims=True) / count
        centered = ops.where(keep, inputs - mean, 0.0)
        variance = ops.sum(ops.square(centered), axis=self._reduction_axes,
                           keepdims=True) / count
        return (ops.reshape(mean, (inputs.shape[self._channel_axis],)),
                ops.reshape(variance, (inputs.shape[self._channel_axis],)))

    @staticmethod
    def _update_moving(variable: Tensor, value: Tensor, momentum: float) -> None:
        """``variable = variable * momentum + value * (1 - momentum)``, off the tape."""
        value = ops.cast(ops.stop_gradient(value), variable.dtype)
        variable.assign(ops.stop_gradient(variable) * momentum + value * (1.0 - momentum))

    def _renorm_transform(self, mean: Tensor, variance: Tensor, gamma: Tensor | None,
                          beta: Tensor | None) -> tuple[Tensor, Tensor]:
        """Scale/offset composed with the (constant) renorm corrections ``r`` and ``d``."""
        stddev = ops.sqrt(ops.stop_gradient(variance) + self.epsilon)
        renorm_stddev = ops.maximum(ops.stop_gradient(self.renorm_stddev),
                                    self.epsilon ** 0.5)
        r = stddev / renorm_stddev
        d = (ops.stop_gradient(mean) - ops.stop_gradient(self.renorm_mean)) / renorm_stddev
        clipping = self.renorm_clipping
        if clipping.get("rmin") is not None:
            r = ops.maximum(r, clipping["rmin"])
        if clipping.get("rmax") is not None:
            r = ops.minimum(r, clipping["rmax"])
        if clipping.get("dmax") is not None:
            d = ops.clip(d, -clipping["dmax"], clipping["dmax"])
        r, d = ops.cast(r, mean.dtype), ops.cast(d, mean.dtype)
        scale, offset = (r, d) if gamma is None else (r * gamma, d * gamma)
        return scale, offset if beta is None else offset + beta

    def _update_renorm_statistics(self, mean: Tensor, variance: Tensor) -> None:
        stddev = ops.sqrt(ops.stop_gradient(variance) + self.epsilon)
        self._update_moving(self.renorm_mean, mean, self.renorm_momentum)
        self._update_moving(self.renorm_stddev, stddev, self.renorm_momentum)
        self._update_moving(self.moving_mean, mean, self.momentum)
        self._update_moving(self.moving_stddev, stddev, self.momentum)
        moving_stddev = ops.stop_gradient(self.moving_stddev)
        self.moving_variance.assign(ops.relu(moving_stddev * moving_stddev - self.epsilon))

    def compute_output_shape(self, input_shape: Any) -> Any:
        check_axes_in_range(self, self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


def _momentum(layer: Layer, name: str, value: Any) -> float:
    value = non_negative_float(layer, name, value)
    if value > 1.0:
        raise ValueError(f"{layer_label(layer)}: `{name}` must be in [0, 1]. "
                         f"Received: {name}={value!r}")
    return value


def _renorm_clipping(layer: Layer, clipping: Any) -> dict[str, float]:
    clipping = dict(clipping or {})
    unknown = set(clipping) - set(_RENORM_CLIPPING_KEYS)
    if unknown:
        raise ValueError(f"{layer_label(layer)}: invalid keys {sorted(unknown)} in "
                         f"`renorm_clipping`; supported keys: {list(_RENORM_CLIPPING_KEYS)}. "
                         f"Received: renorm_clipping={clipping!r}")
    rmin, rmax, dmax = (clipping.get(k) for k in ("rmin", "rmax", "dmax"))
    if rmin is not None and rmax is not None and rmax < rmin:
        raise ValueError(f"{layer_label(layer)}: `renorm_clipping` needs rmax >= rmin. "
                         f"Received: rmax={rmax}, rmin={rmin}")
    if dmax is not None and dmax < 0:
        raise ValueError(f"{layer_label(layer)}: `renorm_clipping` needs dmax >= 0. "
                         f"Received: dmax={dmax}")
    return clipping


__all__ = ["BatchNormalization"]
