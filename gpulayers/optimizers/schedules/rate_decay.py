"""RateDecaySchedule: what ExponentialDecay and InverseTimeDecay share.

Both take ``(initial_learning_rate, decay_steps, decay_rate, staircase, name)`` and decay
along ``p = step / decay_steps`` (floored with ``staircase``); only the formula differs.
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers.optimizers.argument_checks import check_bool, check_number
from gpulayers.optimizers.schedules.learning_rate_schedule import LearningRateSchedule, step_value

__all__ = ["RateDecaySchedule"]


class RateDecaySchedule(LearningRateSchedule):
    """Base of the ``decay_rate``/``decay_steps`` schedules; subclasses give ``decay(p)``,
    the rate at progress ``p``."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool, name: str) -> None:
        who = type(self).__name__
        check_number(who, "initial_learning_rate", initial_learning_rate, 0.0)
        check_number(who, "decay_steps", decay_steps, 0.0, low_open=True)
        check_number(who, "decay_rate", decay_rate, 0.0)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = check_bool(who, "staircase", staircase)
        self.name = name

    def __call__(self, step: Any) -> float:
        p = step_value(step) / self.decay_steps
        return self.decay(math.floor(p) if self.staircase else p)

    def decay(self, p: float) -> float:
        """The learning rate at progress ``p`` (``step / decay_steps``, maybe floored)."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}
