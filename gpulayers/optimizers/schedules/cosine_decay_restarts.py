"""CosineDecayRestarts (SGDR): cosine decay periods, each ``t_mul`` times longer and starting
``m_mul`` times lower than the last."""

from __future__ import annotations

import math
from typing import Any

from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.schedules.learning_rate_schedule import LearningRateSchedule, step_value

__all__ = ["CosineDecayRestarts"]


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (Loshchilov & Hutter, SGDR).

    Period ``i`` (from 0) lasts ``first_decay_steps * t_mul**i`` steps; within it the rate
    falls from ``initial * m_mul**i`` along a half-cosine towards ``alpha`` times
    ``initial``, then jumps back up.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: length of the first period; must be > 0.
        t_mul: how much longer each period is than the previous one.
        m_mul: how much lower each period starts than the previous one.
        alpha: the minimum rate as a fraction of ``initial_learning_rate``.
        name: a name kept in the config (Keras compatibility).

    Example::

        schedule = CosineDecayRestarts(0.1, first_decay_steps=100)
        schedule(100)   # 0.1 again: the second period (200 steps long) starts
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: float,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: str = "SGDRDecay") -> None:
        who = type(self).__name__
        check_number(who, "initial_learning_rate", initial_learning_rate, 0.0)
        check_number(who, "first_decay_steps", first_decay_steps, 0.0, low_open=True)
        check_number(who, "t_mul", t_mul, 0.0, low_open=True)
        check_number(who, "m_mul", m_mul, 0.0)
        check_number(who, "alpha", alpha, 0.0, 1.0)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self.t_mul = t_mul
        self.m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step: Any) -> float:
        fraction = step_value(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:  # periods 1, t, t^2...: the restart index solves a geometric series
            restart = math.floor(math.log(1.0 - fraction * (1.0 - self.t_mul))
                                 / math.log(self.t_mul))
            done = (1.0 - self.t_mul ** restart) / (1.0 - self.t_mul)
            fraction = (fraction - done) / self.t_mul ** restart
        cosine = 0.5 * self.m_mul ** restart * (1.0 + math.cos(math.pi * fraction))
        return float(self.initial_learning_rate) * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}
