"""LossScaleOptimizer: dynamic loss scaling for float16 training (Keras 3's algorithm).

Why: float16 gradients below about 6e-8 round to zero. The loss is multiplied by a large
scale before the backward pass, so the gradients are scaled too, and divided by it again
before the inner optimizer sees them. When a step's gradients overflow (inf or NaN), that
step is skipped and the scale halved; after ``dynamic_growth_steps`` good steps in a row it
is doubled. Deciding to skip needs the finiteness flag on the host: one small read per step
(with the step counter).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, Variable
from gpulayers.optimizers.optimizer import Optimizer

__all__ = ["LossScaleOptimizer"]

# Base-optimizer arguments Keras 3 still accepts in configs, at their default values only.
_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                  "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                  "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Wrap ``inner_optimizer`` with dynamic loss scaling (see the module docstring).

    ``model.compile`` wraps the optimizer in one automatically when the model's dtype policy
    is ``"mixed_float16"``.

    Args:
        inner_optimizer: the Optimizer that applies the (unscaled) gradients.
        initial_scale: the first loss scale (default ``2**15``).
        dynamic_growth_steps: good steps in a row before the scale doubles (default 2000).
        name: the optimizer's name.

    Example::

        optimizer = LossScaleOptimizer(Adam(1e-3))
        with GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
            scaled = optimizer.scale_loss(loss)
        optimizer.apply(tape.gradient(scaled, model.trainable_weights),
                        model.trainable_weights)
    """

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0**15,
                 dynamic_growth_steps: int = 2000, name: str | None = None,
                 **kwargs: Any) -> None:
        who = f"LossScaleOptimizer '{name or 'loss_scale_optimizer'}'"
        _refuse_base_arguments(who, kwargs)
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(f"{who}: `inner_optimizer` must be an Optimizer. Received: "
                            f"{inner_optimizer!r}")
        if not float(initial_scale) > 0:
            raise ValueError(f"{who}: `initial_scale` must be positive. Received: "
                             f"initial_scale={initial_scale!r}")
        if isinstance(dynamic_growth_steps, bool) or int(dynamic_growth_steps) < 1:
            raise ValueError(f"{who}: `dynamic_growth_steps` must be a positive int. "
                             f"Received: dynamic_growth_steps={dynamic_growth_steps!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        self.step_counter: Variable | None = None
        self.dynamic_scale: Variable | None = None

    def build(self, var_list: Sequence[Variable]) -> None:
        self.step_counter = Variable(0, dtype="int64", trainable=False, name="step_counter")
        self.dynamic_scale = Variable(self.initial_scale, dtype="float32", trainable=False,
                                      name="dynamic_scale")
        self._variables = [self._iterations, self.step_counter, self.dynamic_scale]
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self) -> list[Variable]:
        """Its own state (iterations, step_counter, dynamic_scale), then the inner one's."""
        return list(self._variables) + self.inner_optimizer.variables

    def assign_variables(self, values: Sequence[Any]) -> None:
        values = list(values)
        own = len(self._variables)
        if len(values) < own:
            super().assign_variables(values)  # raises, naming the expected count
        super().assign_variables(values[:own])
        self.inner_optimizer.assign_variables(values[own:])

    @property
    def iterations(self) -> Variable:
        """The inner optimizer's step count (skipped steps do not count)."""
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self) -> float:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self.inner_optimizer.learning_rate = value

    def finalize_variable_values(self, var_list: Sequence[Variable]) -> None:
        """The inner optimizer's end-of-training step (its EMA weights, if any)."""
        self.inner_optimizer.finalize_variable_values(var_list)

    def scale_loss(self, loss: Any) -> Any:
        """``loss * scale``: differentiate this, then pass the gradients to :meth:`apply`."""
        scale = self.dynamic_scale if self.dynamic_scale is not None else self.initial_scale
        return loss * scale

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Variable] | None = None
              ) -> None:
        """Unscale ``grads`` and apply them with the inner optimizer if all are finite;
        otherwise skip the step and halve the scale."""
        grads = list(grads)
        if not self.built:
            if trainable_variables is None:
                raise ValueError(f"{self._who()}: pass `trainable_variables` with the first "
                                 "gradients (or call optimizer.build(trainable_variables)).")
            self.build(trainable_variables)
        arrays = [None if g is None else g.data if isinstance(g, Tensor) else
                  backend.to_device(g) for g in grads]
        finite, counter = _finite_and_counter([a for a in arrays if a is not None],
                                              self.step_counter.data)
        if not finite:
            self.step_counter.assign(0)
            self.dynamic_scale.assign(self.dynamic_scale.data * 0.5)
            return
        scale = self.dynamic_scale.data
        unscaled = [None if a is None else Tensor(a / scale.astype(a.dtype)) for a in arrays]
        self.inner_optimizer.apply(unscaled, trainable_variables)
        if counter == self.dynamic_growth_steps - 1:
            self.step_counter.assign(0)
            self.dynamic_scale.assign(self.dynamic_scale.data * 2.0)
        else:
            self.step_counter.assign(self.step_counter.data + 1)

    def get_config(self) -> dict[str, Any]:
        from gpulayers.optimizers import serialize

        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> LossScaleOptimizer:
        from gpulayers.optimizers import deserialize

        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)


def _refuse_base_arguments(who: str, kwargs: dict[str, Any]) -> None:
    if not kwargs.pop("dynamic", True):
        raise ValueError(f"{who}: `dynamic=False` is not supported (Keras 3 dropped it); "
                         "leave the scale dynamic")
    for name, default in _BASE_DEFAULTS.items():
        if name in kwargs and kwargs.pop(name) != default:
            raise ValueError(f"{who}: `{name}` is not supported here; set it on the "
                             "inner optimizer")
    if kwargs:
        raise ValueError(f"{who}: unsupported arguments {sorted(kwargs)}")


def _finite_and_counter(arrays: list[Any], counter: Any) -> tuple[bool, int]:
    """Whether every array is free of inf and NaN, and the step counter's value: read
    together in one device-to-host copy (the step's only wait for the GPU)."""
    xp = backend.xp()
    finite = [xp.isfinite(a).all().astype(xp.int64) for a in arrays]
    flags = xp.stack([xp.asarray(counter, dtype=xp.int64).reshape(()), *finite])
    values = [int(v) for v in backend.to_numpy(flags)]
    return all(values[1:]), values[0]
