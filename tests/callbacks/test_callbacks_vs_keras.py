"""gpulayers.callbacks against Keras 3 inside real fit() runs.

Both frameworks train the same model (Input(3) -> Dense(4, tanh) -> Dense(1), Keras's initial
weights copied into gpulayers) on the same fixed data with plain SGD and ``shuffle=False``. The
learning rate is large enough that the validation loss falls (epochs 0-4), rises (5-9) and
falls again, so the monitoring callbacks have real decisions to make; the values involved are
far from the thresholds, so a 1e-6 difference between the frameworks cannot flip a decision.
"""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest
from keras_available import keras_or_skip

import gpulayers as gl
from gpulayers import callbacks as gl_callbacks
from gpulayers import layers, optimizers

_RNG = np.random.default_rng(0)
X = _RNG.normal(size=(32, 3)).astype("float32")
Y = (np.sin(X.sum(1, keepdims=True)) + 0.3 * _RNG.normal(size=(32, 1))).astype("float32")
XV = _RNG.normal(size=(16, 3)).astype("float32")
YV = (np.sin(XV.sum(1, keepdims=True)) + 0.3 * _RNG.normal(size=(16, 1))).astype("float32")
EPOCHS = 15
RTOL = 1e-4


@pytest.fixture(scope="module")
def keras():
    return keras_or_skip()


def _models(keras, lr):
    keras.utils.set_random_seed(0)
    k_model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                                keras.layers.Dense(1)])
    g_model = gl.models.Sequential([layers.Input((3,)), layers.Dense(4, activation="tanh"),
                                    layers.Dense(1)])
    g_model.set_weights(k_model.get_weights())
    k_model.compile(keras.optimizers.SGD(lr), "mse")
    g_model.compile(optimizers.SGD(lr), "mse")
    return k_model, g_model


def _fit_both(keras, make_callbacks, lr=0.5, epochs=EPOCHS, **kwargs):
    """``[(model, history, callbacks)]`` for Keras then gpulayers; ``make_callbacks(module,
    model)`` builds each framework's callback list from its callbacks module."""
    runs = []
    for model, module in zip(_models(keras, lr), (keras.callbacks, gl_callbacks)):
        callbacks = make_callbacks(module, model)
        history = model.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, verbose=0,
                            validation_data=(XV, YV), callbacks=callbacks, **kwargs)
        runs.append((model, history, callbacks))
    return runs


def _lr(model):
    return float(np.asarray(model.optimizer.learning_rate))


def _lr_recorder(module, model, record):
    return module.LambdaCallback(on_epoch_end=lambda epoch, logs: record.append(_lr(model)))


def _assert_histories_match(k_history, g_history):
    assert list(g_history.history) == list(k_history.history)
    for key, values in k_history.history.items():
        np.testing.assert_allclose(g_history.history[key], values, rtol=RTOL, err_msg=key)
    assert g_history.epoch == k_history.epoch


def _assert_weights_match(k_model, g_model):
    for g_weight, k_weight in zip(g_model.get_weights(), k_model.get_weights(), strict=True):
        np.testing.assert_allclose(g_weight, k_weight, rtol=RTOL, atol=1e-6)


# -- History ---------------------------------------------------------------------------------
def test_history_keys_values_epochs_and_params_match_keras(keras):
    (k_model, k_hist, _), (g_model, g_hist, _) = _fit_both(keras, lambda module, model: None)
    _assert_histories_match(k_hist, g_hist)
    assert g_hist.params == k_hist.params == {"verbose": 0, "epochs": EPOCHS, "steps": 4}
    assert g_model.history is g_hist and k_model.history is k_hist
    _assert_weights_match(k_model, g_model)


def test_history_epochs_start_at_initial_epoch_as_in_keras(keras):
    (_, k_hist, _), (_, g_hist, _) = _fit_both(keras, lambda module, model: None, epochs=5,
                                               initial_epoch=2)
    assert g_hist.epoch == k_hist.epoch == [2, 3, 4]
    _assert_histories_match(k_hist, g_hist)
    assert g_hist.params == k_hist.params


def test_the_data_makes_validation_loss_fall_rise_and_fall(keras):
    (_, k_hist, _), _ = _fit_both(keras, lambda module, model: None)
    val_loss = np.array(k_hist.history["val_loss"])
    assert np.argmin(val_loss[:10]) == 4 and np.argmax(val_loss[4:]) + 4 == 9
    assert val_loss[-1] < val_loss[9]


# -- EarlyStopping ---------------------------------------------------------------------------
EARLY_STOPPING_CASES = [
    dict(patience=2),
    dict(patience=3, restore_best_weights=True),
    dict(monitor="loss", min_delta=0.005, patience=1, restore_best_weights=True),
    dict(mode="max", patience=2, restore_best_weights=True),
    dict(baseline=0.2, patience=4, restore_best_weights=True),
    dict(baseline=0.1, patience=3),
    dict(start_from_epoch=6, patience=2),
    dict(start_from_epoch=6, patience=6, restore_best_weights=True),
]


@pytest.mark.parametrize("kwargs", EARLY_STOPPING_CASES, ids=str)
def test_early_stopping_stops_at_the_keras_epoch_with_the_keras_weights(keras, kwargs):
    runs = _fit_both(keras, lambda module, model: [module.EarlyStopping(**kwargs)])
    (k_model, k_hist, [k_stop]), (g_model, g_hist, [g_stop]) = runs
    assert len(k_hist.history["loss"]) < EPOCHS  # the data makes every case stop early
    assert len(g_hist.history["loss"]) == len(k_hist.history["loss"])
    assert (g_stop.stopped_epoch, g_stop.best_epoch, g_stop.wait) == (
        k_stop.stopped_epoch, k_stop.best_epoch, k_stop.wait)
    np.testing.assert_allclose(g_stop.best, float(k_stop.best), rtol=RTOL)
    _assert_histories_match(k_hist, g_hist)
    _assert_weights_match(k_model, g_model)


def test_early_stopping_that_never_triggers_leaves_stopped_epoch_0(keras):
    runs = _fit_both(keras, lambda module, model: [module.EarlyStopping(patience=20)])
    (_, k_hist, [k_stop]), (_, g_hist, [g_stop]) = runs
    assert g_stop.stopped_epoch == k_stop.stopped_epoch == 0
    assert len(g_hist.history["loss"]) == len(k_hist.history["loss"]) == EPOCHS


# -- ReduceLROnPlateau -----------------------------------------------------------------------
REDUCE_LR_CASES = [
    dict(factor=0.5, patience=1),
    dict(factor=0.2, patience=2, cooldown=2, min_lr=0.02),
    dict(factor=0.5, patience=1, min_lr=0.2),
    dict(monitor="loss", factor=0.5, patience=1, min_delta=0.02),
    dict(monitor="val_loss", mode="max", factor=0.5, patience=2, cooldown=1),
]


@pytest.mark.parametrize("kwargs", REDUCE_LR_CASES, ids=str)
def test_reduce_lr_on_plateau_gives_the_keras_learning_rates(keras, kwargs):
    k_rates, g_rates = [], []
    runs = _fit_both(keras, lambda module, model: [
        module.ReduceLROnPlateau(**kwargs),
        _lr_recorder(module, model, k_rates if module is keras.callbacks else g_rates)])
    (k_model, k_hist, _), (g_model, g_hist, _) = runs
    assert len(set(k_rates)) > 1  # at least one reduction happened
    np.testing.assert_allclose(g_rates, k_rates, rtol=1e-6)
    # Keras adds the rate the epoch ran with to the epoch logs, so History records it.
    assert "learning_rate" in k_hist.history
    _assert_histories_match(k_hist, g_hist)
    _assert_weights_match(k_model, g_model)


# -- LearningRateScheduler -------------------------------------------------------------------
def _step_decay(epoch, lr):
    return lr * 0.6 if epoch % 3 == 2 else lr


def _inverse_time(epoch):
    return 0.6 / (1.0 + epoch)


@pytest.mark.parametrize("schedule", [_step_decay, _inverse_time], ids=lambda f: f.__name__)
def test_learning_rate_scheduler_gives_the_keras_rates_and_history(keras, schedule):
    k_rates, g_rates = [], []
    runs = _fit_both(keras, lambda module, model: [
        module.LearningRateScheduler(schedule),
        _lr_recorder(module, model, k_rates if module is keras.callbacks else g_rates)])
    (k_model, k_hist, _), (g_model, g_hist, _) = runs
    assert len(set(k_rates)) > 1
    np.testing.assert_allclose(g_rates, k_rates, rtol=1e-6)
    assert "learning_rate" in k_hist.history
    _assert_histories_match(k_hist, g_hist)
    _assert_weights_match(k_model, g_model)


# -- ModelCheckpoint -------------------------------------------------------------------------
def _checkpoint_runs(keras, tmp_path, pattern, **kwargs):
    def make(module, model):
        folder = tmp_path / ("keras" if module is keras.callbacks else "gpulayers")
        return [module.ModelCheckpoint(str(folder / pattern), **kwargs)]

    runs = _fit_both(keras, make)
    return runs, [sorted(os.listdir(tmp_path / name)) for name in ("keras", "gpulayers")]


CHECKPOINT_CASES = [
    ("{epoch:02d}-{val_loss:.2f}.weights.h5", dict(save_best_only=True)),
    ("{epoch:02d}-{val_loss:.2f}.weights.h5", dict(save_best_only=True, mode="max")),
    ("e{epoch:02d}-{loss:.3f}.weights.h5", dict(save_best_only=True, monitor="loss")),
    ("w{epoch:02d}.weights.h5", dict(save_freq="epoch")),
    ("best.weights.h5", dict(save_best_only=True)),
]


@pytest.mark.parametrize(("pattern", "kwargs"), CHECKPOINT_CASES, ids=str)
def test_model_checkpoint_writes_the_keras_files(keras, tmp_path, pattern, kwargs):
    _, (k_files, g_files) = _checkpoint_runs(keras, tmp_path, pattern, save_weights_only=True,
                                             **kwargs)
    assert g_files == k_files
    assert 0 < len(k_files) <= EPOCHS


def test_model_checkpoint_full_model_files_match_keras(keras, tmp_path):
    _, (k_files, g_files) = _checkpoint_runs(keras, tmp_path, "m{epoch:02d}.keras",
                                             save_best_only=True)
    assert g_files == k_files == ["m01.keras", "m02.keras", "m03.keras", "m04.keras",
                                  "m05.keras"]


def test_model_checkpoint_weights_files_load_into_the_other_framework(keras, tmp_path):
    runs, (k_files, g_files) = _checkpoint_runs(keras, tmp_path, "best.weights.h5",
                                                save_best_only=True, save_weights_only=True)
    (k_model, _, _), (g_model, _, _) = runs
    k_fresh, g_fresh = _models(keras, 0.5)
    k_fresh.load_weights(str(tmp_path / "gpulayers" / "best.weights.h5"))
    g_fresh.load_weights(str(tmp_path / "keras" / "best.weights.h5"))
    _assert_weights_match(k_fresh, g_fresh)
    g_fresh.load_weights(str(tmp_path / "gpulayers" / "best.weights.h5"))
    _assert_weights_match(k_fresh, g_fresh)  # each framework read the same weights
    assert not np.allclose(k_fresh.get_weights()[0], k_model.get_weights()[0])  # not the last


# -- CSVLogger -------------------------------------------------------------------------------
def _read_csv(path, separator):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file, delimiter=separator))


def _assert_csv_rows_match(k_rows, g_rows):
    assert g_rows[0] == k_rows[0]  # the header, in Keras's key order
    assert len(g_rows) == len(k_rows)
    for k_row, g_row in zip(k_rows[1:], g_rows[1:]):
        if k_row == k_rows[0]:  # a second header (never written when appending)
            assert g_row == k_row
            continue
        assert g_row[0] == k_row[0]
        np.testing.assert_allclose([float(v) for v in g_row[1:]],
                                   [float(v) for v in k_row[1:]], rtol=RTOL)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_csv_logger_writes_the_keras_header_and_rows(keras, tmp_path, separator):
    paths = {}

    def make(module, model):
        paths[module] = tmp_path / f"{module.__name__}.csv"
        return [module.ReduceLROnPlateau(factor=0.5, patience=1),
                module.CSVLogger(str(paths[module]), separator=separator)]

    _fit_both(keras, make)
    k_rows = _read_csv(paths[keras.callbacks], separator)
    g_rows = _read_csv(paths[gl_callbacks], separator)
    assert k_rows[0] == ["epoch", "learning_rate", "loss", "val_loss"]
    _assert_csv_rows_match(k_rows, g_rows)
    # Byte for byte apart from the numbers: the same line ends and quoting.
    k_bytes, g_bytes = (paths[m].read_bytes() for m in (keras.callbacks, gl_callbacks))
    assert g_bytes.count(b"\r\n") == k_bytes.count(b"\r\n")
    assert g_bytes.count(b"\n") == k_bytes.count(b"\n")


def test_csv_logger_append_continues_the_file_as_keras_does(keras, tmp_path):
    paths = {}

    def make(module, model):
        paths[module] = tmp_path / f"{module.__name__}.csv"
        return [module.CSVLogger(str(paths[module]), append=True)]

    for _ in range(2):  # the second fit appends rows (and no second header)
        _fit_both(keras, make, epochs=3)
    k_rows = _read_csv(paths[keras.callbacks], ",")
    g_rows = _read_csv(paths[gl_callbacks], ",")
    assert [row[0] for row in k_rows] == ["epoch", "0", "1", "2", "0", "1", "2"]
    _assert_csv_rows_match(k_rows, g_rows)


# -- TerminateOnNaN --------------------------------------------------------------------------
def test_terminate_on_nan_stops_at_the_keras_batch_and_epoch(keras):
    seen = {}

    def make(module, model):
        batches = seen.setdefault(module, [])
        return [module.TerminateOnNaN(),
                module.LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(
                    (len(model.history.epoch) if model.history else 0, batch)))]

    # The overflow on the way to inf is the point of the test; NumPy's warnings about it are not.
    with np.errstate(over="ignore", invalid="ignore"):
        (_, k_hist, _), (_, g_hist, _) = _fit_both(keras, make, lr=4.0, epochs=10)
    k_seen, g_seen = seen[keras.callbacks], seen[gl_callbacks]
    assert len(k_hist.history["loss"]) < 10
    assert g_seen == k_seen
    assert len(g_hist.history["loss"]) == len(k_hist.history["loss"])
    assert not np.isfinite(g_hist.history["loss"][-1])
    assert not np.isfinite(k_hist.history["loss"][-1])


def test_terminate_on_nan_with_raise_error_raises_at_the_keras_batch(keras):
    messages = []
    for model in _models(keras, 4.0):
        module = keras.callbacks if model.__module__.startswith("keras") else gl_callbacks
        with np.errstate(over="ignore", invalid="ignore"), pytest.raises(RuntimeError) as error:
            model.fit(X, Y, batch_size=8, epochs=10, shuffle=False, verbose=0,
                      callbacks=[module.TerminateOnNaN(raise_error=True)])
        messages.append(str(error.value).split(". Loss value")[0])
    assert messages[1] == messages[0]
    assert messages[0].startswith("NaN or Inf loss encountered at batch ")


# -- LambdaCallback: what each hook receives --------------------------------------------------
_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
          "on_test_batch_begin", "on_test_batch_end")


def _hook_recorder(module, calls):
    def hook(name):
        def record(*args, **kwargs):
            logs = kwargs.get("logs", args[-1] if args else None)
            index = args[0] if len(args) == 2 or "logs" in kwargs and args else None
            calls.append((name, index, None if logs is None else sorted(logs)))
        return record

    return module.LambdaCallback(**{name: hook(name) for name in _HOOKS})


def test_lambda_callback_hooks_get_the_keras_arguments_and_log_keys(keras):
    calls = {}
    _fit_both(keras, lambda module, model: [
        module.ReduceLROnPlateau(patience=1),
        _hook_recorder(module, calls.setdefault(module, []))], epochs=2)
    k_calls, g_calls = calls[keras.callbacks], calls[gl_callbacks]
    assert g_calls == k_calls
    assert ("on_epoch_end", 1, ["learning_rate", "loss", "val_loss"]) in k_calls
