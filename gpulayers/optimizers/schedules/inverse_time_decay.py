"""InverseTimeDecay: ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

from __future__ import annotations

import math
from typing import Any

from gpulayers.optimizers.argument_checks import check_bool, check_number
from gpulayers.optimizers.schedules.learning_rate_schedule import LearningRateSchedule, step_value

__all__ = ["InverseTimeDecay"]


class InverseTimeDecay(LearningRateSchedule):
    """Decay the rate as ``1 / (1 + decay_rate * step / decay_steps)`` (1/t decay).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the step scale; must be > 0.
        decay_rate: how fast the rate falls.
        staircase: use ``floor(step / decay_steps)``, so the rate changes in stairs.
        name: a name kept in the config (Keras compatibility).

    Example::

        schedule = InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)
        schedule(2)   # 0.1 / (1 + 0.5 * 2) = 0.05
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay") -> None:
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
        if self.staircase:
            p = math.floor(p)
        return float(self.initial_learning_rate) / (1.0 + self.decay_rate * p)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}
