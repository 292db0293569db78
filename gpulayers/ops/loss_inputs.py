"""Validation and shape bookkeeping shared by the loss ops.

:func:`prepare_loss_inputs` turns ``(target, output)`` into raw arrays of the prediction's
float dtype with equal shapes (after Keras's ``squeeze_or_expand_to_same_rank`` when asked),
and the returned :class:`LossInputs` maps gradients back to the callers' original shapes.

Example::

    inputs = prepare_loss_inputs("mean_squared_error", y_true, y_pred)
    t, o = inputs.target_array, inputs.output_array
    ...
    return autodiff.record(loss, inputs.parents, lambda g: inputs.gradients(dt, do))
"""

from __future__ import annotations

from typing import Any

from gpulayers import autodiff
from gpulayers.autodiff import Tensor
from gpulayers.ops.activations import float_tensor
from gpulayers.ops.axes import normalize_axis

__all__ = ["LossInputs", "prepare_loss_inputs"]


class LossInputs:
    """A loss's target and output as tensors (the tape parents) and aligned raw arrays."""

    def __init__(self, target: Tensor, output: Tensor, target_array: Any,
                 output_array: Any) -> None:
        self.target = target
        self.output = output
        self.target_array = target_array
        self.output_array = output_array

    @property
    def parents(self) -> tuple[Tensor, Tensor]:
        """``(target, output)``, the inputs to record the node with."""
        return self.target, self.output

    def gradients(self, d_target: Any, d_output: Any) -> tuple[Any, Any]:
        """Reshape/cast gradients to the inputs; integer targets get None."""
        output_grad = d_output.reshape(self.output.shape).astype(self.output.dtype, copy=False)
        if d_target is None or self.target.data.dtype.kind != "f":
            return None, output_grad
        target_grad = d_target.reshape(self.target.shape).astype(self.target.dtype, copy=False)
        return target_grad, output_grad

    def reduction_axis(self, axis: Any, op_name: str) -> int:
        """``axis`` validated against the aligned arrays' rank, as a non-negative int."""
        return normalize_axis(axis, self.output_array.ndim, op_name)


def _align_ranks(t: Any, o: Any) -> tuple[Any, Any]:
    """Keras's ``squeeze_or_expand_to_same_rank``: fix a rank difference of one trailing 1."""
    if t.ndim == o.ndim + 1 and t.shape[-1] == 1:
        return (t, o[..., None]) if o.ndim == 1 else (t[..., 0], o)
    if o.ndim == t.ndim + 1 and o.shape[-1] == 1:
        return (t[..., None], o) if t.ndim == 1 else (t, o[..., 0])
    return t, o


def prepare_loss_inputs(op_name: str, target: Any, output: Any,
                        align_ranks: bool = True) -> LossInputs:
    """Convert and check a loss's inputs.

    Args:
        op_name: the loss's name, for error messages.
        target: ground truth (any numeric array-like; cast to the output's dtype).
        output: predictions (float; integers become ``floatx()``).
        align_ranks: squeeze/expand a trailing size-1 axis when ranks differ by one.

    Raises:
        ValueError naming both shapes when they differ (after alignment) or are scalars.
    """
    output = float_tensor(output, op_name)
    target = autodiff.convert_to_tensor(target)
    if target.data.dtype.kind not in "biuf":
        raise TypeError(f"{op_name}: `target` must be numeric. Received dtype {target.dtype}")
    t = target.data.astype(output.dtype, copy=False)
    o = output.data
    if align_ranks:
        t, o = _align_ranks(t, o)
    if t.shape != o.shape or o.ndim == 0:
        raise ValueError(
            f"{op_name}: `target` and `output` must have the same shape, of rank >= 1. "
            f"Received: target.shape={target.shape}, output.shape={output.shape}"
        )
    return LossInputs(target, output, t, o)
