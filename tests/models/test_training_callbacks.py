"""Callbacks driven by a real fit(): hook order, EarlyStopping, ReduceLROnPlateau,
LearningRateScheduler, TerminateOnNaN, CSVLogger, stop_training, and verbose output.

The "pull" model below has one weight w (no bias, starts at 0) trained with SGD on mse towards
targets 1 with inputs 1: one step is w <- w + 2 * lr * (1 - w), so with lr = 0.1 after k epochs
w = 1 - 0.8 ** k, and a validation target of 0.5 gives val_loss (w - 0.5) ** 2, smallest at
k = 3. These closed forms are the expected values; hook order follows Keras 3.15's fit loop.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from training_fixtures import HookRecorder, frozen_model

from gpulayers import callbacks, optimizers
from gpulayers.layers import Dense, Input
from gpulayers.models import Sequential

ONES = np.ones((4, 1), "float32")
VALIDATION = (ONES, np.full((4, 1), 0.5, "float32"))


def _pull_model(lr=0.1):
    model = Sequential([Input((1,)), Dense(1, use_bias=False, kernel_initializer="zeros")])
    model.compile(optimizer=optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def _weight(model):
    return float(model.get_weights()[0][0, 0])


def _fit(model, epochs, callback_list, **kwargs):
    kwargs.setdefault("verbose", 0)
    return model.fit(ONES, ONES, batch_size=4, epochs=epochs, shuffle=False,
                     callbacks=callback_list, **kwargs)


def test_hooks_are_called_in_keras_order_with_validation():
    recorder = HookRecorder()
    model = frozen_model()
    model.fit(np.ones((6, 3)), np.ones((6, 1)), batch_size=4, epochs=2, shuffle=False,
              validation_data=(np.ones((3, 3)), np.ones((3, 1))), verbose=0,
              callbacks=[recorder])
    epoch = [("train_batch_begin", 0), ("train_batch_end", 0), ("train_batch_begin", 1),
             ("train_batch_end", 1), ("test_begin", None), ("test_batch_begin", 0),
             ("test_batch_end", 0), ("test_end", None)]
    assert recorder.calls == [
        ("train_begin", None),
        ("epoch_begin", 0), *epoch, ("epoch_end", 0),
        ("epoch_begin", 1), *epoch, ("epoch_end", 1),
        ("train_end", None)]
    assert sorted(recorder.epoch_logs[0]) == ["loss", "val_loss"]
    assert sorted(recorder.batch_logs[0]) == ["loss"]


def test_early_stopping_stops_and_restores_the_best_weights():
    stopper = callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                      restore_best_weights=True)
    history = _fit(_pull_model(), 20, [stopper], validation_data=VALIDATION)
    # w_k = 1 - 0.8^k: val_loss falls until k = 3 (w = 0.488), rises at k = 4 -> stop.
    expected_val = [(1 - 0.8 ** k - 0.5) ** 2 for k in range(1, 5)]
    np.testing.assert_allclose(history.history["val_loss"], expected_val, rtol=1e-5)
    assert stopper.stopped_epoch == 3
    assert _weight(stopper.model) == pytest.approx(1 - 0.8 ** 3, rel=1e-6)


def test_reduce_lr_on_plateau_lowers_the_optimizer_learning_rate():
    # y == prediction == 0: the loss stays 0, a plateau from the first epoch.
    model = frozen_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    reducer = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
    history = model.fit(np.ones((4, 3)), np.zeros((4, 1)), epochs=3, verbose=0,
                        callbacks=[reducer])
    # epoch 0 sets the best; epochs 1 and 2 each wait out patience 1 and halve the rate.
    assert float(model.optimizer.learning_rate) == pytest.approx(0.025)
    # Keras logs the rate in force during the epoch, read before that epoch's reduction.
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.05])


def test_learning_rate_scheduler_sets_the_rate_used_by_each_epoch():
    model = _pull_model(lr=0.3)
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    history = _fit(model, 3, [schedule])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3])
    w = 0.0
    for lr in (0.1, 0.05, 0.1 / 3):  # one SGD step per epoch at the scheduled rate
        w += 2 * lr * (1 - w)
    assert _weight(model) == pytest.approx(w, rel=1e-5)


def test_terminate_on_nan_stops_after_the_first_nan_batch():
    recorder = HookRecorder()
    y = np.full((8, 1), np.nan, "float32")
    history = frozen_model().fit(np.ones((8, 3)), y, batch_size=4, epochs=5, shuffle=False,
                                 verbose=0, callbacks=[callbacks.TerminateOnNaN(), recorder])
    assert recorder.hooks("train_batch_begin") == [("train_batch_begin", 0)]
    assert len(history.history["loss"]) == 1 and math.isnan(history.history["loss"][0])


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    history = _fit(_pull_model(), 3, [callbacks.CSVLogger(str(path))])
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    np.testing.assert_allclose([float(row["loss"]) for row in rows], history.history["loss"],
                               rtol=1e-6)
    # loss before each step: (1 - w)^2 with w = 1 - 0.8^k -> 0.64^k
    np.testing.assert_allclose(history.history["loss"], [1.0, 0.64, 0.4096], rtol=1e-5)


class _StopAfter(callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            self.model.stop_training = True


def test_stop_training_set_by_a_callback_ends_fit():
    recorder = HookRecorder()
    history = _fit(_pull_model(), 10, [_StopAfter(1), recorder])
    assert len(history.history["loss"]) == 2
    assert recorder.calls[-1] == ("train_end", None)


def test_stop_training_is_reset_by_the_next_fit():
    model = _pull_model()
    _fit(model, 10, [_StopAfter(0)])
    assert len(_fit(model, 3, []).history["loss"]) == 3


# -- verbose ---------------------------------------------------------------------------------


def test_verbose_0_prints_nothing(capsys):
    _fit(_pull_model(), 2, [], verbose=0)
    model = _pull_model()
    model.evaluate(ONES, ONES, verbose=0)
    model.predict(ONES, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_1_shows_a_progress_bar_with_the_loss(capsys):
    _fit(_pull_model(), 2, [], verbose=1, validation_data=VALIDATION)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "1/1" in out and "loss: 1.0000" in out and "val_loss:" in out


def test_verbose_2_prints_each_epoch_and_one_line_when_it_ends(capsys):
    _fit(_pull_model(), 2, [], verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 4
    assert lines[0] == "Epoch 1/2" and "loss: 1.0000" in lines[1]
    assert lines[2] == "Epoch 2/2" and "loss: 0.6400" in lines[3]
