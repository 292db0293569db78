"""Per-sample loss functions as differentiable ops (Keras 3 ``keras.losses`` functional forms).

Each loss reduces over the last axis (or ``axis``) and returns one value per sample, shape
``target.shape[:-1]``; it is one tape node whose vjp gives gradients for the prediction and,
where the target is a float tensor, for the target. ``target`` is cast to the prediction's
dtype. Crossentropies are stable: probabilities are rescaled to sum to 1 and clipped to
``[epsilon, 1 - epsilon]`` as in Keras, and logits go through log-softmax / the
``max(x, 0) - x*z + log1p(exp(-|x|))`` form, so logits of +-1000 give finite losses and
gradients.

The crossentropies live in :mod:`gpulayers.ops.crossentropy_losses` and are re-exported here.

Example::

    per_sample = mean_squared_error([[0., 1.], [1., 1.]], [[0., 0.5], [1., 0.]])  # [0.125, 0.5]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.activation_arrays import softplus_array
from gpulayers.ops.crossentropy_losses import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from gpulayers.ops.loss_inputs import prepare_loss_inputs
from gpulayers.ops.normalization_arrays import lp_normalize_backward, lp_normalize_forward

__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "categorical_hinge",
    "cosine_similarity", "hinge", "huber", "kl_divergence", "log_cosh",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge",
]

# value(t, o) -> per-element loss; partials(t, o) -> (d loss/d t, d loss/d o).
Values = Callable[[Any, Any], Any]
Partials = Callable[[Any, Any], tuple[Any, Any]]


def _reduced_loss(name: str, target: Any, output: Any, values: Values, partials: Partials,
                  reduction: str = "mean", align_ranks: bool = True) -> Tensor:
    """``mean`` (or ``sum``) over the last axis of an elementwise loss, as one node."""
    inputs = prepare_loss_inputs(name, target, output, align_ranks=align_ranks)
    t, o = inputs.target_array, inputs.output_array
    count = o.shape[-1] if reduction == "mean" else 1
    loss = values(t, o).sum(axis=-1) / count

    def vjp(grad: Any) -> tuple[Any, Any]:
        d_target, d_output = partials(t, o)
        scaled = grad[..., None] / count
        return inputs.gradients(d_target * scaled, d_output * scaled)

    return autodiff.record(loss.astype(o.dtype, copy=False), inputs.parents, vjp, name=name)


def mean_squared_error(target: Any, output: Any) -> Tensor:
    """``mean(square(target - output), axis=-1)``."""
    return _reduced_loss("mean_squared_error", target, output,
                         lambda t, o: (o - t) ** 2,
                         lambda t, o: (-2.0 * (o - t), 2.0 * (o - t)))


def mean_absolute_error(target: Any, output: Any) -> Tensor:
    """``mean(abs(target - output), axis=-1)``."""
    xp = backend.xp()
    return _reduced_loss("mean_absolute_error", target, output,
                         lambda t, o: xp.abs(o - t),
                         lambda t, o: (-xp.sign(o - t), xp.sign(o - t)))


def mean_absolute_percentage_error(target: Any, output: Any) -> Tensor:
    """``100 * mean(abs((target - output) / maximum(abs(target), epsilon)), axis=-1)``."""
    xp = backend.xp()
    epsilon = backend.epsilon()

    def partials(t: Any, o: Any) -> tuple[Any, Any]:
        scale = xp.maximum(xp.abs(t), epsilon)
        d_output = 100.0 * xp.sign(o - t) / scale
        scale_slope = xp.sign(t) * (xp.abs(t) > epsilon)
        d_target = -d_output - 100.0 * xp.abs(t - o) / scale ** 2 * scale_slope
        return d_target, d_output

    return _reduced_loss("mean_absolute_percentage_error", target, output,
                         lambda t, o: 100.0 * xp.abs(t - o) / xp.maximum(xp.abs(t), epsilon),
                         partials)


def mean_squared_logarithmic_error(target: Any, output: Any) -> Tensor:
    """``mean(square(log(max(output, eps) + 1) - log(max(target, eps) + 1)), axis=-1)``."""
    xp = backend.xp()
    epsilon = backend.epsilon()

    def log_difference(t: Any, o: Any) -> Any:
        return xp.log1p(xp.maximum(o, epsilon)) - xp.log1p(xp.maximum(t, epsilon))

    def partials(t: Any, o: Any) -> tuple[Any, Any]:
        twice = 2.0 * log_difference(t, o)
        d_output = twice * (o > epsilon) / (1.0 + xp.maximum(o, epsilon))
        d_target = -twice * (t > epsilon) / (1.0 + xp.maximum(t, epsilon))
        return d_target, d_output

    return _reduced_loss("mean_squared_logarithmic_error", target, output,
                         lambda t, o: log_difference(t, o) ** 2, partials)


def huber(target: Any, output: Any, delta: float = 1.0) -> Tensor:
    """Mean over the last axis of ``0.5 e^2`` where ``|e| <= delta``, else
    ``delta * |e| - 0.5 * delta^2``, with ``e = output - target``."""
    if isinstance(delta, bool) or not isinstance(delta, (int, float)) or delta <= 0:
        raise ValueError(f"huber: `delta` must be a positive number. Received: delta={delta!r}")
    xp = backend.xp()

    def values(t: Any, o: Any) -> Any:
        error = xp.abs(o - t)
        return xp.where(error <= delta, 0.5 * error ** 2, delta * error - 0.5 * delta ** 2)

    def partials(t: Any, o: Any) -> tuple[Any, Any]:
        error = o - t
        d_output = xp.where(xp.abs(error) <= delta, error, delta * xp.sign(error))
        return -d_output, d_output

    return _reduced_loss("huber", target, output, values, partials)


def log_cosh(target: Any, output: Any) -> Tensor:
    """``mean(log(cosh(output - target)), axis=-1)``, as ``e + softplus(-2e) - log(2)``."""
    xp = backend.xp()
    log_two = math.log(2.0)

    def partials(t: Any, o: Any) -> tuple[Any, Any]:
        slope = xp.tanh(o - t)
        return -slope, slope

    return _reduced_loss("log_cosh", target, output,
                         lambda t, o: (o - t) + softplus_array(-2.0 * (o - t)) - log_two,
                         partials)


def kl_divergence(target: Any, output: Any) -> Tensor:
    """``sum(t * log(t / p), axis=-1)`` with both clipped to ``[epsilon, 1]``."""
    xp = backend.xp()
    epsilon = backend.epsilon()

    def values(t: Any, o: Any) -> Any:
        t, p = xp.clip(t, epsilon, 1.0), xp.clip(o, epsilon, 1.0)
        return t * xp.log(t / p)

    def partials(t: Any, o: Any) -> tuple[Any, Any]:
        tc, p = xp.clip(t, epsilon, 1.0), xp.clip(o, epsilon, 1.0)
        d_output = -tc / p * ((o >= epsilon) & (o <= 1.0))
        d_target = (xp.log(tc / p) + 1.0) * ((t >= epsilon) & (t <= 1.0))
        return d_target, d_output

    return _reduced_loss("kl_divergence", target, output, values, partials,
                         reduction="sum", align_ranks=False)


def poisson(target: Any, output: Any) -> Tensor:
    """``mean(output - target * log(output + epsilon), axis=-1)``."""
    xp = backend.xp()
    epsilon = backend.epsilon()
    return _reduced_loss("poisson", target, output,
                         lambda t, o: o - t * xp.log(o + epsilon),
                         lambda t, o: (-xp.log(o + epsilon), 1.0 - t / (o + epsilon)),
                         align_ranks=False)


def _hinge_labels(t: Any) -> tuple[Any, Any]:
    """Keras's label conversion: all-{0, 1} targets become {-1, 1}; returns (labels, dlabel/dt).

    Decided on the device (``where``), not with ``bool(...)``: on the GPU that would make the
    host wait for the device in every step.
    """
    xp = backend.xp()
    binary = xp.all((t == 0) | (t == 1))
    return xp.where(binary, 2.0 * t - 1.0, t).astype(t.dtype, copy=False), \
        xp.where(binary, 2.0, 1.0).astype(t.dtype, copy=False)


def hinge(target: Any, output: Any) -> Tensor:
    """``mean(maximum(1 - target * output, 0), axis=-1)``; 0/1 targets become -1/1."""
    xp = backend.xp()

    def values(t: Any, o: Any) -> Any:
        labels, _ = _hinge_labels(t)
        return xp.maximum(1.0 - labels * o, 0)

    def partials(t: Any, o: Any) -> tuple[Any, Any]:
        labels, label_slope = _hinge_labels(t)
        active = (1.0 - labels * o) > 0
        return -o * active * label_slope, -labels * active

    return _reduced_loss("hinge", target, output, values, partials, align_ranks=False)


def squared_hinge(target: Any, output: Any) -> Tensor:
    """``mean(square(maximum(1 - target * output, 0)), axis=-1)``; 0/1 targets become -1/1."""
    xp = backend.xp()

    def values(t: Any, o: Any) -> Any:
        labels, _ = _hinge_labels(t)
        return xp.maximum(1.0 - labels * o, 0) ** 2

    def partials(t: Any, o: Any) -> tuple[Any, Any]:
        labels, label_slope = _hinge_labels(t)
        margin = xp.maximum(1.0 - labels * o, 0)
        return -2.0 * margin * o * label_slope, -2.0 * margin * labels

    return _reduced_loss("squared_hinge", target, output, values, partials, align_ranks=False)


def categorical_hinge(target: Any, output: Any) -> Tensor:
    """``maximum(neg - pos + 1, 0)`` with ``pos = sum(t * o)``, ``neg = max((1 - t) * o)``."""
    inputs = prepare_loss_inputs("categorical_hinge", target, output, align_ranks=False)
    t, o = inputs.target_array, inputs.output_array
    xp = backend.xp()
    positive = (t * o).sum(axis=-1)
    others = (1.0 - t) * o
    winner = others.argmax(axis=-1)
    negative = xp.take_along_axis(others, winner[..., None], axis=-1)[..., 0]
    margin = negative - positive + 1.0
    loss = xp.maximum(margin, 0)

    def vjp(grad: Any) -> tuple[Any, Any]:
        scale = (grad * (margin > 0))[..., None]
        picked = xp.arange(o.shape[-1]) == winner[..., None]
        d_output = scale * (picked * (1.0 - t) - t)
        d_target = -scale * (picked * o + o)
        return inputs.gradients(d_target, d_output)

    return autodiff.record(loss.astype(o.dtype, copy=False), inputs.parents, vjp,
                           name="categorical_hinge")


def cosine_similarity(target: Any, output: Any, axis: int = -1) -> Tensor:
    """``-sum(l2_normalize(target) * l2_normalize(output), axis)``: -1 for parallel vectors."""
    inputs = prepare_loss_inputs("cosine_similarity", target, output, align_ranks=True)
    t, o = inputs.target_array, inputs.output_array
    axes = (inputs.reduction_axis(axis, "cosine_similarity"),)
    epsilon = backend.epsilon()
    t_unit, t_saved = lp_normalize_forward(t, axes, 2, epsilon)
    o_unit, o_saved = lp_normalize_forward(o, axes, 2, epsilon)
    loss = -(t_unit * o_unit).sum(axis=axes)

    def vjp(grad: Any) -> tuple[Any, Any]:
        upstream = -backend.xp().expand_dims(grad, axes[0])
        d_target = lp_normalize_backward(upstream * o_unit, t, t_unit, t_saved, axes, 2)
        d_output = lp_normalize_backward(upstream * t_unit, o, o_unit, o_saved, axes, 2)
        return inputs.gradients(d_target, d_output)

    return autodiff.record(loss.astype(o.dtype, copy=False), inputs.parents, vjp,
                           name="cosine_similarity")

