"""Nadam: Adam with Nesterov momentum, using Keras 3's momentum schedule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Nadam"]


class Nadam(Optimizer):
    """Nadam (Dozat), as Keras 3 computes it.

    The momentum follows the schedule ``mu_t = beta_1 * (1 - 0.5 * 0.96**t)`` and its running
    product ``P_t = mu_1 * ... * mu_t`` (the "momentum cache"). At step ``t`` (from 1), with
    slots ``m`` and ``v`` (from 0)::

        m += (g - m) * (1 - beta_1)
        v += (g**2 - v) * (1 - beta_2)
        m_hat = mu_{t+1} * m / (1 - P_t * mu_{t+1}) + (1 - mu_t) * g / (1 - P_t)
        v_hat = v / (1 - beta_2**t)
        w -= lr * m_hat / (sqrt(v_hat) + epsilon)

    ``P_t`` follows from the step count alone, so it is computed on the host (Keras keeps it
    as an extra variable; here :attr:`variables` holds only iterations and the slots).

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        beta_1: the base momentum, in [0, 1].
        beta_2: decay of the second moment, in [0, 1).
        epsilon: added to ``sqrt(v_hat)`` for stability.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        optimizer = Nadam(learning_rate=0.002)
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        who = self._who()
        self.beta_1 = check_number(who, "beta_1", beta_1, 0.0, 1.0)
        self.beta_2 = check_number(who, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(who, "epsilon", epsilon, 0.0)
        self._momentum_cache = (0, 1.0)  # (t, P_t): P_0 = 1

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])

    def _mu(self, t: int) -> float:
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** t)

    def _momentum_product(self, t: int) -> float:
        """``P_t``, carried on from the last step (recomputed after a restore or reset)."""
        cached_t, product = self._momentum_cache
        if cached_t > t:
            cached_t, product = 0, 1.0
        for i in range(cached_t + 1, t + 1):
            product *= self._mu(i)
        self._momentum_cache = (t, product)
        return product

    def _parallel_update_step(self, gradients: list[Any], variables: list[Variable],
                              learning_rate: float) -> None:
        t = self.local_step
        # One fused pass updating every w, m and v in place: see backend optimizer_updates.
        backend.primitives("optimizer_updates").nadam_update(
            [v.data for v in variables], gradients, self._slot_arrays(self._momentums, variables),
            self._slot_arrays(self._velocities, variables), learning_rate, self.beta_1,
            self.beta_2, self.epsilon, self._mu(t), self._mu(t + 1), self._momentum_product(t),
            self.beta_2 ** t)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
