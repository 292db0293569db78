"""PolynomialDecay: from ``initial_learning_rate`` to ``end_learning_rate`` along
``(1 - step / decay_steps) ** power``."""

from __future__ import annotations

import math
from typing import Any

from gpulayers.optimizers.argument_checks import check_bool, check_number
from gpulayers.optimizers.schedules.learning_rate_schedule import LearningRateSchedule, step_value

__all__ = ["PolynomialDecay"]


class PolynomialDecay(LearningRateSchedule):
    """Decay polynomially to ``end_learning_rate`` over ``decay_steps``, then hold (or cycle).

    ``rate = (initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end``.
    With ``cycle=True`` the horizon is the first multiple of ``decay_steps`` at or after
    ``step`` (``decay_steps`` itself at step 0), so the rate jumps back up and decays again.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps to reach ``end_learning_rate``; must be > 0.
        end_learning_rate: the final rate.
        power: the polynomial's power (1.0 is linear).
        cycle: restart the decay after each ``decay_steps``.
        name: a name kept in the config (Keras compatibility).

    Example::

        schedule = PolynomialDecay(0.1, decay_steps=100, end_learning_rate=0.01, power=0.5)
        schedule(100)   # 0.01
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay") -> None:
        who = type(self).__name__
        check_number(who, "initial_learning_rate", initial_learning_rate, 0.0)
        check_number(who, "decay_steps", decay_steps, 0.0, low_open=True)
        check_number(who, "end_learning_rate", end_learning_rate, 0.0)
        check_number(who, "power", power)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = check_bool(who, "cycle", cycle)
        self.name = name

    def __call__(self, step: Any) -> float:
        step = step_value(step)
        horizon = float(self.decay_steps)
        if self.cycle:
            horizon *= 1.0 if step == 0 else math.ceil(step / self.decay_steps)
        else:
            step = min(step, horizon)
        fraction_left = 1.0 - step / horizon
        start, end = float(self.initial_learning_rate), float(self.end_learning_rate)
        return (start - end) * fraction_left ** self.power + end

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}
