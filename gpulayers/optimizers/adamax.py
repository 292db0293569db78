"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7).

    At step ``t`` (from 1), with slots ``momentum`` (``m``) and ``norm`` (``u``), from 0::

        m += (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        w -= lr * m / ((1 - beta_1**t) * (u + epsilon))

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        beta_1: decay of the first moment, in [0, 1).
        beta_2: decay of the infinity norm, in [0, 1].
        epsilon: added to ``u`` for stability.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        optimizer = Adamax(learning_rate=0.002)
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
        self.beta_1 = check_number(who, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(who, "beta_2", beta_2, 0.0, 1.0)
        self.epsilon = check_number(who, "epsilon", epsilon, 0.0)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def _parallel_update_step(self, gradients: list[Any], variables: list[Variable],
                              learning_rate: float) -> None:
        correction = 1.0 - self.beta_1 ** self.local_step
        # One fused pass updating every w, m and u in place: see backend optimizer_updates.
        backend.primitives("optimizer_updates").adamax_update(
            [v.data for v in variables], gradients, self._slot_arrays(self._m, variables),
            self._slot_arrays(self._u, variables), learning_rate, self.beta_1, self.beta_2,
            self.epsilon, correction)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
