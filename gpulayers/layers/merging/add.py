"""Add: the elementwise sum of a list of tensors; ``add(inputs)`` is its functional form."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.merging.base_merge import Merge


class Add(Merge):
    """Elementwise sum of two or more inputs (dims after the batch broadcast as in NumPy).

    Input: a list of tensors, all with the same batch size. Output: their sum, of the
    broadcast shape. Masks: the output mask is the OR of the input masks (Keras 3).

    Example::

        x1, x2 = Input(shape=(16,)), Input(shape=(16,))
        added = Add()([x1, x2])         # shape (None, 16)
    """

    def _merge_function(self, inputs: list[Tensor], masks: list[Tensor | None]) -> Tensor:
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output


def add(inputs: list[Any], **kwargs: Any) -> Tensor:
    """Functional form of :class:`Add`: ``add([x1, x2])`` is ``Add(**kwargs)([x1, x2])``."""
    return Add(**kwargs)(inputs)


__all__ = ["Add", "add"]
