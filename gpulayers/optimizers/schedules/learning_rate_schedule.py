"""LearningRateSchedule: the base class of learning rates that change with the step count.

A schedule is called with the optimizer's step (``optimizer.iterations``, 0 before the
first update) and returns the learning rate for that step as a Python float. Python floats
keep the optimizer's per-step arithmetic on the host: no device round trip per step.

Example::

    class InverseSqrt(LearningRateSchedule):
        def __init__(self, scale=0.1):
            self.scale = scale

        def __call__(self, step):
            return self.scale / math.sqrt(step_value(step) + 1)

        def get_config(self):
            return {"scale": self.scale}

    optimizer = SGD(learning_rate=InverseSqrt())
"""

from __future__ import annotations

from typing import Any

__all__ = ["LearningRateSchedule", "step_value"]


def step_value(step: Any) -> float:
    """The step as a Python float: accepts ints, floats, 0-d arrays, Tensors and Variables.

    Example: ``step_value(optimizer.iterations)`` -> ``3.0``.
    """
    if hasattr(step, "item"):  # a Tensor, Variable or 0-d array
        step = step.item()
    return float(step)


class LearningRateSchedule:
    """Base class: ``__call__(step) -> float``, ``get_config()`` and ``from_config(config)``.

    Every subclass is remembered by class name, so ``schedules.deserialize`` finds a custom
    schedule defined in the same process without ``custom_objects``.
    """

    _subclasses: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        LearningRateSchedule._subclasses[cls.__name__] = cls

    def __call__(self, step: Any) -> float:
        """The learning rate at ``step`` (0 before the first update)."""
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`__call__(self, step)`.")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-serializable dict."""
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` to "
            "be serializable.")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Create a schedule from the dict returned by :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            arguments = "..."
        return f"{type(self).__name__}({arguments})"
