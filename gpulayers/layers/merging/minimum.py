"""Minimum: the elementwise minimum of a list of tensors; ``minimum(inputs)`` is its functional
form."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.merging.base_merge import Merge


class Minimum(Merge):
    """Elementwise minimum of two or more inputs (dims after the batch broadcast as in NumPy).

    Masks (as Keras 3): a masked entry of an input never wins: it is replaced by the other
    inputs' value. The output mask is the OR of the input masks when every input has one.

    Example::

        x1, x2 = Input(shape=(16,)), Input(shape=(16,))
        smallest = Minimum()([x1, x2])      # shape (None, 16)
    """

    def _merge_function(self, inputs: list[Tensor], masks: list[Tensor | None]) -> Tensor:
        return self._reduce_skipping_masked(ops.minimum, inputs, masks)


def minimum(inputs: list[Any], **kwargs: Any) -> Tensor:
    """Functional form of :class:`Minimum`: ``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


__all__ = ["Minimum", "minimum"]
