"""Softmax: the softmax activation along an axis, with masked positions given ~0."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.activations.activation_arguments import layer_label
from gpulayers.layers.layer import Layer


def _large_negative(dtype: str) -> float:
    """The logit given to masked positions: -1e9, or -3e4 where float16 would overflow."""
    return -3e4 if dtype == "float16" else -1e9


class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` along ``axis``.

    Args:
        axis: an int or a tuple/list of ints, the axes normalized over (default -1).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Call arguments:
        inputs: a tensor of any shape.
        mask: optional, broadcastable to ``inputs`` from the right (each dim 1 or equal);
            True (or > 0.5) keeps a position. As Keras, masked logits are replaced by a
            large negative number (-1e9) before the softmax and masked outputs are set to 0,
            so masked positions get probability 0 even when a whole row is masked.

    Shape and mask pass through unchanged.

    Example::

        Softmax()(logits)                               # rows sum to 1
        Softmax()(scores, mask=keep)                    # masked positions get 0
    """

    def __init__(self, axis: int | tuple[int, ...] | list[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise ValueError(f"{layer_label(self)}: `axis` must be an int or a tuple of ints. "
                             f"Received: axis={axis!r}")
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        axes = self.axis if isinstance(self.axis, (list, tuple)) else (self.axis,)
        if not all(-inputs.ndim <= a < inputs.ndim for a in axes):
            raise ValueError(f"{layer_label(self)}: axis={self.axis} is out of range for an "
                             f"input of shape {tuple(inputs.shape)}")
        axis = tuple(axes) if isinstance(self.axis, (list, tuple)) else self.axis
        if mask is None:
            return ops.softmax(inputs, axis=axis)
        keep = self._keep(mask, inputs)
        logits = ops.where(keep, inputs, _large_negative(inputs.dtype))
        return ops.where(keep, ops.softmax(logits, axis=axis), 0.0)

    def _keep(self, mask: Any, inputs: Tensor) -> Tensor:
        mask = ops.convert_to_tensor(mask)
        fits = mask.ndim <= inputs.ndim and all(
            m in (1, i) for m, i in zip(mask.shape[::-1], inputs.shape[::-1]))
        if not fits:
            raise ValueError(f"{layer_label(self)}: the mask must be broadcastable to the "
                             f"inputs (each dim 1 or equal, from the right). Received: "
                             f"inputs.shape={tuple(inputs.shape)}, "
                             f"mask.shape={tuple(mask.shape)}")
        return mask if mask.dtype == "bool" else ops.greater(mask, 0.5)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


__all__ = ["Softmax"]
