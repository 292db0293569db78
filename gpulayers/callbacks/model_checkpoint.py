"""ModelCheckpoint: save the model (or its weights) every epoch, every N batches, or when best.

``filepath`` may hold ``str.format`` fields filled from the epoch number (1-based, as Keras
shows it), the batch number (1-based, when saving by batches) and the logs::

    ModelCheckpoint("ckpt/{epoch:02d}-{val_loss:.2f}.keras")   # ckpt/03-0.41.keras

Saving is done by ``model.save(path)`` or ``model.save_weights(path)``; this callback only
decides when and where (creating the folder), so the file format and the atomic write are the
model's. With ``save_best_only`` the file is written only when ``monitor`` improved on the best
value so far (direction from ``mode``, see :mod:`gpulayers.callbacks.monitor_callback`); if
``monitor`` is missing from the logs it warns and saves anyway, as Keras does.

Example::

    checkpoint = ModelCheckpoint("best.weights.h5", monitor="val_accuracy",
                                 save_best_only=True, save_weights_only=True)
    model.fit(x, y, validation_split=0.2, epochs=20, callbacks=[checkpoint])
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from gpulayers.callbacks.argument_checks import (
    check_bool,
    check_number,
    check_verbose,
    invalid_argument,
)
from gpulayers.callbacks.callback import print_msg
from gpulayers.callbacks.monitor_callback import MonitorCallback

__all__ = ["ModelCheckpoint"]

# The files model.save_weights writes (gpulayers.saving.WEIGHTS_SUFFIXES); model.save: .keras.
_WEIGHTS_SUFFIXES = (".weights.h5", ".weights.npz")


class ModelCheckpoint(MonitorCallback):
    """Callback saving the model or its weights during ``fit`` (``keras.callbacks``' API).

    Args:
        filepath: path (str or PathLike) to save to; may contain ``{epoch}``, ``{batch}`` and
            logs-key format fields (``'{epoch:02d}-{val_loss:.2f}.keras'``). It must end in
            ``.keras``, or with ``save_weights_only`` in ``.weights.h5`` or ``.weights.npz``
            (ValueError otherwise, as in Keras 3).
        monitor: logs key judged by ``save_best_only``.
        verbose: 0 silent, 1 prints a line per save decision.
        save_best_only: save only when ``monitor`` improves; without format fields in
            ``filepath`` the one file is overwritten by each better model.
        save_weights_only: call ``model.save_weights(path)`` instead of ``model.save(path)``.
        mode: ``'auto'``, ``'min'`` or ``'max'``: whether a lower or higher ``monitor`` is
            better (auto: ``acc``/``auc``/``precision``/``recall`` names are maximized, others
            minimized).
        save_freq: ``'epoch'`` (after each epoch) or a positive int: after every that many
            training batches (counted across epochs), judged on the running batch logs.
        initial_value_threshold: starting "best" value for ``save_best_only``: a model is saved
            only once it beats it.

    Attributes:
        best: the best monitored value so far (None before the first).

    Example::

        ModelCheckpoint("ckpt/model-{epoch:02d}.keras", save_freq=100)  # every 100 batches
    """

    def __init__(self, filepath: str | os.PathLike[str], monitor: str = "val_loss",
                 verbose: int = 0, save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: str | int = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        caller = "ModelCheckpoint"
        check_number(initial_value_threshold, "initial_value_threshold", caller,
                     allow_none=True)
        super().__init__(monitor, mode, baseline=initial_value_threshold)
        if not isinstance(filepath, (str, os.PathLike)) or not os.fspath(filepath):
            raise invalid_argument(caller, "filepath", "a non-empty path (str or PathLike)",
                                   filepath)
        self.filepath = os.fspath(filepath)
        if isinstance(self.filepath, bytes):
            self.filepath = os.fsdecode(self.filepath)
        self.verbose = check_verbose(verbose, caller)
        self.save_best_only = check_bool(save_best_only, "save_best_only", caller)
        self.save_weights_only = check_bool(save_weights_only, "save_weights_only", caller)
        # Keras 3 checks the extension here, so a wrong one fails before training, not at the
        # first save (model.save / save_weights would refuse it then).
        suffixes = _WEIGHTS_SUFFIXES if self.save_weights_only else (".keras",)
        if not self.filepath.endswith(suffixes):
            raise invalid_argument(caller, "filepath", f"a path ending in {' or '.join(suffixes)}"
                                   f" (save_weights_only={self.save_weights_only})",
                                   self.filepath)
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise invalid_argument(caller, "save_freq", "'epoch' or a positive integer (a number "
                                   "of batches)", save_freq)
        self.save_freq = save_freq
        self._batches_since_save = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        # The batch index restarts at 0 each epoch; the count of batches since the last save
        # carries over epochs, as in Keras.
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_since_save += added
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            return True
        return False

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError, ValueError) as error:
            raise KeyError(f'ModelCheckpoint: failed to format the filepath "{self.filepath}" '
                           f"with epoch, batch and the logs keys {sorted(logs)}. Reason: "
                           f"{error!r}") from error

    def _should_save_model(self, epoch: int, logs: dict[str, Any], filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"Epoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ModelCheckpoint: can save best model only with {self.monitor} "
                          f"available; saving anyway. Available metrics are: "
                          f"{','.join(logs)}", stacklevel=4)
            return True
        current = float(current)
        best_text = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(f"Epoch {epoch + 1}: {self.monitor} improved from {best_text} to "
                          f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: {self.monitor} did not improve from {best_text}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: dict[str, Any] | None) -> None:
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise OSError("ModelCheckpoint: the filepath is an existing directory; give a file "
                          f"path instead. Received: filepath={filepath!r}")
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: finished saving model to {filepath}")
