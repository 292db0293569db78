"""Lamb: Adam moments with a layer-wise trust ratio (You et al., 2019), as in Keras 3."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Lamb"]


class Lamb(Optimizer):
    """Lamb: Adam's update scaled per variable by the ratio of the weight norm to the
    update norm, which keeps large-batch training stable.

    At step ``t`` (from 1), with slots ``m`` and ``v`` (from 0)::

        m += (g - m) * (1 - beta_1)
        v += (g**2 - v) * (1 - beta_2)
        update = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)
        ratio = ||w|| / ||update||  if ||w|| > 0 and ||update|| > 0  else 1
        w -= ratio * lr * update

    where ``||x||`` is the L2 norm over all of the variable's elements.

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        beta_1: decay of the first moment, in [0, 1).
        beta_2: decay of the second moment, in [0, 1).
        epsilon: added to the corrected ``sqrt(v)`` for stability, >= 0; default 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        model.compile(optimizer=Lamb(learning_rate=1e-3), loss="mse")
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
        # Below 1: at beta == 1 the bias correction 1 - beta**t is 0 (Keras divides by it).
        self.beta_1 = check_number(who, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(who, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(who, "epsilon", epsilon, 0.0)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])

    def update_step(self, gradient: Any, variable: Variable, learning_rate: float) -> None:
        # No fused kernel: a few elementwise passes and two norms with the backend's array
        # module, updating w, m and v in place. The trust ratio stays on the device (no
        # host read per variable); Keras's where() keeps a zero norm from dividing.
        xp = backend.xp()
        t = self.local_step
        index = self._get_variable_index(variable)
        m = self._momentums[index].data
        v = self._velocities[index].data
        m += (gradient - m) * (1.0 - self.beta_1)
        v += (xp.square(gradient) - v) * (1.0 - self.beta_2)
        update = m / (1.0 - self.beta_1 ** t)
        root = v / (1.0 - self.beta_2 ** t)
        xp.sqrt(root, out=root)
        root += self.epsilon
        update /= root
        w = variable.data
        w_norm = xp.sqrt(xp.sum(xp.square(w)))
        u_norm = xp.sqrt(xp.sum(xp.square(update)))
        one = xp.ones((), dtype=w.dtype)
        both = (w_norm > 0) & (u_norm > 0)
        ratio = xp.where(both, w_norm / xp.where(u_norm > 0, u_norm, one), one)
        update *= ratio * learning_rate
        w -= update

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
