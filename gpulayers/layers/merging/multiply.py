"""Multiply: the elementwise product of a list of tensors; ``multiply(inputs)`` is its
functional form."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.merging.base_merge import Merge


class Multiply(Merge):
    """Elementwise product of two or more inputs (dims after the batch broadcast as in NumPy).

    Masks (as Keras 3): a masked entry of an input counts as 1 in the product; when every
    input has a mask, entries masked in all inputs are 0 and the output mask is the OR of
    the input masks.

    Example::

        x1, x2 = Input(shape=(16,)), Input(shape=(16,))
        product = Multiply()([x1, x2])      # shape (None, 16)
    """

    def _merge_function(self, inputs: list[Tensor], masks: list[Tensor | None]) -> Tensor:
        every_input_masked = all(m is not None for m in masks)
        output: Tensor | None = None
        kept: Tensor | None = None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                x = ops.where(mask, x, ops.ones_like(x))
                if every_input_masked:
                    kept = mask if kept is None else ops.logical_or(kept, mask)
            output = x if output is None else ops.multiply(output, x)
        if kept is not None:
            output = ops.where(kept, output, ops.zeros_like(output))
        return output


def multiply(inputs: list[Any], **kwargs: Any) -> Tensor:
    """Functional form of :class:`Multiply`: ``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


__all__ = ["Multiply", "multiply"]
