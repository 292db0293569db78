"""CallbackList: one object that forwards every hook to a list of callbacks, in order.

The training loop (``Model.fit`` / ``evaluate`` / ``predict``) builds one and calls its hooks;
each hook calls the same hook of every callback, in list order. A ``History`` and a
``ProgbarLogger`` are appended on request, after the user's callbacks, as in Keras 3, so they
see logs that earlier callbacks (ReduceLROnPlateau adds ``learning_rate``) extended.

Example::

    callbacks = CallbackList([EarlyStopping(patience=2)], add_history=True, add_progbar=True,
                             model=model, verbose=1, epochs=10, steps=32)
    callbacks.on_train_begin()
    for epoch in range(10):
        callbacks.on_epoch_begin(epoch)
        ...
        callbacks.on_epoch_end(epoch, {"loss": 0.3, "val_loss": 0.4})
        if model.stop_training:
            break
    callbacks.on_train_end({"loss": 0.3, "val_loss": 0.4})
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from gpulayers.callbacks.callback import Callback
from gpulayers.callbacks.history import History
from gpulayers.callbacks.progbar_logger import ProgbarLogger

__all__ = ["CallbackList"]

Logs = dict[str, Any] | None


def _fresh(logs: Logs) -> dict[str, Any]:
    # Keras hands every callback a new dict (never None): a callback that adds keys
    # (ReduceLROnPlateau's 'learning_rate') extends what the later callbacks see, but not the
    # training loop's own dict.
    return {} if logs is None else dict(logs)


def _as_callback_list(callbacks: Any) -> list[Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Iterable):
        raise ValueError("CallbackList: invalid value for argument `callbacks`: expected a list "
                         f"of Callback instances or None. Received: callbacks={callbacks!r}")
    flat: list[Callback] = []
    for item in callbacks:
        if isinstance(item, (list, tuple)):  # Keras flattens nested lists
            flat.extend(_as_callback_list(item))
        elif isinstance(item, Callback):
            flat.append(item)
        else:
            raise ValueError("CallbackList: invalid value in argument `callbacks`: expected "
                             "Callback instances (subclass gpulayers.callbacks.Callback). "
                             f"Received: {item!r} of type {type(item).__name__}")
    return flat


class CallbackList(Callback):
    """Container calling each hook of every callback in order.

    Args:
        callbacks: a list (or tuple, possibly nested) of Callback instances, one Callback, or
            None.
        add_history: append a :class:`History` unless the list already holds one.
        add_progbar: append a :class:`ProgbarLogger` unless the list already holds one.
        model: the model, passed to every callback's ``set_model`` (None: set later).
        **params: the loop's parameters (``verbose``, ``epochs``, ``steps``), passed to every
            callback's ``set_params`` when not empty.

    Attributes:
        callbacks: the list, defaults included.

    ``set_model`` also sets ``model.history`` to the History in the list, so ``fit`` can
    return ``model.history``.

    Example::

        cbs = CallbackList([my_callback], add_history=True, model=model, verbose=0,
                           epochs=5, steps=None)
        cbs.on_train_begin()
    """

    def __init__(self, callbacks: Any = None, add_history: bool = False,
                 add_progbar: bool = False, model: Any = None, **params: Any) -> None:
        super().__init__()
        self.callbacks: list[Callback] = _as_callback_list(callbacks)
        self._history: History | None = next(
            (cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar: ProgbarLogger | None = next(
            (cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def append(self, callback: Callback) -> None:
        """Add ``callback`` at the end, giving it this list's model and params."""
        (callback,) = _as_callback_list([callback])
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def set_params(self, params: dict[str, Any] | None) -> None:
        """Store ``params`` and, when not empty, pass them to every callback."""
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model: Any) -> None:
        """Pass ``model`` to every callback and point ``model.history`` at the History."""
        # `is None`, not falsiness: a model may define __len__ (layers) and be "empty".
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    # The calling conventions below (positional logs for begin/end and epochs, logs= keyword
    # for batches) are Keras's, so a LambdaCallback function written for Keras works here.
    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs=logs)

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs=logs)

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_test_batch_begin(batch, logs=logs)

    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_test_batch_end(batch, logs=logs)

    def on_predict_batch_begin(self, batch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_begin(batch, logs=logs)

    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, logs=logs)

    def on_train_begin(self, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_test_begin(self, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_test_end(logs)

    def on_predict_begin(self, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs: Logs = None) -> None:
        logs = _fresh(logs)
        for callback in self.callbacks:
            callback.on_predict_end(logs)
