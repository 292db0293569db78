"""Adam: adaptive moment estimation, with Keras 3's bias correction folded into the rate."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_bool, check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (Kingma & Ba), optionally AMSGrad.

    At step ``t`` (from 1), with slots ``m`` and ``v`` (from 0)::

        m += (g - m) * (1 - beta_1)
        v += (g**2 - v) * (1 - beta_2)
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w -= alpha * m / (sqrt(v) + epsilon)

    With ``amsgrad=True`` a ``velocity_hat`` slot keeps ``max(v_hat, v)`` and replaces ``v``
    in the last line.

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        beta_1: decay of the first moment, in [0, 1).
        beta_2: decay of the second moment, in [0, 1).
        epsilon: added to ``sqrt(v)`` for stability.
        amsgrad: use AMSGrad.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        model.compile(optimizer=Adam(learning_rate=3e-4), loss="mse")
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        who = self._who()
        # Below 1: at beta == 1 the bias correction 1 - beta**t is 0.
        self.beta_1 = check_number(who, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(who, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(who, "epsilon", epsilon, 0.0)
        self.amsgrad = check_bool(who, "amsgrad", amsgrad)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        self._velocity_hats = (self.add_optimizer_variables(var_list, "velocity_hat")
                               if self.amsgrad else [])

    def _parallel_update_step(self, gradients: list[Any], variables: list[Variable],
                              learning_rate: float) -> None:
        t = self.local_step
        alpha = learning_rate * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)
        slots = self._slot_arrays
        v_hat = slots(self._velocity_hats, variables) if self.amsgrad else None
        # One fused pass updating every w, m, v (and v_hat) in place: see backend
        # optimizer_updates.
        backend.primitives("optimizer_updates").adam_update(
            [v.data for v in variables], gradients, slots(self._momentums, variables),
            slots(self._velocities, variables), v_hat, alpha, self.beta_1, self.beta_2,
            self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
