"""Adafactor: Adam-like steps with a factored second moment (Shazeer & Stern, 2018)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable
from gpulayers.optimizers.argument_checks import check_bool, check_number
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor, as Keras 3 implements it.

    For a variable of 2 or more dimensions the second moment is kept as a row factor ``r``
    (shape ``w.shape[:-1]``) and a column factor ``c`` (``w.shape[:-2] + w.shape[-1:]``);
    other variables keep a full ``velocity``. At step ``t`` (from 1)::

        rho = min(lr, 1 / sqrt(t))
        alpha = max(epsilon_2, rms(w)) * rho
        g2 = g**2 + epsilon_1
        beta_2_t = 1 - t**beta_2_decay
        r = beta_2_t * r + (1 - beta_2_t) * mean(g2, axis=-1)         # 2+ dimensions
        c = beta_2_t * c + (1 - beta_2_t) * mean(g2, axis=-2)
        v = (r / mean(r, axis=-1))[..., None] * c[..., None, :]
        v = beta_2_t * v + (1 - beta_2_t) * g2                        # otherwise
        u = g / sqrt(v)
        w -= alpha * u / max(1, rms(u) / clip_threshold)

    where ``rms(x) = sqrt(mean(x**2))`` over all elements. As in Keras, ``relative_step``
    caps a constant ``lr`` at ``1 / sqrt(t)``, which ``rho`` does anyway: it changes nothing.

    Args:
        learning_rate: a float, a LearningRateSchedule or a callable; default 0.001.
        beta_2_decay: the power of ``t`` in ``beta_2_t``; default -0.8.
        epsilon_1: added to ``g**2``, >= 0; default 1e-30.
        epsilon_2: the smallest weight scale in ``alpha``, >= 0; default 1e-3.
        clip_threshold: the update's RMS is clipped to this, > 0; default 1.0 (independent
            of ``clipnorm``, ``clipvalue`` and ``global_clipnorm``).
        relative_step: see above.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs: see
            :class:`~gpulayers.optimizers.Optimizer`.

    Example::

        model.compile(optimizer=Adafactor(learning_rate=0.01), loss="mse")
    """

    def __init__(self, learning_rate: Any = 0.001, beta_2_decay: float = -0.8,
                 epsilon_1: float = 1e-30, epsilon_2: float = 1e-3,
                 clip_threshold: float = 1.0, relative_step: bool = True,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        who = self._who()
        self.beta_2_decay = check_number(who, "beta_2_decay", beta_2_decay)
        self.epsilon_1 = check_number(who, "epsilon_1", epsilon_1, 0.0)
        self.epsilon_2 = check_number(who, "epsilon_2", epsilon_2, 0.0)
        self.clip_threshold = check_number(who, "clip_threshold", clip_threshold, 0.0,
                                           low_open=True)
        self.relative_step = check_bool(who, "relative_step", relative_step)

    def build(self, var_list: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(var_list)
        # Keras's order and names: per variable, its factors r and c (named like the
        # variable, 2+ dimensions only), then its `<name>_velocity`.
        self._r: list[Variable | None] = []
        self._c: list[Variable | None] = []
        self._v: list[Variable] = []
        xp = backend.xp()
        for variable in var_list:
            shape = variable.shape
            if len(shape) >= 2:
                name = variable.name.replace("/", "_").replace(":", "_")
                dtype = variable.data.dtype
                for factors, factor_shape in ((self._r, shape[:-1]),
                                              (self._c, shape[:-2] + shape[-1:])):
                    slot = Variable(xp.zeros(factor_shape, dtype=dtype), trainable=False,
                                    name=name)
                    self._variables.append(slot)
                    factors.append(slot)
            else:
                self._r.append(None)
                self._c.append(None)
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def update_step(self, gradient: Any, variable: Variable, learning_rate: float) -> None:
        # No fused kernel: a few elementwise passes and reductions with the backend's array
        # module, updating w and the slots in place. rms(w) and rms(u) stay on the device.
        xp = backend.xp()
        t = self.local_step
        index = self._get_variable_index(variable)
        lr = learning_rate
        if not callable(self._learning_rate) and self.relative_step:
            lr = min(lr, 1.0 / math.sqrt(t))
        rho = min(lr, 1.0 / math.sqrt(t))
        w = variable.data
        alpha = xp.maximum(self.epsilon_2, _rms(xp, w)) * rho
        g2 = gradient * gradient
        g2 += self.epsilon_1
        beta_2_t = 1.0 - float(t) ** self.beta_2_decay
        v = self._v[index].data
        r_slot, c_slot = self._r[index], self._c[index]
        if r_slot is not None and c_slot is not None:
            r, c = r_slot.data, c_slot.data
            r *= beta_2_t
            r += (1.0 - beta_2_t) * xp.mean(g2, axis=-1)
            c *= beta_2_t
            c += (1.0 - beta_2_t) * xp.mean(g2, axis=-2)
            xp.multiply((r / xp.mean(r, axis=-1, keepdims=True))[..., None],
                        c[..., None, :], out=v)
        else:
            v *= beta_2_t
            g2 *= 1.0 - beta_2_t
            v += g2
        u = xp.sqrt(v)
        xp.divide(gradient, u, out=u)
        u /= xp.maximum(1.0, _rms(xp, u) / self.clip_threshold)
        u *= alpha
        w -= u

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}


def _rms(xp: Any, x: Any) -> Any:
    """``sqrt(mean(x**2))`` over all elements, as a 0-d array on x's device."""
    return xp.sqrt(xp.mean(xp.square(x)))
