"""Adagrad: per-parameter rates that shrink with the sum of squared past gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.).

    With an ``accumulator`` slot ``a`` starting at ``initial_accumulator_value``::

        a += g**2
        w -= lr * g / sqrt(a + epsilon)

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        initial_accumulator_value: the accumulators' starting value, >= 0.
        epsilon: added inside the square root for stability.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        optimizer = Adagrad(learning_rate=0.01)
    """

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        who = self._who()
        self.initial_accumulator_value = check_number(
            who, "initial_accumulator_value", initial_accumulator_value, 0.0)
        self.epsilon = check_number(who, "epsilon", epsilon, 0.0)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=self.initial_accumulator_value)

    def _parallel_update_step(self, gradients: list[Any], variables: list[Variable],
                              learning_rate: float) -> None:
        # One fused pass updating every w and accumulator in place: see backend
        # optimizer_updates.
        backend.primitives("optimizer_updates").adagrad_update(
            [v.data for v in variables], gradients,
            self._slot_arrays(self._accumulators, variables), learning_rate, self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
