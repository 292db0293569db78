"""Ftrl: Follow The Regularized Leader (McMahan et al., 2013), as in Keras 3."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """FTRL-Proximal, with online L2 and shrinkage-type L2 regularization.

    With slots ``n`` (``accumulator``, from ``initial_accumulator_value``) and ``z``
    (``linear``, from 0), ``p = -learning_rate_power`` and ``l2' = l2 + beta / (2 * lr)``::

        g_s = g + 2 * l2_shrinkage * w
        n_new = n + g**2
        z += g_s - (n_new**p - n**p) / lr * w
        w = (clip(z, -l1, l1) - z) / (n_new**p / lr + 2 * l2')
        n = n_new

    so ``w`` is 0 where ``|z| <= l1``. Best suited to shallow models with large, sparse
    feature spaces.

    Args:
        learning_rate: a float > 0 at every step, a LearningRateSchedule or a callable;
            default 0.001.
        learning_rate_power: a number <= 0: how the per-weight rate falls as ``n`` grows
            (0 for a fixed rate).
        initial_accumulator_value: the accumulators' starting value, >= 0.
        l1_regularization_strength: L1 strength ``l1``, >= 0.
        l2_regularization_strength: online (stabilizing) L2 strength ``l2``, >= 0.
        l2_shrinkage_regularization_strength: L2 penalty added to the gradient (a magnitude
            penalty), >= 0.
        beta: the paper's beta, >= 0.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        optimizer = Ftrl(learning_rate=0.1, l1_regularization_strength=0.01)
    """

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        who = self._who()
        self.initial_accumulator_value = check_number(
            who, "initial_accumulator_value", initial_accumulator_value, 0.0)
        if (not isinstance(learning_rate_power, numbers.Real)
                or isinstance(learning_rate_power, bool) or not learning_rate_power <= 0.0):
            raise ValueError(f"{who}: `learning_rate_power` must be a number <= 0. "
                             f"Received: learning_rate_power={learning_rate_power!r}")
        self.learning_rate_power = float(learning_rate_power)
        self.l1_regularization_strength = check_number(
            who, "l1_regularization_strength", l1_regularization_strength, 0.0)
        self.l2_regularization_strength = check_number(
            who, "l2_regularization_strength", l2_regularization_strength, 0.0)
        self.l2_shrinkage_regularization_strength = check_number(
            who, "l2_shrinkage_regularization_strength",
            l2_shrinkage_regularization_strength, 0.0)
        self.beta = check_number(who, "beta", beta, 0.0)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        # Keras's order: per variable, its accumulator then its linear slot.
        accumulators: list[Variable] = []
        linears: list[Variable] = []
        for variable in var_list:
            accumulators.append(self.add_variable_from_reference(
                variable, "accumulator", initializer=self.initial_accumulator_value))
            linears.append(self.add_variable_from_reference(variable, "linear"))
        self._accumulators, self._linears = accumulators, linears

    def update_step(self, gradient: Any, variable: Variable, learning_rate: float) -> None:
        if not learning_rate > 0.0:
            raise ValueError(f"{self._who()}: Ftrl divides by the learning rate, which must be "
                             f"> 0. Received: learning_rate={learning_rate!r}")
        # No fused kernel: a few elementwise passes with the backend's array module, updating
        # w, n and z in place (a handful of scratch arrays of w's size).
        xp = backend.xp()
        index = self._get_variable_index(variable)
        n = self._accumulators[index].data
        z = self._linears[index].data
        w = variable.data
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        l1 = self.l1_regularization_strength
        n_new = gradient * gradient
        n_new += n
        n_new_pow = xp.power(n_new, power)
        sigma_w = n_new_pow - xp.power(n, power)
        sigma_w /= learning_rate
        sigma_w *= w
        step = w * (2.0 * self.l2_shrinkage_regularization_strength)
        step += gradient
        step -= sigma_w
        z += step
        quadratic = n_new_pow
        quadratic /= learning_rate
        quadratic += 2.0 * l2
        numerator = xp.clip(z, -l1, l1)
        numerator -= z
        xp.divide(numerator, quadratic, out=w)
        n[...] = n_new

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
