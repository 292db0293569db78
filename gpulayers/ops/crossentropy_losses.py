"""Crossentropy losses as single tape nodes (Keras 3 ``keras.losses`` functional forms).

Probabilities are rescaled to sum to 1 along the class axis (categorical forms) and clipped
to ``[epsilon, 1 - epsilon]``, exactly as Keras; logits use log-softmax or the stable binary
form ``max(x, 0) - x * z + log1p(exp(-|x|))``, so logits of +-1000 give finite values and
gradients. Re-exported by :mod:`gpulayers.ops.losses`.

Example::

    categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0.0]])          # [0.0513]
    sparse_categorical_crossentropy([1], [[2.0, 5.0, -1.0]], from_logits=True)
"""

from __future__ import annotations

from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.activation_arrays import log_softmax_array, sigmoid_array
from gpulayers.ops.activations import float_tensor
from gpulayers.ops.axes import normalize_axis
from gpulayers.ops.loss_inputs import prepare_loss_inputs

__all__ = ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]


def _smoothing(label_smoothing: Any, op_name: str) -> float:
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) \
            or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op_name}: `label_smoothing` must be a float in [0, 1]. "
                         f"Received: label_smoothing={label_smoothing!r}")
    return float(label_smoothing)


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Mean over ``axis`` of ``-(t log p + (1 - t) log(1 - p))``.

    ``from_logits=True`` uses ``max(x, 0) - x * t + log1p(exp(-|x|))``; otherwise ``p`` is
    ``output`` clipped to ``[epsilon, 1 - epsilon]``. ``label_smoothing`` squeezes targets
    towards 0.5: ``t * (1 - s) + 0.5 * s``.
    Example: ``binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) -> [0.916, 0.714]``.
    """
    smoothing = _smoothing(label_smoothing, "binary_crossentropy")
    inputs = prepare_loss_inputs("binary_crossentropy", target, output, align_ranks=False)
    axis = inputs.reduction_axis(axis, "binary_crossentropy")
    xp = backend.xp()
    t = inputs.target_array * (1.0 - smoothing) + 0.5 * smoothing
    o = inputs.output_array
    epsilon = backend.epsilon()
    if from_logits:
        values = xp.maximum(o, 0) - o * t + xp.log1p(xp.exp(-xp.abs(o)))
    else:
        p = xp.clip(o, epsilon, 1.0 - epsilon)
        values = -(t * xp.log(p) + (1.0 - t) * xp.log1p(-p))
    count = o.shape[axis]
    loss = values.sum(axis=axis) / count

    def vjp(grad: Any) -> tuple[Any, Any]:
        scale = xp.expand_dims(grad, axis) / count
        if from_logits:
            d_output, d_target = sigmoid_array(o) - t, -o
        else:
            inside = (o >= epsilon) & (o <= 1.0 - epsilon)
            d_output = (-t / p + (1.0 - t) / (1.0 - p)) * inside
            d_target = xp.log1p(-p) - xp.log(p)
        return inputs.gradients(d_target * (1.0 - smoothing) * scale, d_output * scale)

    return autodiff.record(loss.astype(o.dtype, copy=False), inputs.parents, vjp,
                           name="binary_crossentropy")


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """``-sum(target * log(p), axis)`` for one-hot (or soft) targets.

    ``p`` is ``softmax(output)`` computed as log-softmax when ``from_logits``; otherwise
    ``output / sum(output)`` clipped to ``[epsilon, 1 - epsilon]``. ``label_smoothing``
    gives ``t * (1 - s) + s / num_classes``.
    Example: ``categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0]]) -> [0.0513]``.
    """
    smoothing = _smoothing(label_smoothing, "categorical_crossentropy")
    inputs = prepare_loss_inputs("categorical_crossentropy", target, output, align_ranks=False)
    axis = inputs.reduction_axis(axis, "categorical_crossentropy")
    xp = backend.xp()
    o = inputs.output_array
    t = inputs.target_array * (1.0 - smoothing) + smoothing / o.shape[axis]
    epsilon = backend.epsilon()
    if from_logits:
        log_p = log_softmax_array(o, (axis,))
    else:
        total = o.sum(axis=axis, keepdims=True)
        q = o / total
        log_p = xp.log(xp.clip(q, epsilon, 1.0 - epsilon))
    loss = -(t * log_p).sum(axis=axis)

    def vjp(grad: Any) -> tuple[Any, Any]:
        scale = xp.expand_dims(grad, axis)
        if from_logits:
            d_output = xp.exp(log_p) * t.sum(axis=axis, keepdims=True) - t
        else:
            inside = (q >= epsilon) & (q <= 1.0 - epsilon)
            d_q = -t / xp.exp(log_p) * inside
            d_output = (d_q - (d_q * q).sum(axis=axis, keepdims=True)) / total
        d_target = -log_p * (1.0 - smoothing)
        return inputs.gradients(d_target * scale, d_output * scale)

    return autodiff.record(loss.astype(o.dtype, copy=False), inputs.parents, vjp,
                           name="categorical_crossentropy")


def _class_indices(target: Any, class_shape: tuple[int, ...], output_shape: tuple[int, ...],
                   op_name: str) -> tuple[Tensor, Any]:
    """Integer class indices shaped like ``class_shape`` (a trailing size-1 axis is dropped)."""
    target = autodiff.convert_to_tensor(target)
    if target.data.dtype.kind not in "iuf":
        raise TypeError(f"{op_name}: `target` must hold integer class indices. "
                        f"Received dtype {target.dtype}")
    indices = target.data.astype("int64")
    if indices.ndim == len(output_shape) and indices.ndim and indices.shape[-1] == 1:
        indices = indices[..., 0]
    if tuple(indices.shape) != class_shape:
        raise ValueError(
            f"{op_name}: `target` must have the shape of `output` without its class axis. "
            f"Received: target.shape={target.shape}, output.shape={output_shape}"
        )
    return target, indices


def _check_class_range(indices: Any, classes: int, op_name: str) -> Any:
    """``indices`` after checking they are class ids in ``[0, classes)`` (clipped into range
    when the check is deferred, so the gathers below stay inside the arrays)."""
    if not indices.size:
        return indices
    # On the GPU the check is read at the step's end (deferred_checks): no stall per step.
    deferred = backend.deferred_checks.check(
        ((indices < 0) | (indices >= classes)).any(),
        lambda: ValueError(f"{op_name}: `target` class indices must be in [0, {classes}). "
                           f"Received values from {int(indices.min())} to "
                           f"{int(indices.max())}"))
    return backend.xp().clip(indices, 0, classes - 1) if deferred else indices


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> Tensor:
    """``-log(p[target])`` for integer class targets.

    Args:
        target: integer class indices, shape ``output.shape`` without ``axis`` (a trailing
            axis of size 1 is accepted and squeezed).
        output: probabilities (rescaled to sum to 1 and clipped) or logits (``from_logits``).
        ignore_class: a class id whose samples get loss 0 and no gradient.
        axis: the class axis of ``output``.

    Example: ``sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    -> [0.0513, 2.303]``.
    """
    name = "sparse_categorical_crossentropy"
    output = float_tensor(output, name)
    if output.ndim == 0:
        raise ValueError(f"{name}: `output` must have rank >= 1. Received a scalar")
    axis = normalize_axis(axis, output.ndim, name)
    xp = backend.xp()
    o = xp.moveaxis(output.data, axis, -1)
    target, indices = _class_indices(target, o.shape[:-1], output.shape, name)
    valid = None if ignore_class is None else indices != ignore_class
    if valid is not None:
        indices = xp.where(valid, indices, 0)
    indices = _check_class_range(indices, o.shape[-1], name)
    one_hot = xp.arange(o.shape[-1]) == indices[..., None]
    epsilon = backend.epsilon()
    if from_logits:
        log_p = log_softmax_array(o, (o.ndim - 1,))
        loss = -xp.take_along_axis(log_p, indices[..., None], axis=-1)[..., 0]
    else:
        total = o.sum(axis=-1, keepdims=True)
        q = xp.take_along_axis(o, indices[..., None], axis=-1) / total
        p = xp.clip(q, epsilon, 1.0 - epsilon)
        loss = -xp.log(p)[..., 0]
    if valid is not None:
        loss = xp.where(valid, loss, 0)

    def vjp(grad: Any) -> tuple[None, Any]:
        scale = (grad if valid is None else grad * valid)[..., None]
        if from_logits:
            d_output = xp.exp(log_p) - one_hot
        else:
            d_q = -1.0 / p * ((q >= epsilon) & (q <= 1.0 - epsilon))
            d_output = d_q * (one_hot - q) / total
        d_output = xp.moveaxis(d_output * scale, -1, axis)
        return None, d_output.astype(output.dtype, copy=False)

    return autodiff.record(loss.astype(output.dtype, copy=False), (target, output), vjp,
                           name=name)
