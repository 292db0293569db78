"""ReduceLROnPlateau: multiply the learning rate by ``factor`` when a metric stops improving.

At each epoch end: during a cooldown the counter ticks down and the wait is held at 0; an
improvement (by more than ``min_delta``) becomes the new best and resets the wait; otherwise,
outside a cooldown, the wait grows and when it reaches ``patience`` the rate becomes
``max(lr * factor, min_lr)`` (if it is still above ``min_lr``), the wait resets and a cooldown
of ``cooldown`` epochs starts. The current rate is added to the epoch logs as
``'learning_rate'`` (so History and CSVLogger record it), as Keras 3 does.

Example::

    reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=1e-4)
    model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[reduce_lr])
"""

from __future__ import annotations

import struct
from typing import Any

from gpulayers.callbacks.argument_checks import check_int, check_number, check_verbose
from gpulayers.callbacks.callback import print_msg
from gpulayers.callbacks.monitor_callback import MonitorCallback

__all__ = ["ReduceLROnPlateau"]


def _as_float32(value: float) -> float:
    # An optimizer may keep its rate as float32: once the rate is clamped to min_lr it can read
    # back a hair above min_lr (1e-3 -> 0.0010000000475). Comparing in float32, as Keras does,
    # keeps that from counting as "still above min_lr" and reducing (and cooling down) forever.
    return struct.unpack("f", struct.pack("f", value))[0]


class ReduceLROnPlateau(MonitorCallback):
    """Callback lowering ``model.optimizer.learning_rate`` on a plateau of ``monitor``.

    Args:
        monitor: logs key to watch.
        factor: the rate is multiplied by this; must be in [0, 1).
        patience: epochs without improvement before a reduction.
        verbose: 0 silent, 1 prints each reduction.
        mode: ``'auto'``, ``'min'`` or ``'max'``: whether lower or higher is better.
        min_delta: an improvement must exceed this (absolute) change.
        cooldown: epochs after a reduction during which the wait does not grow.
        min_lr: the rate is never set below this.

    Example::

        ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=2, cooldown=1)
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        caller = "ReduceLROnPlateau"
        factor = check_number(factor, "factor", caller, minimum=0.0)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0: expected a "
                             f"number in [0, 1). Received: factor={factor!r}")
        self.factor = factor
        self.patience = check_int(patience, "patience", caller)
        self.verbose = check_verbose(verbose, caller)
        self.cooldown = check_int(cooldown, "cooldown", caller)
        self.min_lr = check_number(min_lr, "min_lr", caller, minimum=0.0)
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._reset()

    def in_cooldown(self) -> bool:
        """Whether a reduction happened less than ``cooldown`` epochs ago."""
        return self.cooldown_counter > 0

    def _missing_monitor_message(self, logs: dict[str, Any]) -> str:
        return (f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}.")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(optimizer, epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, optimizer: Any, epoch: int) -> bool:
        old_lr = float(optimizer.learning_rate)
        if old_lr <= _as_float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                      f"{new_lr}.")
        return True
