"""Learning-rate schedules (``keras.optimizers.schedules``): the classes and serialize.

Pass a schedule as any optimizer's ``learning_rate``; the optimizer calls it with its step
count (``optimizer.iterations``) before each update::

    schedule = schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
    optimizer = gpulayers.optimizers.SGD(learning_rate=schedule)
    schedules.deserialize(schedules.serialize(schedule))   # an equal schedule

Names for ``deserialize``: each class name and its snake_case (``'ExponentialDecay'``,
``'exponential_decay'``), as well as your own subclasses of :class:`LearningRateSchedule`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpulayers.initializers.object_catalog import ObjectCatalog
from gpulayers.optimizers.schedules.cosine_decay import CosineDecay
from gpulayers.optimizers.schedules.cosine_decay_restarts import CosineDecayRestarts
from gpulayers.optimizers.schedules.exponential_decay import ExponentialDecay
from gpulayers.optimizers.schedules.inverse_time_decay import InverseTimeDecay
from gpulayers.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
    step_value,
)
from gpulayers.optimizers.schedules.piecewise_constant_decay import PiecewiseConstantDecay
from gpulayers.optimizers.schedules.polynomial_decay import PolynomialDecay

__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
           "LearningRateSchedule", "PiecewiseConstantDecay", "PolynomialDecay", "deserialize",
           "serialize", "step_value"]

_CATALOG = ObjectCatalog(
    "learning rate schedule", "gpulayers.optimizers.schedules", LearningRateSchedule,
    [ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
     CosineDecayRestarts],
)


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """The Keras 3 config dict ``{'module', 'class_name', 'config', 'registered_name'}``.

    Example: ``serialize(ExponentialDecay(0.1, 10, 0.5))['class_name'] == 'ExponentialDecay'``.
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError("schedules.serialize: expected a LearningRateSchedule. "
                        f"Received: {learning_rate_schedule!r}")
    return _CATALOG.serialize(learning_rate_schedule)


def deserialize(config: Any, custom_objects: Mapping[str, Any] | None = None
                ) -> LearningRateSchedule:
    """Rebuild a schedule from :func:`serialize`'s dict (or Keras's) or a class name.

    ``custom_objects`` maps class names to your own LearningRateSchedule subclasses.
    Raises ValueError listing the valid names for an unknown class name.
    """
    return _CATALOG.deserialize(config, custom_objects)
