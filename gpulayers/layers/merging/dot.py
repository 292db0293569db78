"""Dot: the batchwise dot product of two tensors; ``dot(inputs, axes)`` is its functional
form."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.merging.base_merge import Merge, layer_label


class Dot(Merge):
    """Dot product of two inputs ``x1``, ``x2`` over one axis of each, per batch sample.

    Args:
        axes: an int (the same axis of both inputs) or a pair ``(axis_1, axis_2)``;
            negative values count from the end of each input. Axis 0 (batch) is not allowed.
        normalize: L2-normalize both inputs along their dot axes first, so the output is
            the cosine similarity (default False).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Shapes: for ``x1`` of shape ``(batch, *a)`` and ``x2`` of shape ``(batch, *b)``, the
    output has shape ``(batch, *a_rest, *b_rest)``, the dot axes removed; ``(batch, 1)``
    when nothing is left (two 2D inputs). As ``keras.layers.Dot`` (``batch_dot``). The
    output carries no mask.

    Example::

        x1, x2 = Input(shape=(10,)), Input(shape=(10,))
        Dot(axes=1)([x1, x2]).shape                     # (None, 1)
        Dot(axes=(2, 2))([Input((3, 5)), Input((4, 5))]).shape     # (None, 3, 4)
    """

    min_inputs = 2
    max_inputs = 2

    def __init__(self, axes: int | tuple[int, int] | list[int], normalize: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2 or not all(isinstance(a, int) and not isinstance(a, bool)
                                         for a in axes):
                raise ValueError(f"{layer_label(self)}: `axes` must be an int or a pair of "
                                 f"ints. Received: axes={axes!r}")
            axes = list(axes)
        elif isinstance(axes, bool) or not isinstance(axes, int):
            raise TypeError(f"{layer_label(self)}: `axes` must be an int or a list of two "
                            f"ints. Received: axes={axes!r}")
        self.axes = axes
        self.normalize = bool(normalize)

    def _dot_axes(self, shapes: list[tuple]) -> tuple[int, int]:
        """The two dot axes as non-negative ints, checked against both input shapes."""
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        resolved = []
        for axis, shape in zip(pair, shapes):
            if len(shape) < 2 or not -len(shape) <= axis < len(shape) or axis % len(shape) == 0:
                raise ValueError(f"{layer_label(self)}: axes={self.axes} must name a non-batch "
                                 f"axis of each input (inputs of rank >= 2). Received shapes "
                                 f"{shapes}")
            resolved.append(axis % len(shape))
        first, second = (shapes[0][resolved[0]], shapes[1][resolved[1]])
        if first is not None and second is not None and first != second:
            raise ValueError(f"{layer_label(self)}: incompatible input shapes: axis "
                             f"{resolved[0]} of the first input has size {first}, axis "
                             f"{resolved[1]} of the second has size {second}. Full input "
                             f"shapes: {shapes}")
        return resolved[0], resolved[1]

    def _merged_shape(self, input_shape: Any) -> tuple:
        shapes = self._check_input_list(input_shape)
        axis_1, axis_2 = self._dot_axes(shapes)
        rest_1 = [d for i, d in enumerate(shapes[0]) if i not in (0, axis_1)]
        rest_2 = [d for i, d in enumerate(shapes[1]) if i not in (0, axis_2)]
        batch = shapes[0][0] if shapes[0][0] is not None else shapes[1][0]
        return (batch, *rest_1, *rest_2) if rest_1 or rest_2 else (batch, 1)

    def call(self, inputs: list[Tensor], mask: Any = None) -> Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{layer_label(self)} should be called on a list of 2 inputs. "
                             f"Received a single input of shape {tuple(inputs.shape)}")
        shapes = [tuple(x.shape) for x in inputs]
        output_shape = self._merged_shape(shapes)
        axis_1, axis_2 = self._dot_axes(shapes)
        x1, x2 = inputs
        if self.normalize:
            x1 = ops.normalize(x1, axis=axis_1)
            x2 = ops.normalize(x2, axis=axis_2)
        x1 = ops.moveaxis(x1, axis_1, -1)      # (batch, *rest_1, d)
        x2 = ops.moveaxis(x2, axis_2, 1)       # (batch, d, *rest_2)
        batch, depth = x1.shape[0], x1.shape[-1]
        product = ops.matmul(ops.reshape(x1, (batch, -1, depth)),
                             ops.reshape(x2, (batch, depth, -1)))
        return ops.reshape(product, (batch, *output_shape[1:]))

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs: list[Any], axes: int | tuple[int, int] = -1, **kwargs: Any) -> Tensor:
    """Functional form of :class:`Dot`: ``Dot(axes, **kwargs)(inputs)``."""
    return Dot(axes=axes, **kwargs)(inputs)


__all__ = ["Dot", "dot"]
