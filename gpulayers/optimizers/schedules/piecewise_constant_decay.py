"""PiecewiseConstantDecay: a constant rate between given step boundaries."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.schedules.learning_rate_schedule import LearningRateSchedule, step_value

__all__ = ["PiecewiseConstantDecay"]


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after ``boundaries[-1]``.

    Args:
        boundaries: strictly increasing step numbers.
        values: the rates, one more than ``boundaries``.
        name: a name kept in the config (Keras compatibility).

    Example::

        schedule = PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1])
        schedule(100), schedule(101), schedule(111)   # 1.0, 0.5, 0.1
    """

    def __init__(self, boundaries: Sequence[float], values: Sequence[float],
                 name: str = "PiecewiseConstant") -> None:
        who = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                f"{who}: `boundaries` must have one element less than `values`. Received: "
                f"boundaries={boundaries} (length {len(boundaries)}), values={values} "
                f"(length {len(values)})")
        for i, boundary in enumerate(boundaries):
            check_number(who, f"boundaries[{i}]", boundary)
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"{who}: `boundaries` must be strictly increasing. "
                             f"Received: boundaries={boundaries}")
        for i, value in enumerate(values):
            check_number(who, f"values[{i}]", value, 0.0)
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> float:
        # bisect_left counts the boundaries strictly below step: exactly the value index
        # (a step equal to a boundary still gets the value before it).
        return float(self.values[bisect.bisect_left(self.boundaries, step_value(step))])

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}
