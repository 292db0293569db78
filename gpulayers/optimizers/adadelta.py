"""Adadelta: steps scaled by the ratio of running RMS of past updates to that of gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler), with Keras's learning rate on top.

    With slots ``accumulated_grad`` (``G``) and ``accumulated_delta_var`` (``D``), from 0::

        G = rho * G + (1 - rho) * g**2
        delta = -sqrt(D + epsilon) * g / sqrt(G + epsilon)
        D = rho * D + (1 - rho) * delta**2
        w += lr * delta

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001 (the
            original paper uses 1.0).
        rho: the decay rate, in [0, 1].
        epsilon: added inside the square roots; it also sets the size of the first steps.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        optimizer = Adadelta(learning_rate=1.0, rho=0.95)
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.rho = check_number(self._who(), "rho", rho, 0.0, 1.0)
        self.epsilon = check_number(self._who(), "epsilon", epsilon, 0.0)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def _parallel_update_step(self, gradients: list[Any], variables: list[Variable],
                              learning_rate: float) -> None:
        slots = self._slot_arrays
        # One fused pass updating every w and both accumulators in place: see backend
        # optimizer_updates.
        backend.primitives("optimizer_updates").adadelta_update(
            [v.data for v in variables], gradients, slots(self._accumulated_grads, variables),
            slots(self._accumulated_delta_vars, variables), learning_rate, self.rho,
            self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
