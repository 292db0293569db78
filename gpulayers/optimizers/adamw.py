"""AdamW: Adam with decoupled weight decay on by default (Loshchilov & Hutter)."""

from __future__ import annotations

from typing import Any

from gpulayers.optimizers.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay: ``w -= w * weight_decay * lr`` before each Adam step.

    Exactly :class:`Adam` with ``weight_decay`` required (default 0.004, as in Keras 3);
    exempt variables (biases, norms) with ``exclude_from_weight_decay``.

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        weight_decay: the decay factor (not None).
        beta_1, beta_2, epsilon, amsgrad: as in :class:`Adam`.
        clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        optimizer = AdamW(learning_rate=1e-3, weight_decay=0.01)
        optimizer.exclude_from_weight_decay(var_names=["bias"])
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        if self.weight_decay is None:
            raise ValueError(f"{self._who()}: `weight_decay` must be a float (use Adam for no "
                             "weight decay). Received: weight_decay=None")
