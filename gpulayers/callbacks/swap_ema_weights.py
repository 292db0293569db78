"""SwapEMAWeights: evaluate and predict with the optimizer's EMA weights (Keras 3.15's callback).

With an optimizer built with ``use_ema=True``, the optimizer keeps an exponential moving
average of every trainable variable ("Polyak averaging"). This callback swaps the model's
weights with those averages before evaluation (fit's validation included) and prediction,
and swaps them back afterwards, so metrics are those of the averaged model while training
goes on with the raw weights.

Example::

    model.compile(optimizer=SGD(0.1, use_ema=True), loss="mse")
    model.fit(x, y, validation_data=(x_val, y_val), callbacks=[SwapEMAWeights()])
    # checkpoints of the EMA weights: swap at each epoch end, checkpoint after it
    model.fit(x, y, callbacks=[SwapEMAWeights(swap_on_epoch=True), ModelCheckpoint(path)])
"""

from __future__ import annotations

from typing import Any

from gpulayers.callbacks.argument_checks import check_bool
from gpulayers.callbacks.callback import Callback

__all__ = ["SwapEMAWeights"]


class SwapEMAWeights(Callback):
    """Swap the model's weights with the optimizer's EMA weights around evaluation/prediction.

    Args:
        swap_on_epoch: also put the EMA weights in the model at each epoch's end (so later
            callbacks such as ModelCheckpoint see them) and the raw weights back at the next
            epoch's start. Default False.

    The model's optimizer (or a LossScaleOptimizer's inner optimizer) must have
    ``use_ema=True``; otherwise the first swap raises ValueError.

    Example::

        model.fit(x, y, validation_split=0.2, callbacks=[SwapEMAWeights()])
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = check_bool(swap_on_epoch, "swap_on_epoch", "SwapEMAWeights")
        self._ema_weights_in_model = False

    def _ema_optimizer(self) -> Any:
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
        if not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights must be used with an optimizer that has "
                             "`use_ema=True`. Received: use_ema="
                             f"{getattr(optimizer, 'use_ema', None)!r} on {optimizer!r}")
        return optimizer

    def _swap_variables(self) -> None:
        optimizer = self._ema_optimizer()
        if not optimizer.built:  # nothing trained yet: no averages to swap in
            return
        for variable, average in zip(optimizer._trainable_variables,
                                     optimizer._model_variables_moving_average):
            weights = variable.data
            variable.assign(average.data)
            average.assign(weights)

    def _finalize_ema_values(self) -> None:
        """Copy the EMA weights (now in the model) back into the averages, so that
        ``finalize_variable_values`` at the end of fit puts them in the model again."""
        optimizer = self._ema_optimizer()
        if not optimizer.built:
            return
        for variable, average in zip(optimizer._trainable_variables,
                                     optimizer._model_variables_moving_average):
            average.assign(variable.data)

    def _swap_in(self) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def _swap_out(self) -> None:
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.swap_on_epoch:
            self._swap_out()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_in()
            # fit ends with finalize_variable_values (averages -> model): after the last
            # epoch the averages must hold the EMA weights again, not the raw ones.
            if epoch == (self.params or {}).get("epochs", 0) - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._swap_in()

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        self._swap_out()

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._swap_in()

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        # Keras 3.15 tests `not self._ema_weights_in_model` here, so it never swaps back
        # after predict (the model keeps the EMA weights); we swap back, as documented.
        self._swap_out()
