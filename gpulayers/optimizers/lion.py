"""Lion: sign-of-momentum updates (Chen et al., 2023), as in Keras 3."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion ("EvoLved Sign Momentum"): every weight moves by exactly ``lr`` per step.

    With a ``momentum`` slot ``m`` (from 0)::

        w -= lr * sign(m * beta_1 + g * (1 - beta_1))
        m = m * beta_2 + g * (1 - beta_2)

    Because every update has magnitude ``lr``, a good rate is typically 3-10x smaller than
    AdamW's, and the weight decay 3-10x larger (for a similar ``lr * weight_decay``).

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        beta_1: how much of the momentum (versus the gradient) the sign is taken of, in
            (0, 1] (at 0 Lion would be SignSGD).
        beta_2: decay of the momentum, in [0, 1].
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        model.compile(optimizer=Lion(learning_rate=1e-4, weight_decay=0.01), loss="mse")
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        who = self._who()
        # As in Keras: beta_1 in (0, 1]; at 0 the optimizer degenerates to SignSGD.
        self.beta_1 = check_number(who, "beta_1", beta_1, 0.0, 1.0, low_open=True)
        self.beta_2 = check_number(who, "beta_2", beta_2, 0.0, 1.0)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient: Any, variable: Variable, learning_rate: float) -> None:
        # No fused kernel: a few elementwise passes with the backend's array module, updating
        # w and m in place (one scratch array of w's size, plus the g * scalar temporaries).
        xp = backend.xp()
        m = self._momentums[self._get_variable_index(variable)].data
        direction = m * self.beta_1
        direction += gradient * (1.0 - self.beta_1)
        xp.sign(direction, out=direction)
        direction *= learning_rate
        weights = variable.data
        weights -= direction
        m *= self.beta_2
        m += gradient * (1.0 - self.beta_2)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
