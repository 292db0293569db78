"""GlobalAveragePooling1D (alias GlobalAvgPool1D): the mean over time, masked steps left out."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.pooling.base_global_pooling import BaseGlobalAveragePooling
from gpulayers.layers.pooling.pooling_arguments import check_input_rank, layer_label


class GlobalAveragePooling1D(BaseGlobalAveragePooling):
    """Global average pooling for temporal data: the mean of each feature over the steps.

    With a mask (``(batch, steps)``, True = keep; e.g. from ``Embedding(mask_zero=True)`` or
    ``Masking``), masked steps are excluded from the mean, as in Keras. A row whose steps are
    all masked gives 0 (Keras gives NaN from 0 / 0).

    Args:
        data_format: ``'channels_last'`` or ``'channels_first'``; None (default) means
            ``backend.image_data_format()``.
        keepdims: keep the steps dim with size 1 (default False).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Call arguments:
        inputs: a 3D tensor.
        mask: optional ``(batch, steps)`` bool (or 0/1) tensor; True keeps a step.

    Input shape:
        channels_last: ``(batch, steps, features)``
        channels_first: ``(batch, features, steps)``

    Output shape: ``(batch, features)``; with ``keepdims=True`` ``(batch, 1, features)``
        (channels_last) or ``(batch, features, 1)`` (channels_first). The output carries no
        mask.

    Example::

        GlobalAveragePooling1D()(x).shape       # x of shape (2, 3, 4) -> (2, 4)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims,
                         **kwargs)
        self.supports_masking = True

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is None:
            return super().call(inputs)
        shape = check_input_rank(self, tuple(inputs.shape), 3)
        channels_last = self.data_format == "channels_last"
        steps_axis, features_axis = (1, 2) if channels_last else (2, 1)
        expected = (shape[0], shape[steps_axis])
        mask = ops.convert_to_tensor(mask)
        if tuple(mask.shape) != expected:
            raise ValueError(f"{layer_label(self)}: the mask must have shape (batch, steps) = "
                             f"{expected} for inputs of shape {shape}. Received a mask of "
                             f"shape {tuple(mask.shape)}")
        keep = ops.expand_dims(ops.cast(mask, "bool"), features_axis)
        total = ops.sum(ops.where(keep, inputs, 0), axis=steps_axis, keepdims=self.keepdims)
        count = ops.sum(ops.cast(keep, inputs.dtype), axis=steps_axis, keepdims=self.keepdims)
        return total / ops.maximum(count, 1)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None


GlobalAvgPool1D = GlobalAveragePooling1D

__all__ = ["GlobalAvgPool1D", "GlobalAveragePooling1D"]
