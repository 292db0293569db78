"""SGD: gradient descent with optional (Nesterov) momentum, as Keras 3 computes it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_bool, check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum and Nesterov momentum.

    Without momentum: ``w -= lr * g``. With momentum (a ``momentum`` slot ``m``, from 0):
    ``m = momentum * m - lr * g``, then ``w += m``, or with ``nesterov=True``
    ``w += momentum * m - lr * g``.

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.01.
        momentum: in [0, 1]; 0 keeps no momentum slot.
        nesterov: use Nesterov momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        optimizer = SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.momentum = check_number(self._who(), "momentum", momentum, 0.0, 1.0)
        self.nesterov = check_bool(self._who(), "nesterov", nesterov)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        self.momentums = (self.add_optimizer_variables(var_list, "momentum")
                          if self.momentum != 0 else [])

    def _parallel_update_step(self, gradients: list[Any], variables: list[Variable],
                              learning_rate: float) -> None:
        # One fused pass updating every w (and m) in place: see backend optimizer_updates.
        momentums = self._slot_arrays(self.momentums, variables) if self.momentums else None
        backend.primitives("optimizer_updates").sgd_update(
            [v.data for v in variables], gradients, momentums, learning_rate, self.momentum,
            self.nesterov)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
