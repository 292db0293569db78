"""Concatenate: join a list of tensors along one axis; ``concatenate(inputs, axis)`` is its
functional form."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.merging.base_merge import Merge, layer_label


class Concatenate(Merge):
    """Concatenate two or more inputs along ``axis``.

    All inputs must have the same rank and the same size in every dim except ``axis``
    (a None size matches anything).

    Args:
        axis: the axis to join along (default -1, the last; negative counts from the end).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Masks (as Keras 3): when any input has a mask, an unmasked input counts as all-True, each
    mask is broadcast to its input's shape, the masks are joined along ``axis`` and reduced
    with ``any`` over the last axis: ``(batch, steps)`` masks give a ``(batch, steps)``
    (``axis=-1``) or ``(batch, steps_1 + steps_2)`` (``axis=1``) output mask.

    Example::

        x1, x2 = Input(shape=(4, 8)), Input(shape=(4, 3))
        Concatenate()([x1, x2]).shape           # (None, 4, 11)
        Concatenate(axis=1)([x1, x1]).shape     # (None, 8, 8)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"{layer_label(self)}: `axis` must be an int. "
                             f"Received: axis={axis!r}")
        self.axis = axis

    def _merged_shape(self, input_shape: Any) -> tuple:
        shapes = self._check_input_list(input_shape)
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise ValueError(f"{layer_label(self)} requires inputs of equal rank with axis "
                             f"{self.axis} in range. Received: input_shape={shapes}")
        axis = self.axis % rank
        output: list[int | None] = list(shapes[0])
        for shape in shapes[1:]:
            for dim, (size, other) in enumerate(zip(output, shape)):
                if dim == axis:
                    output[dim] = None if size is None or other is None else size + other
                elif size is None:
                    output[dim] = other
                elif other is not None and other != size:
                    raise ValueError(
                        f"{layer_label(self)} requires inputs with matching shapes except for "
                        f"the concatenation axis {self.axis}. Received: input_shape={shapes}")
        return tuple(output)

    def call(self, inputs: list[Tensor], mask: Any = None) -> Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{layer_label(self)} should be called on a list of inputs. "
                             f"Received a single input of shape {tuple(inputs.shape)}")
        self.compute_output_shape([tuple(x.shape) for x in inputs])
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return None
        masks = self._check_masks(inputs, mask)
        if all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            x = ops.convert_to_tensor(x)
            full.append(ops.ones_like(x, dtype="bool") if m is None
                        else self._broadcast_mask(m, x))
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs: list[Any], axis: int = -1, **kwargs: Any) -> Tensor:
    """Functional form of :class:`Concatenate`: ``Concatenate(axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


__all__ = ["Concatenate", "concatenate"]
