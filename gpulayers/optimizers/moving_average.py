"""MovingAverage: Keras 3's ``use_ema`` for the optimizers (mixed into Optimizer).

With ``use_ema=True`` the optimizer keeps an ``average`` slot for each variable it was built
with (Keras's names and order: right after ``iterations``, before the gradient accumulators
and the algorithm's slots), updated at the end of every ``apply``, after the update step and
before the constraints and the count of ``iterations``, as Keras does::

    momentum = 0 if iterations == 0 else ema_momentum    # the first step copies the weights
    average = momentum * average + (1 - momentum) * variable

``iterations`` is the optimizer's (with ``gradient_accumulation_steps`` the number of updates
applied, so the averages also move on the steps that only accumulate, as in Keras). With
``ema_overwrite_frequency=n`` the variables are overwritten by their averages whenever
``(iterations + 1) % n == 0``; otherwise ``finalize_variable_values`` does it once, at the
end of ``fit``. :class:`~gpulayers.callbacks.SwapEMAWeights` evaluates with the averages.
"""

from __future__ import annotations

from collections.abc import Sequence

from gpulayers.autodiff import Variable

__all__ = ["MovingAverage"]


class MovingAverage:
    """The ``use_ema`` part of :class:`~gpulayers.optimizers.Optimizer` (mixed into it).

    Expects ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``, ``built``,
    ``_trainable_variables``, ``add_optimizer_variables`` and ``_who()`` from the optimizer.
    """

    use_ema: bool
    ema_momentum: float
    ema_overwrite_frequency: int | None
    built: bool
    _trainable_variables: list[Variable]
    # Keras's attribute name: SwapEMAWeights (ours and Keras's) reads it.
    _model_variables_moving_average: list[Variable]

    def _build_moving_average(self, var_list: Sequence[Variable]) -> None:
        self._model_variables_moving_average = (
            self.add_optimizer_variables(var_list, "average")  # type: ignore[attr-defined]
            if self.use_ema else [])

    def _update_moving_average(self, updates_applied: int) -> None:
        """Move the averages towards the variables (``updates_applied``: ``iterations``
        before this step counts), then overwrite the variables when it is time."""
        if not self.use_ema:
            return
        for variable, average in zip(self._trainable_variables,
                                     self._model_variables_moving_average):
            moving = average.data
            # The factors in the variable's dtype, as Keras casts them: 1 - momentum is
            # rounded there too (float32(1) - float32(0.99), not float32(1 - 0.99)).
            scalar = moving.dtype.type
            momentum = scalar(self.ema_momentum if updates_applied else 0.0)
            moving *= momentum
            moving += (scalar(1.0) - momentum) * variable.data
        frequency = self.ema_overwrite_frequency
        if frequency and (updates_applied + 1) % frequency == 0:
            self._overwrite_model_variables_with_average_value(self._trainable_variables)

    def _overwrite_model_variables_with_average_value(self, var_list: Sequence[Variable]
                                                      ) -> None:
        var_list = list(var_list)
        averages = self._model_variables_moving_average
        if len(var_list) != len(averages):
            raise ValueError(
                f"{self._who()}: cannot overwrite {len(var_list)} model variables with the "
                f"{len(averages)} moving averages this optimizer keeps; pass the variables it "
                "was built with (model.trainable_weights).")
        for variable, average in zip(var_list, averages):
            variable.assign(average.data)

    def finalize_variable_values(self, var_list: Sequence[Variable]) -> None:
        """End of training: with ``use_ema``, set ``var_list`` (the variables the optimizer
        was built with, in the same order) to their moving averages; otherwise nothing.

        ``fit`` calls it after the last epoch, as Keras does; call it yourself at the end of
        a custom training loop.

        Example::

            optimizer = SGD(0.1, use_ema=True)
            ...  # training steps
            optimizer.finalize_variable_values(model.trainable_weights)
        """
        if self.use_ema and self.built:
            self._overwrite_model_variables_with_average_value(var_list)

    def _who(self) -> str:
        raise NotImplementedError
