"""GradientAccumulation: Keras 3's ``gradient_accumulation_steps`` (mixed into Optimizer).

With ``gradient_accumulation_steps=n`` the optimizer keeps a ``gradient_accumulator`` slot
per variable (after the moving averages, before the algorithm's slots, as in Keras). Each
``apply`` call counts in ``iterations``' underlying counter; on the calls where
``(calls + 1) % n != 0`` the gradients are only added to the accumulators, and on every
n-th call the variables are updated once with the mean gradient ``(g + accumulated) / n``
(then clipped, weight-decayed and passed to the update step) and the accumulators reset.

``iterations`` then reads ``calls // n`` (the updates applied): bias corrections and EMA
use it, while a learning-rate schedule sees the number of calls, as in Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers.autodiff import Variable

__all__ = ["GradientAccumulation"]


class GradientAccumulation:
    """The ``gradient_accumulation_steps`` part of :class:`~gpulayers.optimizers.Optimizer`.

    Expects ``gradient_accumulation_steps``, ``add_optimizer_variables`` and
    ``_get_variable_index`` from the optimizer.
    """

    gradient_accumulation_steps: int | None
    _accumulated_gradients: list[Variable]

    def _build_gradient_accumulators(self, var_list: Sequence[Variable]) -> None:
        self._accumulated_gradients = (
            self.add_optimizer_variables(  # type: ignore[attr-defined]
                var_list, "gradient_accumulator")
            if self.gradient_accumulation_steps else [])

    def _updates_applied(self, calls: int) -> int:
        """``iterations`` as Keras reads it: ``calls // n`` when accumulating, else ``calls``."""
        steps = self.gradient_accumulation_steps
        return calls // steps if steps else calls

    def _accumulate(self, calls: int, arrays: list[Any], variables: Sequence[Variable]
                    ) -> list[Any] | None:
        """The mean gradients on an update call (``calls`` before this one), resetting the
        accumulators; None on a call that only accumulates ``arrays``."""
        steps = self.gradient_accumulation_steps
        if not steps:
            return arrays
        index = self._get_variable_index  # type: ignore[attr-defined]
        accumulators = [self._accumulated_gradients[index(v)].data for v in variables]
        if (calls + 1) % steps:
            for accumulator, gradient in zip(accumulators, arrays):
                accumulator += gradient
            return None
        averaged = [(gradient + accumulator) / steps
                    for gradient, accumulator in zip(arrays, accumulators)]
        for accumulator in accumulators:
            accumulator.fill(0)
        return averaged
