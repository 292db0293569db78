"""InverseTimeDecay: ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

from __future__ import annotations

from gpulayers.optimizers.schedules.rate_decay import RateDecaySchedule

__all__ = ["InverseTimeDecay"]


class InverseTimeDecay(RateDecaySchedule):
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
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def decay(self, p: float) -> float:
        return float(self.initial_learning_rate) / (1.0 + self.decay_rate * p)
