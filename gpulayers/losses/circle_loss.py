"""Circle loss (Sun et al., 2020) for metric learning: ``keras.losses.Circle`` and ``circle``.

Given integer labels and L2-normalized embeddings, every pair of samples gets a cosine
distance ``d = max(1 - <e_i, e_j>, 0)``. Same-label pairs (positives) are pulled towards
``d = margin``, other pairs (negatives) pushed towards ``d = 1 - margin``, each with a weight
that grows with how far the pair is from its optimum; per sample the loss is
``softplus(logsumexp(positive terms) + logsumexp(negative terms))``. A sample with no positive
(or no negative) partner in the batch scores 0 and is left out of the mean: the result
carries a mask, as in Keras.

Example::

    embeddings = ops.normalize(model(x))            # (batch, dim), unit norm
    Circle(gamma=80.0, margin=0.4)(labels, embeddings)
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.losses.focal_losses import _inputs, _real
from gpulayers.losses.loss import Loss
from gpulayers.losses.loss_wrapper import LossFunctionWrapper

__all__ = ["Circle", "circle"]


def _labels(labels: Tensor) -> Tensor:
    labels = ops.cast(labels, "int32")
    return ops.reshape(labels, (-1, 1)) if labels.ndim == 1 else labels


def _pair_masks(labels: Tensor, ref_labels: Tensor,
                remove_diagonal: bool) -> tuple[Tensor, Tensor]:
    """``(positive, negative)`` boolean ``(n, m)`` masks of same- and different-label pairs;
    the diagonal (a sample with itself) is no positive when ``remove_diagonal``."""
    positive = ops.equal(_labels(labels), ops.transpose(_labels(ref_labels)))
    negative = ops.logical_not(positive)
    if remove_diagonal:
        n, m = positive.shape
        positive = ops.logical_and(positive, ops.logical_not(ops.eye(n, m, dtype="bool")))
    return positive, negative


def circle(y_true: Any, y_pred: Any, ref_labels: Any = None, ref_embeddings: Any = None,
           remove_diagonal: bool = True, gamma: float = 80, margin: float = 0.4) -> Tensor:
    """The Circle loss of each sample against the reference set (the batch by default).

    Args:
        y_true: integer labels ``(batch,)`` (or ``(batch, 1)``).
        y_pred: L2-normalized embeddings ``(batch, dim)``.
        ref_labels: labels of the reference embeddings (default ``y_true``).
        ref_embeddings: L2-normalized reference embeddings ``(refs, dim)`` (default
            ``y_pred``).
        remove_diagonal: whether a sample paired with itself is left out of the positives
            (meaningful when the references are the batch itself).
        gamma: the scale of the similarity terms. margin: the relaxation margin.

    Returns: ``(batch,)`` losses; a ``_keras_mask`` (loss > 0) marks the samples that had
    both a positive and a negative partner.

    Raises ValueError for embeddings that are not 2-D.

    Example: ``circle([0, 0, 1], unit_embeddings, gamma=80.0)``.
    """
    y_true, y_pred = _inputs(y_true, y_pred)
    if y_pred.ndim != 2:
        raise ValueError(f"circle: `y_pred` must be 2-D embeddings (batch, dim). Received "
                         f"shape {y_pred.shape}")
    refs = y_pred if ref_embeddings is None else ops.cast(convert_to_tensor(ref_embeddings),
                                                          y_pred.dtype)
    ref_labels = y_true if ref_labels is None else convert_to_tensor(ref_labels)
    distances = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(refs)), 0.0)
    positive, negative = _pair_masks(y_true, ref_labels, remove_diagonal)
    # Each pair is weighted by its distance from its optimum (margin for positives,
    # 1 + margin for negatives), so pairs already in place contribute little.
    pos_weights = ops.maximum((margin + distances) * ops.cast(positive, distances.dtype), 0.0)
    neg_weights = ops.maximum((1.0 + margin - distances) * ops.cast(negative, distances.dtype),
                              0.0)
    pos_terms = -gamma * pos_weights * (margin - distances)
    neg_terms = gamma * neg_weights * ((1.0 - margin) - distances)
    p_loss = ops.logsumexp(ops.where(positive, pos_terms, float("-inf")), axis=1)
    n_loss = ops.logsumexp(ops.where(negative, neg_terms, float("-inf")), axis=1)
    loss = ops.softplus(p_loss + n_loss)
    loss._keras_mask = ops.greater(loss, 0.0)
    return loss


class Circle(LossFunctionWrapper):
    """Circle loss between integer labels and L2-normalized embeddings (see :func:`circle`).

    Feed it the output of a model ending in a linear ``Dense`` followed by
    ``UnitNormalization``; the other samples of the batch are the references.

    Args:
        gamma: the scale of the similarity terms (default 80.0).
        margin: the relaxation margin (default 0.4): positives aim at cosine distance
            ``margin``, negatives at ``1 - margin``.
        remove_diagonal: leave each sample's pairing with itself out of the positives.
        reduction: see :class:`~gpulayers.losses.Loss`; the mean reductions average over the
            samples that had both a positive and a negative partner.
        name: the loss's name (``'circle'``). dtype: see :class:`~gpulayers.losses.Loss`.

    Raises ValueError naming the class for a non-number ``gamma``/``margin``.

    Example: ``model.compile(optimizer="adam", loss=Circle())``.
    """

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction: str | None = "sum_over_batch_size", name: str = "circle",
                 dtype: Any = None) -> None:
        owner = f"Circle {name!r}"
        _real(gamma, "gamma", owner)
        _real(margin, "margin", owner)
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}
