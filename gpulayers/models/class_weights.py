"""``class_weight``: per-class weights turned into per-sample weights, as Keras does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gpulayers.backend import host_data

__all__ = ["ClassWeightedBatches", "class_sample_weights"]


def _check_class_weight(model_name: str, class_weight: Any) -> None:
    if not isinstance(class_weight, dict):
        raise ValueError(f"Model '{model_name}': `class_weight` must be a dict mapping class "
                         f"indices to weights. Received: {class_weight!r}")


def class_sample_weights(model_name: str, y: Any, sample_weight: Any,
                         class_weight: dict[int, float]) -> Any:
    """Each sample's weight is ``class_weight[its class]`` (times its sample weight).

    The class is the integer label, or the argmax of a one-hot / probability row.
    """
    _check_class_weight(model_name, class_weight)
    if isinstance(y, (list, tuple, dict)) and not host_data.is_host_array_like(y):
        raise ValueError(f"Model '{model_name}': `class_weight` is only supported for models "
                         f"with a single output")
    labels = host_data.as_host_array(y)
    classes = labels.argmax(axis=-1) if labels.ndim > 1 and labels.shape[-1] > 1 else (
        labels.reshape(labels.shape[0], -1)[:, 0])
    weights, missing = host_data.values_by_class(
        classes, {int(k): float(v) for k, v in class_weight.items()})
    if missing:
        raise ValueError(f"Model '{model_name}': `class_weight` has no weight for classes "
                         f"{missing}. Received keys {sorted(class_weight)}")
    if sample_weight is not None:
        weights = weights * host_data.as_host_array(sample_weight)
    return weights


class ClassWeightedBatches:
    """A generator's or PyDataset's batches with ``class_weight`` applied to each batch's
    targets, as Keras does for data it cannot see whole in advance."""

    def __init__(self, source: Any, model_name: str, class_weight: dict[int, float]) -> None:
        _check_class_weight(model_name, class_weight)
        self.source, self.model_name, self.class_weight = source, model_name, class_weight

    @property
    def steps(self) -> int | None:
        return getattr(self.source, "steps", None)

    def reset(self) -> None:
        self.source.reset()

    def epoch(self) -> Iterator[tuple[Any, Any, Any]]:
        for x, y, sample_weight in self.source.epoch():
            if y is None:
                raise ValueError(f"Model '{self.model_name}': `class_weight` needs targets, "
                                 "but a batch came without y")
            yield x, y, class_sample_weights(self.model_name, y, sample_weight,
                                             self.class_weight)
