"""ExponentialDecay: ``initial_learning_rate * decay_rate ** (step / decay_steps)``."""

from __future__ import annotations

import math
from typing import Any

from gpulayers.optimizers.argument_checks import check_bool, check_number
from gpulayers.optimizers.schedules.learning_rate_schedule import LearningRateSchedule, step_value

__all__ = ["ExponentialDecay"]


class ExponentialDecay(LearningRateSchedule):
    """Decay the rate by ``decay_rate`` every ``decay_steps`` steps, smoothly or in stairs.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps per decay by ``decay_rate``; must be > 0.
        decay_rate: the factor applied per ``decay_steps``.
        staircase: decay at whole multiples of ``decay_steps`` only (``step // decay_steps``).
        name: a name kept in the config (Keras compatibility).

    Example::

        schedule = ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96, staircase=True)
        schedule(2500)   # 0.1 * 0.96 ** 2
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay") -> None:
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
        return float(self.initial_learning_rate) * float(self.decay_rate) ** p

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}
