"""The Callback base class (``keras.callbacks.Callback``) and the message printer callbacks share.

A callback hooks into ``fit``, ``evaluate`` and ``predict``: the training loop calls its
``on_*`` methods through a :class:`~gpulayers.callbacks.CallbackList`. Every hook here does
nothing, so a subclass overrides only the ones it needs.

Example::

    class StopAtLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (logs or {}).get("loss", 1.0) < 0.01:
                self.model.stop_training = True

    model.fit(x, y, epochs=100, callbacks=[StopAtLoss()])
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm

__all__ = ["Callback", "print_msg"]


def print_msg(message: str) -> None:
    """Print ``message`` on its own line(s) to ``sys.stdout`` without breaking a live bar.

    tqdm.write clears any progress bar drawn on the same stream, prints, and redraws the bar,
    so a ModelCheckpoint or EarlyStopping message does not get glued onto the bar's line.
    ``sys.stdout`` is looked up at call time so pytest's capsys (and redirections) see it.

    Args:
        message: the text; a leading newline is dropped (Keras adds one to step off its bar,
            which tqdm.write already does).

    Example::

        print_msg("Epoch 3: early stopping")
    """
    tqdm.write(message.lstrip("\n"), file=sys.stdout)


class Callback:
    """Base class of callbacks; every hook is a no-op.

    Attributes:
        params: dict of training parameters set by the loop (``verbose``, ``epochs``, ``steps``:
            steps per epoch, or None when unknown), or None before ``set_params``.
        model: the model being trained (set by ``set_model``), or None.

    ``logs`` dicts hold Python floats keyed by metric name (``'loss'``, ``'accuracy'``,
    ``'val_loss'``...). Batch-end logs carry the running averages of the epoch so far, epoch-end
    logs the epoch's results plus ``val_*`` results when validation ran.

    ``on_batch_begin`` / ``on_batch_end`` are the Keras 2 names: the default
    ``on_train_batch_begin`` / ``on_train_batch_end`` call them, so old callbacks still work.

    Example::

        class PrintLoss(Callback):
            def on_epoch_end(self, epoch, logs=None):
                print(epoch, logs["loss"])
    """

    # Class-level defaults: a subclass whose __init__ forgets super().__init__() still works.
    params: dict[str, Any] | None = None
    _model: Any = None

    def __init__(self) -> None:
        self.params = None
        self._model = None

    def set_params(self, params: dict[str, Any] | None) -> None:
        """Store the loop's parameters (``verbose``, ``epochs``, ``steps``)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Store the model this callback acts on."""
        self._model = model

    @property
    def model(self) -> Any:
        """The model being trained, evaluated or run (None before ``set_model``)."""
        return self._model

    # -- Keras 2 aliases of the train-batch hooks ----------------------------------------------
    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Keras 2 alias of :meth:`on_train_batch_begin` (called by its default)."""

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Keras 2 alias of :meth:`on_train_batch_end` (called by its default)."""

    # -- fit --------------------------------------------------------------------------------
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called once when ``fit`` starts."""

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called once when ``fit`` ends; ``logs`` are the last epoch's logs."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of epoch ``epoch`` with its results (and ``val_*`` ones)."""

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before training batch ``batch`` (0-based within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after training batch ``batch`` with the epoch's running averages."""
        self.on_batch_end(batch, logs=logs)

    # -- evaluate (and fit's validation) ------------------------------------------------------
    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``evaluate`` (or the validation inside ``fit``) starts."""

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``evaluate`` (or the validation inside ``fit``) ends, with its results."""

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before evaluation batch ``batch``."""

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after evaluation batch ``batch`` with the running averages."""

    # -- predict ----------------------------------------------------------------------------
    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``predict`` ends."""

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before prediction batch ``batch``."""

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after prediction batch ``batch``; ``logs['outputs']`` holds its outputs."""
