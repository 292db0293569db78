"""Merge: the base of the layers that combine a list of tensors (Add, Multiply, Concatenate, ...).

Shapes follow Keras 3: the batch sizes must agree; the other dims broadcast as in NumPy, the
dims of a lower-rank input lining up with the last dims of the others (Keras inserts size-1
axes after the batch axis). The output mask is the logical OR of the input masks when every
input has one (Keras 3; Keras 2 used AND), else None.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.layer import Layer


def layer_label(layer: Any) -> str:
    """``"Layer 'add' (Add)"``: how error messages name a layer."""
    return f"Layer '{layer.name}' ({type(layer).__name__})"


class Merge(Layer):
    """Base class of the merge layers: validates the list of inputs, aligns ranks, carries
    masks, and leaves the arithmetic to ``_merge_function``.

    Subclasses set ``min_inputs`` / ``max_inputs`` and define
    ``_merge_function(inputs, masks)`` (inputs already of equal rank; ``masks`` one per input,
    each None or a bool Tensor broadcast to its input's shape).

    Args:
        **kwargs: base Layer arguments (name, dtype, trainable, ...).
    """

    min_inputs: int = 2
    max_inputs: int | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    # -- shapes ----------------------------------------------------------------------------
    def _check_input_list(self, input_shape: Any) -> list[tuple]:
        """The list of input shapes, after checking it is a list of the right length."""
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"{layer_label(self)} should be called on a list of at least "
                             f"{self.min_inputs} inputs. Received: input_shape={input_shape!r}")
        shapes = [tuple(s) for s in input_shape]
        count = len(shapes)
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            wanted = (f"exactly {self.min_inputs}" if self.max_inputs == self.min_inputs
                      else f"at least {self.min_inputs}")
            raise ValueError(f"{layer_label(self)} should be called on a list of {wanted} "
                             f"inputs. Received {count} input(s) with shapes {shapes}")
        if any(len(s) == 0 for s in shapes):
            raise ValueError(f"{layer_label(self)} needs inputs with a batch dimension. "
                             f"Received shapes {shapes}")
        batch_sizes = {s[0] for s in shapes} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"{layer_label(self)} cannot merge tensors with different batch "
                             f"sizes. Received inputs with shapes {shapes}")
        return shapes

    def _merged_shape(self, input_shape: Any) -> tuple:
        """The output shape: batch, then the broadcast of the other dims (right-aligned)."""
        shapes = self._check_input_list(input_shape)
        rank = max(len(s) for s in shapes) - 1
        merged: list[int | None] = [1] * rank
        for shape in shapes:
            dims = shape[1:]
            for position, size in enumerate(dims, start=rank - len(dims)):
                merged[position] = self._broadcast_dim(merged[position], size, shapes)
        batch = next((s[0] for s in shapes if s[0] is not None), None)
        return (batch, *merged)

    def _broadcast_dim(self, a: int | None, b: int | None, shapes: list[tuple]) -> int | None:
        if a == 1:
            return b
        if b == 1 or a == b:
            return a
        if a is None or b is None:
            return None
        raise ValueError(f"{layer_label(self)}: inputs have incompatible shapes {shapes} "
                         "(each dim after the batch must match or be 1).")

    def build(self, input_shape: Any) -> None:
        self._merged_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._merged_shape(input_shape)

    # -- computation -----------------------------------------------------------------------
    def call(self, inputs: list[Tensor], mask: Any = None) -> Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{layer_label(self)} should be called on a list of inputs. "
                             f"Received a single input of shape {tuple(inputs.shape)}")
        inputs = list(inputs)
        self.compute_output_shape([tuple(x.shape) for x in inputs])
        masks = list(mask) if isinstance(mask, (list, tuple)) else [None] * len(inputs)
        ranks = {x.ndim for x in inputs}
        if len(ranks) > 1:  # as Keras: insert size-1 axes after the batch axis; masks unused
            rank = max(ranks)
            inputs = [_expand_after_batch(x, rank) for x in inputs]
            masks = [None] * len(inputs)
        masks = [None if m is None else self._broadcast_mask(m, x)
                 for m, x in zip(masks, inputs)]
        return self._merge_function(inputs, masks)

    def _merge_function(self, inputs: list[Tensor], masks: list[Tensor | None]) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define _merge_function")

    def _reduce_skipping_masked(self, op: Any, inputs: list[Tensor],
                                masks: list[Tensor | None]) -> Tensor:
        """Fold ``op`` (maximum, minimum) over the inputs; a masked entry takes the value of
        the running result instead, so it never wins (Keras 3's rule)."""
        output, output_mask = inputs[0], masks[0]
        for x, mask in zip(inputs[1:], masks[1:]):
            if mask is not None:
                x = ops.where(mask, x, output)
            if output_mask is not None:
                output = ops.where(output_mask, output, x)
            output_mask = None if mask is None or output_mask is None else ops.logical_or(
                output_mask, mask)
            output = op(output, x)
        return output

    # -- masks -----------------------------------------------------------------------------
    def _broadcast_mask(self, mask: Any, x: Tensor) -> Tensor:
        """A ``(batch, steps)`` mask as a bool Tensor of ``x``'s shape (trailing axes added)."""
        mask = ops.cast(ops.convert_to_tensor(mask), "bool")
        if mask.ndim > x.ndim or tuple(mask.shape) != tuple(x.shape[:mask.ndim]):
            raise ValueError(f"{layer_label(self)}: a mask of shape {tuple(mask.shape)} does "
                             f"not fit its input of shape {tuple(x.shape)} (it must match the "
                             "input's leading dims).")
        for _ in range(x.ndim - mask.ndim):
            mask = ops.expand_dims(mask, -1)
        return ops.broadcast_to(mask, tuple(x.shape))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """OR of the input masks when every input has one (Keras 3), else None."""
        if mask is None:
            return None
        masks = self._check_masks(inputs, mask)
        if any(m is None for m in masks):
            return None
        output = ops.cast(ops.convert_to_tensor(masks[0]), "bool")
        for m in masks[1:]:
            m = ops.convert_to_tensor(m)
            if tuple(m.shape) != tuple(output.shape):
                raise ValueError(f"{layer_label(self)}: cannot combine masks of shapes "
                                 f"{[tuple(ops.convert_to_tensor(k).shape) for k in masks]}")
            output = ops.logical_or(output, m)
        return output

    def _check_masks(self, inputs: Any, mask: Any) -> list[Any]:
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"{layer_label(self)}: `mask` should be a list, one per input. "
                             f"Received: mask={mask!r}")
        if not isinstance(inputs, (list, tuple)) or len(inputs) != len(mask):
            count = len(inputs) if isinstance(inputs, (list, tuple)) else 1
            raise ValueError(f"{layer_label(self)}: expected one mask per input ({count} "
                             f"inputs). Received {len(mask)} masks")
        return list(mask)


def _expand_after_batch(x: Tensor, rank: int) -> Tensor:
    for _ in range(rank - x.ndim):
        x = ops.expand_dims(x, 1)
    return x


__all__ = ["Merge"]
