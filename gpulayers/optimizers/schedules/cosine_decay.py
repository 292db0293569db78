"""CosineDecay: an optional linear warmup, then a half-cosine from the peak rate down to
``alpha`` times it."""

from __future__ import annotations

import math
from typing import Any

from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.schedules.learning_rate_schedule import LearningRateSchedule, step_value

__all__ = ["CosineDecay"]


class CosineDecay(LearningRateSchedule):
    """Cosine decay (SGDR without restarts), with an optional linear warmup.

    Without ``warmup_target``: ``rate = initial * ((1 - alpha) * c + alpha)`` with
    ``c = 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps))``.
    With ``warmup_target``: the rate rises linearly from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps``, then decays as above from ``warmup_target``
    (the step counted from the end of the warmup).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps of the cosine decay; must be > 0.
        alpha: the final rate as a fraction of the decay's starting rate.
        name: a name kept in the config (Keras compatibility).
        warmup_target: the rate reached at the end of the warmup; None for no warmup.
        warmup_steps: steps of the warmup.

    Example::

        schedule = CosineDecay(0.0, decay_steps=1000, warmup_target=0.1, warmup_steps=100)
        schedule(50), schedule(100), schedule(1100)   # 0.05, 0.1, 0.0
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: float = 0) -> None:
        who = type(self).__name__
        check_number(who, "initial_learning_rate", initial_learning_rate, 0.0)
        check_number(who, "decay_steps", decay_steps, 0.0, low_open=True)
        check_number(who, "alpha", alpha, 0.0, 1.0)
        if warmup_target is not None:
            check_number(who, "warmup_target", warmup_target, 0.0)
        check_number(who, "warmup_steps", warmup_steps, 0.0)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decayed(self, step: float, peak: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return peak * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: Any) -> float:
        step = step_value(step)
        start = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decayed(min(step, self.decay_steps), start)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            return (self.warmup_target - start) * step / self.warmup_steps + start
        return self._decayed(step - self.warmup_steps, float(self.warmup_target))

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}
