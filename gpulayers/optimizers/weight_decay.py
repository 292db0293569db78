"""WeightDecay: Keras 3's decoupled ``weight_decay`` for the optimizers (mixed into Optimizer).

With ``weight_decay=d``, every step first shrinks each variable that is not exempt,
``w -= (w * d) * learning_rate``, then runs the algorithm's update (AdamW is Adam with a
default ``d``). Biases and normalization scales are usually exempted with
:meth:`WeightDecay.exclude_from_weight_decay`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from gpulayers import backend
from gpulayers.autodiff import Variable

__all__ = ["WeightDecay"]


class WeightDecay:
    """The ``weight_decay`` part of :class:`~gpulayers.optimizers.Optimizer` (mixed into it).

    Expects ``weight_decay`` from the optimizer.
    """

    weight_decay: float | None
    _decay_excluded: set[int] = frozenset()  # type: ignore[assignment]
    _decay_pattern: re.Pattern[str] | None = None

    def exclude_from_weight_decay(self, var_list: Iterable[Variable] | None = None,
                                  var_names: Iterable[str] | None = None) -> None:
        """Exempt variables from weight decay: those in ``var_list``, and those whose name
        contains any of ``var_names`` (a regular-expression search, as in Keras).

        Example: ``optimizer.exclude_from_weight_decay(var_names=["bias", "gamma"])``.
        """
        self._decay_excluded = {id(v) for v in var_list or ()}
        names = sorted(set(var_names or ()))
        self._decay_pattern = re.compile("|".join(names)) if names else None

    def _use_weight_decay(self, variable: Variable) -> bool:
        if id(variable) in self._decay_excluded:
            return False
        pattern = self._decay_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _apply_weight_decay(self, variables: Sequence[Variable], learning_rate: float) -> None:
        """Shrink the variables that are not exempt, in place (one fused launch on CuPy)."""
        if not self.weight_decay:
            return
        decayed = [v.data for v in variables if self._use_weight_decay(v)]
        if decayed:
            backend.primitives("optimizer_updates").decay_weights(
                decayed, self.weight_decay, learning_rate)
