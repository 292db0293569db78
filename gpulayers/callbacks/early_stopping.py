"""EarlyStopping: stop ``fit`` when a monitored quantity has stopped improving (Keras 3 rules).

At each epoch end (from ``start_from_epoch`` on) the monitored value either improves on the best
so far by more than ``min_delta`` (then the wait restarts, unless a ``baseline`` is set and not
yet beaten) or the wait grows; once ``patience`` epochs have passed without the wait being reset,
``model.stop_training`` is set. Epoch 0 never stops training, as in Keras.

With ``restore_best_weights`` the weights of the best epoch are copied (``model.get_weights()``)
when it happens and put back (``model.set_weights``) when training ends, whether or not training
was stopped early.

Example::

    stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    stop.stopped_epoch   # 0-based epoch at which training stopped (0: it did not)
"""

from __future__ import annotations

from typing import Any

from gpulayers.callbacks.argument_checks import check_bool, check_int, check_verbose
from gpulayers.callbacks.callback import print_msg
from gpulayers.callbacks.monitor_callback import MonitorCallback

__all__ = ["EarlyStopping"]


class EarlyStopping(MonitorCallback):
    """Callback setting ``model.stop_training`` when ``monitor`` stops improving.

    Args:
        monitor: logs key to watch.
        min_delta: an improvement must exceed this (absolute) change.
        patience: epochs without improvement before stopping.
        verbose: 0 silent, 1 prints when it stops and when it restores weights.
        mode: ``'auto'``, ``'min'`` or ``'max'``: whether lower or higher is better.
        baseline: a value the quantity must beat; until it does, improvements do not restart
            the wait, so training stops after ``patience`` epochs.
        restore_best_weights: restore the weights of the best epoch at the end of training.
        start_from_epoch: epochs (0-based count) to ignore before monitoring starts (warm-up).

    Attributes:
        stopped_epoch: the 0-based epoch at which training was stopped, or 0.
        best: the best monitored value; best_epoch: its 0-based epoch.
        wait: epochs since the last reset of the wait.

    Example::

        EarlyStopping(monitor="val_accuracy", patience=5, baseline=0.9)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        super().__init__(monitor, mode, baseline=baseline, min_delta=min_delta)
        caller = "EarlyStopping"
        self.patience = check_int(patience, "patience", caller)
        self.verbose = check_verbose(verbose, caller)
        # The baseline is a threshold, not a starting best (Keras 3): the best starts unset.
        self.baseline = self.best
        self.best = None
        self.restore_best_weights = check_bool(restore_best_weights, "restore_best_weights",
                                               caller)
        self.start_from_epoch = check_int(start_from_epoch, "start_from_epoch", caller)
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights: list[Any] | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # Reset, so one instance can serve several fit() calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def _missing_monitor_message(self, logs: dict[str, Any]) -> str:
        return (f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs)}")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # The first monitored epoch's weights are the best ones seen so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # The wait restarts only when the value also beats the baseline.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg("Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
