"""ExponentialDecay: ``initial_learning_rate * decay_rate ** (step / decay_steps)``."""

from __future__ import annotations

from gpulayers.optimizers.schedules.rate_decay import RateDecaySchedule

__all__ = ["ExponentialDecay"]


class ExponentialDecay(RateDecaySchedule):
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
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def decay(self, p: float) -> float:
        return float(self.initial_learning_rate) * float(self.decay_rate) ** p
