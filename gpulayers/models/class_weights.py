"""``class_weight``: per-class weights turned into per-sample weights, as Keras does."""

from __future__ import annotations

from typing import Any

from gpulayers.backend import host_data

__all__ = ["class_sample_weights"]


def class_sample_weights(model_name: str, y: Any, sample_weight: Any,
                         class_weight: dict[int, float]) -> Any:
    """Each sample's weight is ``class_weight[its class]`` (times its sample weight).

    The class is the integer label, or the argmax of a one-hot / probability row.
    """
    if not isinstance(class_weight, dict):
        raise ValueError(f"Model '{model_name}': `class_weight` must be a dict mapping class "
                         f"indices to weights. Received: {class_weight!r}")
    if isinstance(y, (list, tuple, dict)):
        raise ValueError(f"Model '{model_name}': `class_weight` is only supported for models "
                         f"with a single output")
    labels = host_data.as_host_array(y)
    classes = labels.argmax(axis=-1) if labels.ndim > 1 and labels.shape[-1] > 1 else (
        labels.reshape(labels.shape[0], -1)[:, 0])
    missing = sorted({int(c) for c in classes} - {int(k) for k in class_weight})
    if missing:
        raise ValueError(f"Model '{model_name}': `class_weight` has no weight for classes "
                         f"{missing}. Received keys {sorted(class_weight)}")
    weights = host_data.as_host_array([class_weight[int(c)] for c in classes]).astype("float32")
    if sample_weight is not None:
        weights = weights * host_data.as_host_array(sample_weight)
    return weights
