"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_bool, check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton), optionally centered and with momentum.

    With slots ``velocity`` (``v``), ``average_gradient`` (``a``, centered only) and
    ``momentum`` (``m``, momentum > 0 only), all from 0::

        v = rho * v + (1 - rho) * g**2
        a = rho * a + (1 - rho) * g                                   # centered
        increment = lr * g / sqrt(v - a**2 + epsilon)                 # centered
        increment = lr * g / sqrt(v + epsilon)                        # otherwise
        m = momentum * m + increment; w -= m                          # momentum > 0
        w -= increment                                                # otherwise

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        rho: decay of the moving averages, in [0, 1].
        momentum: in [0, 1]; 0 keeps no momentum slot.
        epsilon: added inside the square root for stability.
        centered: normalize by the variance estimate instead of the raw second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        model.compile(optimizer=RMSprop(learning_rate=1e-3, centered=True), loss="mse")
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        who = self._who()
        self.rho = check_number(who, "rho", rho, 0.0, 1.0)
        self.momentum = check_number(who, "momentum", momentum, 0.0, 1.0)
        self.epsilon = check_number(who, "epsilon", epsilon, 0.0)
        self.centered = check_bool(who, "centered", centered)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        # Kind by kind (all velocities, then momentums...), Keras 3's slot order.
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = (self.add_optimizer_variables(var_list, "momentum")
                           if self.momentum > 0 else [])
        self._average_gradients = (self.add_optimizer_variables(var_list, "average_gradient")
                                   if self.centered else [])

    def _parallel_update_step(self, gradients: list[Any], variables: list[Variable],
                              learning_rate: float) -> None:
        slots = self._slot_arrays
        averages = slots(self._average_gradients, variables) if self.centered else None
        momentums = slots(self._momentums, variables) if self.momentum > 0 else None
        # One fused pass updating every w and slot in place: see backend optimizer_updates.
        backend.primitives("optimizer_updates").rmsprop_update(
            [v.data for v in variables], gradients, slots(self._velocities, variables),
            averages, momentums, learning_rate, self.rho, self.momentum, self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
