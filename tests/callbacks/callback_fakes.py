"""A fake model and fake fit / evaluate / predict loops that drive callbacks like Model.fit does.

The loops follow the contract of gpulayers' training loop: a CallbackList with History (fit)
and a ProgbarLogger (verbose != 0), params ``verbose``/``epochs``/``steps``, batch logs holding
the running epoch averages, validation through the on_test_* hooks, epoch logs with ``val_*``
keys, ``model.stop_training`` checked after every batch and every epoch.

The "training" is scripted: each epoch's logs are given, and after batch ``b`` of epoch ``e``
the model's weights are ``[array([e, b])]``, so tests can tell which epoch's weights were saved
or restored.
"""

from __future__ import annotations

import numpy as np

from gpulayers.callbacks import CallbackList


class FakeOptimizer:
    """An optimizer with a plain ``learning_rate`` attribute (optionally kept as float32)."""

    def __init__(self, learning_rate: float = 0.01, float32: bool = False):
        self._float32 = float32
        self.learning_rate = learning_rate

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if not isinstance(value, float):
            raise TypeError(f"learning_rate must be set with a Python float, got {type(value)}")
        self._learning_rate = float(np.float32(value)) if self._float32 else value


class FakeModel:
    """Records weight restores and saves; ``save``/``save_weights`` write a small file."""

    def __init__(self, learning_rate: float = 0.01, float32_lr: bool = False):
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate, float32_lr)
        self.weights = [np.zeros(2)]
        self.history = None
        self.saved: list[tuple[str, str]] = []       # ("model" | "weights", path)
        self.restored: list[list[np.ndarray]] = []   # every set_weights argument

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.restored.append([np.array(w) for w in weights])
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath):
        self.saved.append(("model", str(filepath)))
        with open(filepath, "w") as f:
            f.write(f"model {self.weights[0].tolist()}")

    def save_weights(self, filepath):
        self.saved.append(("weights", str(filepath)))
        with open(filepath, "w") as f:
            f.write(f"weights {self.weights[0].tolist()}")


def _running(values: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([v[key] for v in values])) for key in values[0]}


def fit(model, callbacks, epoch_logs, steps=3, verbose=0, steps_known=True,
        batch_losses=None, val_steps=2):
    """Run ``len(epoch_logs)`` epochs; ``epoch_logs[e]`` are epoch e's logs (train and ``val_*``).

    Every training batch of epoch e reports the epoch's train values (so running averages equal
    them), except the loss when ``batch_losses[e]`` lists per-batch losses. Returns
    ``model.history``.
    """
    epochs = len(epoch_logs)
    callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                 model=model, verbose=verbose, epochs=epochs,
                                 steps=steps if steps_known else None)
    model.stop_training = False
    callback_list.on_train_begin()
    logs: dict[str, float] = {}
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        train = {k: v for k, v in epoch_logs[epoch].items() if not k.startswith("val_")}
        seen = []
        for batch in range(steps):
            callback_list.on_train_batch_begin(batch)
            model.weights = [np.array([epoch, batch], dtype=float)]
            values = dict(train)
            if batch_losses is not None:
                values["loss"] = batch_losses[epoch][batch]
            seen.append(values)
            callback_list.on_train_batch_end(batch, _running(seen))
            if model.stop_training:
                break
        logs = _running(seen)
        val = {k[4:]: v for k, v in epoch_logs[epoch].items() if k.startswith("val_")}
        if val:
            val_logs = _validate(callback_list, val, val_steps)
            logs.update({f"val_{k}": v for k, v in val_logs.items()})
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return model.history


def _validate(callback_list, values, steps):
    callback_list.on_test_begin()
    for batch in range(steps):
        callback_list.on_test_batch_begin(batch)
        callback_list.on_test_batch_end(batch, dict(values))
    callback_list.on_test_end(dict(values))
    return dict(values)


def evaluate(model, callbacks, values, steps=3, verbose=1, steps_known=True):
    """The evaluate loop: its own CallbackList (no History), epochs=1."""
    callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=model,
                                 verbose=verbose, epochs=1, steps=steps if steps_known else None)
    return _validate(callback_list, values, steps)


def predict(model, callbacks, steps=3, verbose=1):
    """The predict loop: batch logs carry the outputs (arrays), as gpulayers' loop does."""
    callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=model,
                                 verbose=verbose, epochs=1, steps=steps)
    callback_list.on_predict_begin()
    for batch in range(steps):
        callback_list.on_predict_batch_begin(batch)
        callback_list.on_predict_batch_end(batch, {"outputs": np.full((4, 2), 123.456)})
    callback_list.on_predict_end()
