"""The CTC loss (Connectionist Temporal Classification, Graves et al. 2006), as Keras 3.

``y_true`` holds integer label sequences ``(batch, max_label_length)`` padded with 0 (the
blank, which is never a class); ``y_pred`` holds unnormalised logits ``(batch, time,
classes)``. Every example uses all ``time`` steps; its label length is its count of
non-zero labels. The loss is ``ops.ctc_loss`` (the log-space forward-backward sum over all
alignments) with blank index 0.

Example::

    loss = CTC()(labels, logits)       # labels (2, 4) int, logits (2, 10, 5)
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.losses.loss import Loss
from gpulayers.losses.loss_wrapper import LossFunctionWrapper

__all__ = ["CTC", "ctc"]


def ctc(y_true: Any, y_pred: Any) -> Tensor:
    """Per-example CTC loss ``(batch,)`` of integer labels (0-padded) under logits.

    Raises ValueError unless ``y_true`` is rank 2 and ``y_pred`` rank 3.
    """
    y_true, y_pred = ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred)
    if y_true.ndim != 2:
        raise ValueError("ctc: `y_true` must be integer labels of shape (batch_size, "
                         f"max_length). Received: y_true.shape={y_true.shape}")
    if y_pred.ndim != 3:
        raise ValueError("ctc: `y_pred` must be logits of shape (batch_size, max_length, "
                         f"num_classes). Received: y_pred.shape={y_pred.shape}")
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    input_length = ops.full((batch,), steps, dtype="int32")
    label_length = ops.cast(ops.sum(ops.cast(ops.not_equal(y_true, 0), "int32"), axis=-1),
                            "int32")
    return ops.ctc_loss(y_true, y_pred, label_length, input_length, mask_index=0)


class CTC(LossFunctionWrapper):
    """The CTC loss of :func:`ctc`, reduced over the batch.

    Args:
        reduction: see :class:`~gpulayers.losses.Loss` (``'sum_over_batch_size'``).
        name: the loss's name (``'ctc'``). dtype: see :class:`~gpulayers.losses.Loss`.
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "ctc",
                 dtype: Any = None) -> None:
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)
