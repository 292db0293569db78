"""Optimizer: the base class of every optimizer (Keras 3's ``BaseOptimizer`` semantics).

One ``apply_gradients`` step, in Keras's order:

1. drop the pairs whose gradient is None (warning which variables had none);
2. on the first step, ``build`` the slot variables (momentums...) for the variables given;
3. divide the gradients by ``loss_scale_factor`` (when set); with
   ``gradient_accumulation_steps=n``, add them to the accumulators and stop here (go to 7)
   except on every n-th call, which goes on with their mean (see ``gradient_accumulation``);
4. clip the gradients (``clipvalue`` elementwise, ``clipnorm`` per gradient or
   ``global_clipnorm`` over all of them; at most one of the three);
5. decoupled weight decay: ``var -= var * weight_decay * learning_rate`` for each variable not
   excluded with :meth:`Optimizer.exclude_from_weight_decay`;
6. the algorithm's update of every variable (one fused launch for all of them on CuPy);
7. with ``use_ema``, the moving averages follow the variables (see ``moving_average``);
8. ``variable.constraint`` (when set) projects each updated variable;
9. ``iterations += 1``.

The learning rate (a float, a schedule evaluated at ``iterations``, or a zero-argument
callable) and every per-step scalar (bias corrections...) are Python floats computed on the
host, and the step count is mirrored on the host, so a step never waits for the GPU.

Steps update each variable's array (and its slots) in place, in one fused pass over all
variables (one kernel launch on CuPy, as PyTorch's ``fused=True`` optimizers do: each
built-in's ``_parallel_update_step``). An array taken from ``variable.data`` before a step
sees the new values; ``variable.numpy()`` and ``get_weights()`` are copies and do not.

Writing an optimizer: override ``build`` (create slots with ``add_optimizer_variables``),
``update_step(gradient, variable, learning_rate)`` (``gradient`` is a backend array of the
variable's dtype, ``learning_rate`` a float) and ``get_config``. (Overriding
``_parallel_update_step(gradients, variables, learning_rate)`` as well lets one call update
every variable.)::

    class SignSGD(Optimizer):
        def __init__(self, learning_rate=0.01, **kwargs):
            super().__init__(learning_rate, **kwargs)

        def update_step(self, gradient, variable, learning_rate):
            variable.assign(variable.data - learning_rate * backend.xp().sign(gradient))
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, Variable
from gpulayers.initializers.object_catalog import to_snake_case
from gpulayers.optimizers import gradient_clipping
from gpulayers.optimizers.argument_checks import check_keras_extras, check_optional_number
from gpulayers.optimizers.deferred_updates import deferrable
from gpulayers.optimizers.gradient_accumulation import GradientAccumulation
from gpulayers.optimizers.moving_average import MovingAverage
from gpulayers.optimizers.optimizer_variables import OptimizerVariables
from gpulayers.optimizers.schedules import LearningRateSchedule
from gpulayers.optimizers.schedules import deserialize as deserialize_schedule
from gpulayers.optimizers.schedules import serialize as serialize_schedule
from gpulayers.optimizers.weight_decay import WeightDecay

__all__ = ["Optimizer"]

_name_counts: dict[str, int] = {}


def _unique_name(base: str) -> str:
    """``adam``, then ``adam_1``, ``adam_2``... as Keras names optimizers."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


class Optimizer(MovingAverage, GradientAccumulation, WeightDecay, OptimizerVariables):
    """Base class of the optimizers. See the module docstring for the step and subclassing.

    Args:
        learning_rate: a float >= 0, a :class:`LearningRateSchedule` (called with
            ``iterations``) or a zero-argument callable returning the rate.
        weight_decay: decoupled weight decay factor, or None for none.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global L2 norm.
        name: the optimizer's name (default: snake_case class name, numbered).
        use_ema: keep an exponential moving average of the variables (default False).
        ema_momentum: the average's momentum, in [0, 1] (default 0.99; read with use_ema).
        ema_overwrite_frequency: overwrite the variables with their averages every this many
            updates (default None: once, in ``finalize_variable_values`` at the end of fit).
        loss_scale_factor: a number > 0: :meth:`scale_loss` multiplies the loss by it and
            ``apply`` divides the gradients by it (default None).
        gradient_accumulation_steps: an int >= 2: update every this many calls with the
            mean gradient of those calls (default None).
        **kwargs: ``decay`` (removed in Keras 3) warns and is ignored.

    Example::

        optimizer = SGD(learning_rate=0.1)
        with GradientTape() as tape:
            loss = ops.mean((ops.matmul(x, w) - y) ** 2)
        optimizer.apply_gradients([(tape.gradient(loss, w), w)])
    """

    _subclasses: dict[str, type] = {}
    _updates_in_parallel = True  # see _parallel_step_applies

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Optimizer._subclasses[cls.__name__] = cls
        if "apply" in cls.__dict__:  # a graph step takes every apply out of its graph
            cls.apply = deferrable(cls.__dict__["apply"])
        cls._updates_in_parallel = _parallel_step_applies(cls)

    def __init__(self, learning_rate: Any, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        if name is not None and not isinstance(name, str):
            raise ValueError(f"{type(self).__name__}: `name` must be a string. "
                             f"Received: name={name!r}")
        self.name = name if name is not None else _unique_name(to_snake_case(
            type(self).__name__))
        who = self._who()
        extras = check_keras_extras(who, kwargs)
        self.use_ema: bool = extras["use_ema"]
        self.ema_momentum: float = extras["ema_momentum"]
        self.ema_overwrite_frequency: int | None = extras["ema_overwrite_frequency"]
        self.loss_scale_factor: float | None = extras["loss_scale_factor"]
        self.gradient_accumulation_steps: int | None = extras["gradient_accumulation_steps"]
        self.weight_decay = check_optional_number(who, "weight_decay", weight_decay)
        self.clipnorm = check_optional_number(who, "clipnorm", clipnorm)
        self.clipvalue = check_optional_number(who, "clipvalue", clipvalue)
        self.global_clipnorm = check_optional_number(who, "global_clipnorm", global_clipnorm)
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"{who}: only one of `clipnorm`, `clipvalue` and "
                             f"`global_clipnorm` can be set. Received: clipnorm={clipnorm!r}, "
                             f"clipvalue={clipvalue!r}, global_clipnorm={global_clipnorm!r}")
        self._learning_rate = _checked_learning_rate(who, learning_rate)
        self._iterations = Variable(0, dtype="int64", trainable=False, name="iteration")
        # Host copy of iterations and the array it was read from: reading the device value
        # each step would make every step wait for the GPU. A restore or a user's assign
        # replaces the Variable's array, which is how _step() knows to read it again.
        self._host_step = 0
        self._host_step_source = self._iterations.data
        self._variables: list[Variable] = [self._iterations]
        self._trainable_variables: list[Variable] = []
        self._variable_index: dict[int, int] = {}
        self.built = False

    def _who(self) -> str:
        """How errors name this optimizer: ``Adam 'adam'``."""
        return f"{type(self).__name__} '{self.name}'"

    # -- learning rate and step ------------------------------------------------------------
    @property
    def iterations(self) -> Tensor:
        """The number of steps applied: a non-trainable int64 Variable (0 before the first).

        With ``gradient_accumulation_steps=n``, as in Keras, the updates applied: a Tensor
        holding ``calls // n`` (``variables[0]`` counts the calls).
        """
        steps = self.gradient_accumulation_steps
        return Tensor(self._iterations.data // steps) if steps else self._iterations

    def _step(self) -> int:
        """``iterations`` as a Python int, read from the device only after an outside assign."""
        source = self._iterations.data
        if source is not self._host_step_source:
            self._host_step = int(self._iterations.item())
            self._host_step_source = source
        return self._host_step

    @property
    def local_step(self) -> int:
        """The number of the step being applied, counting from 1 (``iterations + 1``)."""
        return self._updates_applied(self._step()) + 1

    @property
    def learning_rate(self) -> float:
        """The current learning rate as a float (a schedule is evaluated at ``iterations``).

        Set it to a float (TypeError if the optimizer was built with a schedule, as in
        Keras), to a schedule or to a zero-argument callable.
        """
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            return float(rate(self._step()))
        if callable(rate):
            return float(rate())
        return rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if not callable(value) and isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                f"{self._who()}: this optimizer was created with a LearningRateSchedule as its "
                "`learning_rate`, so its learning rate is not settable to a number. Create the "
                "optimizer with a float `learning_rate` to set it (or assign another "
                f"schedule). Received: learning_rate={value!r}")
        self._learning_rate = _checked_learning_rate(self._who(), value)

    # -- variables -------------------------------------------------------------------------
    def build(self, var_list: Sequence[Variable]) -> None:
        """Get ready to update ``var_list`` (subclasses create their slot variables here).

        Called by the first :meth:`apply_gradients`; call it yourself before
        :meth:`assign_variables` to restore a saved state into a fresh optimizer.
        """
        var_list = list(var_list)
        for variable in var_list:
            if not isinstance(variable, Variable):
                raise TypeError(f"{self._who()}: can only update gpulayers Variables. "
                                f"Received: {variable!r}")
        # Keras's slot order: the averages, the accumulators, then the subclass's slots.
        self._build_moving_average(var_list)
        self._build_gradient_accumulators(var_list)
        self._trainable_variables = var_list
        self._variable_index = {id(v): i for i, v in reversed(list(enumerate(var_list)))}
        self.built = True

    # -- the step --------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> Variable:
        """Apply one step of gradients: pairs of (gradient or None, Variable).

        Gradients may be Tensors or arrays of the variable's shape. Returns ``iterations``.
        """
        pairs = list(grads_and_vars)
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"{self._who()}: apply_gradients expects (gradient, variable) "
                                 f"pairs. Received an element {pair!r}")
        if pairs:
            grads, variables = zip(*pairs)
            self.apply(list(grads), list(variables))
        return self._iterations

    @deferrable
    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Variable] | None = None
              ) -> None:
        """Apply one step: ``grads[i]`` (or None) updates ``trainable_variables[i]``.

        Without ``trainable_variables`` the gradients follow the list the optimizer was
        built with.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{self._who()}: pass `trainable_variables` with the first "
                                 "gradients (or call optimizer.build(trainable_variables)).")
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
            self._check_known(variables)
        if len(grads) != len(variables):
            raise ValueError(f"{self._who()}: received {len(grads)} gradients for "
                             f"{len(variables)} variables.")
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError(f"{self._who()}: no gradients provided for any variable "
                             f"(all were None): {[v.name for v in variables]}")
        if len(kept) < len(variables):
            missing = [v.name for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"{self._who()}: gradients do not exist for variables {missing}; "
                          "they are not updated.", stacklevel=2)
        variables = [v for _, v in kept]
        arrays = [self._gradient_array(g, v) for g, v in kept]
        if self.loss_scale_factor is not None:
            arrays = [array / self.loss_scale_factor for array in arrays]
        calls = self._step()  # take in any outside assign before counting on from it
        averaged = self._accumulate(calls, arrays, variables)
        if averaged is not None:
            self._update(self._clip(averaged), variables)
        self._update_moving_average(self._updates_applied(calls))
        for variable in variables:
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable))
        # `data + 1` takes a Python scalar: no host-to-device copy, no wait for the GPU.
        self._iterations.assign(self._iterations.data + 1)
        self._host_step = calls + 1
        self._host_step_source = self._iterations.data

    def _update(self, arrays: list[Any], variables: list[Variable]) -> None:
        """Weight decay and the update step of the variables, with clipped gradients."""
        learning_rate = self.learning_rate
        self._apply_weight_decay(variables, learning_rate)
        if self._updates_in_parallel:
            self._parallel_update_step(arrays, variables, learning_rate)
            return
        for gradient, variable in zip(arrays, variables):
            self.update_step(gradient, variable, learning_rate)

    def scale_loss(self, loss: Any) -> Any:
        """The loss to differentiate: ``loss * loss_scale_factor`` when set, else ``loss``
        (training steps call this, as Keras 3's do; :meth:`apply` divides the gradients)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def update_step(self, gradient: Any, variable: Variable, learning_rate: float) -> None:
        """The algorithm: update ``variable`` (and its slots) from ``gradient`` (a backend
        array of the variable's dtype, already clipped) at ``learning_rate`` (a float)."""
        if type(self)._parallel_update_step is Optimizer._parallel_update_step:
            raise NotImplementedError(f"{type(self).__name__} must implement "
                                      "update_step(self, gradient, variable, learning_rate)")
        self._parallel_update_step([gradient], [variable], learning_rate)

    def _parallel_update_step(self, gradients: list[Any], variables: list[Variable],
                              learning_rate: float) -> None:
        """:meth:`update_step` for every variable at once. The built-in optimizers run it as
        one fused launch for all variables (on CuPy); this default calls ``update_step`` for
        each. A subclass that overrides only ``update_step`` gets that loop."""
        for gradient, variable in zip(gradients, variables):
            self.update_step(gradient, variable, learning_rate)

    def _check_known(self, variables: Sequence[Any]) -> None:
        for variable in variables:
            if id(variable) not in self._variable_index:
                name = getattr(variable, "name", variable)
                raise ValueError(
                    f"{self._who()}: unknown variable {name!r}. An optimizer only updates the "
                    "variables it was built with (its first step); create a new optimizer "
                    "for a new set of variables.")

    def _gradient_array(self, gradient: Any, variable: Variable) -> Any:
        array = gradient.data if isinstance(gradient, Tensor) else backend.to_device(gradient)
        if tuple(array.shape) != variable.shape:
            raise ValueError(f"{self._who()}: the gradient for variable {variable.name!r} has "
                             f"shape {tuple(array.shape)}, expected {variable.shape}")
        dtype = variable.data.dtype
        return array if array.dtype == dtype else array.astype(dtype)

    def _clip(self, arrays: list[Any]) -> list[Any]:
        if self.clipnorm:
            return gradient_clipping.clip_by_norm(arrays, self.clipnorm)
        if self.global_clipnorm:
            return gradient_clipping.clip_by_global_norm(arrays, self.global_clipnorm)
        if self.clipvalue:
            return gradient_clipping.clip_by_value(arrays, self.clipvalue)
        return arrays

    # -- config ----------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, with Keras 3's keys (a schedule as its config dict)."""
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            rate = serialize_schedule(rate)
        return {"name": self.name, "learning_rate": rate, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Optimizer:
        """Create an optimizer from :meth:`get_config`'s dict (or Keras 3's)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_schedule(config["learning_rate"],
                                                           custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self._learning_rate!r}>"


def _parallel_step_applies(cls: type) -> bool:
    """Whether ``cls``'s ``_parallel_update_step`` runs its algorithm: false when a class
    below the one defining it overrides ``update_step`` alone (a user's subclass of Adam that
    changes ``update_step`` must have its method called)."""
    for klass in cls.__mro__:
        if "_parallel_update_step" in vars(klass):
            return True
        if "update_step" in vars(klass):
            return False
    return False


def _checked_learning_rate(who: str, value: Any) -> float | Callable[..., Any]:
    if isinstance(value, Tensor) and value.ndim == 0:
        value = value.item()
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if callable(value):  # a LearningRateSchedule or a zero-argument function
        return value
    raise ValueError(f"{who}: `learning_rate` must be a float >= 0, a LearningRateSchedule or "
                     f"a callable returning the rate. Received: learning_rate={value!r}")
