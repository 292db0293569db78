"""Subtract: ``inputs[0] - inputs[1]``; ``subtract(inputs)`` is its functional form."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.merging.base_merge import Merge


class Subtract(Merge):
    """Elementwise difference of exactly two inputs: ``inputs[0] - inputs[1]``.

    Dims after the batch broadcast as in NumPy. A list of any other length raises
    ValueError naming the layer.

    Example::

        x1, x2 = Input(shape=(16,)), Input(shape=(16,))
        diff = Subtract()([x1, x2])     # shape (None, 16)
    """

    min_inputs = 2
    max_inputs = 2

    def _merge_function(self, inputs: list[Tensor], masks: list[Tensor | None]) -> Tensor:
        return ops.subtract(inputs[0], inputs[1])


def subtract(inputs: list[Any], **kwargs: Any) -> Tensor:
    """Functional form of :class:`Subtract`: ``subtract([x1, x2])`` is ``x1 - x2``."""
    return Subtract(**kwargs)(inputs)


__all__ = ["Subtract", "subtract"]
