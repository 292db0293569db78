"""Average: the elementwise mean of a list of tensors; ``average(inputs)`` is its functional
form."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.merging.base_merge import Merge


class Average(Merge):
    """Elementwise mean of two or more inputs (dims after the batch broadcast as in NumPy).

    Example::

        x1, x2 = Input(shape=(16,)), Input(shape=(16,))
        mean = Average()([x1, x2])      # shape (None, 16): (x1 + x2) / 2
    """

    def _merge_function(self, inputs: list[Tensor], masks: list[Tensor | None]) -> Tensor:
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output / len(inputs)


def average(inputs: list[Any], **kwargs: Any) -> Tensor:
    """Functional form of :class:`Average`: ``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


__all__ = ["Average", "average"]
