"""fit(): the data it accepts (arrays, lists/dicts, generators), validation, shuffling,
class/sample weights, initial_epoch, steps_per_epoch and batch sizes (bad input:
test_fit_bad_input.py).

Most tests use training_fixtures.frozen_model: SGD(learning_rate=0) on a Dense whose prediction
is a known constant, so the loss of any set of rows is written out with NumPy (for mse and
prediction 0: ``mean(y ** 2)``) and shows exactly which rows reached the loss. Keras semantics
checked against Keras 3.15 (keras/src/trainers/data_adapters, epoch_iterator.py): the epoch loss
is the batch-size-weighted mean of the batch losses; validation_split takes the LAST
``floor(n * split)`` rows before shuffling; with arrays, steps_per_epoch continues through the
data across epochs and, without batch_size, sets it to ``ceil(n / steps_per_epoch)``.
"""

from __future__ import annotations

import numpy as np
import pytest
from training_fixtures import (
    HookRecorder,
    cycled_batches,
    frozen_model,
    regression_data,
    two_input_model,
    two_layer_model,
    two_output_forward,
    two_output_model,
)

from gpulayers import losses, optimizers
from gpulayers.utils import set_random_seed

X16 = np.ones((16, 3), "float32")
Y16 = np.arange(16, dtype="float32").reshape(16, 1)


def _mean_square(y):
    return float(np.mean(np.asarray(y, np.float64) ** 2))


def _fit(model, *args, **kwargs):
    kwargs.setdefault("verbose", 0)
    kwargs.setdefault("shuffle", False)
    return model.fit(*args, **kwargs).history


def _unchanged(model, before):
    return all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# -- data forms ------------------------------------------------------------------------------


def test_fit_on_arrays_returns_history_with_one_loss_per_epoch():
    x, y = regression_data(12)
    model = two_layer_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    history = _fit(model, x, y, batch_size=4, epochs=3)
    assert list(history) == ["loss"] and len(history["loss"]) == 3
    assert history["loss"][2] < history["loss"][0]


def _two_input_data():
    left = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]], "float32")
    right = np.array([[0.5], [-1.0], [0.0], [1.0]], "float32")
    y = np.array([[1.0], [2.0], [3.0], [4.0]], "float32")
    # joined = left @ [1, 2] + right * 3 + 0.5 (fixed weights in two_input_model)
    pred = left @ np.array([[1.0], [2.0]]) + right * 3.0 + 0.5
    return left, right, y, float(np.mean((pred - y) ** 2))


def test_multi_input_model_takes_a_list_or_a_dict_by_input_name():
    left, right, y, expected = _two_input_data()
    model = two_input_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")
    assert _fit(model, [left, right], y)["loss"][0] == pytest.approx(expected, rel=1e-6)
    assert _fit(model, {"right": right, "left": left}, y)["loss"][0] == pytest.approx(
        expected, rel=1e-6)


def test_dict_targets_are_matched_by_output_name():
    x, _ = regression_data(6)
    y_a, y_b = np.full((6, 2), 0.3, "float32"), np.zeros((6, 1), "float32")
    model = two_output_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss=["mse", "mae"])
    pred_a, pred_b = two_output_forward(x.astype(np.float64))
    expected = np.mean((pred_a - y_a) ** 2) + np.mean(np.abs(pred_b - y_b))
    history = _fit(model, x, {"out_b": y_b, "out_a": y_a})
    assert history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert history["out_b_loss"][0] == pytest.approx(np.mean(np.abs(pred_b - y_b)), rel=1e-5)


def test_generator_of_x_y_batches_with_steps_per_epoch_continues_across_epochs():
    # 4 batches of 4 rows, 3 steps per epoch: epoch 1 sees batches 0-2, epoch 2 batches 3, 0, 1.
    history = _fit(frozen_model(), cycled_batches(X16, Y16, 4), steps_per_epoch=3, epochs=2)
    np.testing.assert_allclose(history["loss"], [
        _mean_square(Y16[:12]), _mean_square(np.concatenate([Y16[12:], Y16[:8]]))], rtol=1e-6)


def test_generator_of_x_y_sample_weightcycled_batches():
    weights = np.linspace(0.0, 2.0, 16).astype("float32")
    history = _fit(frozen_model(), cycled_batches(X16, Y16, 4, weights), steps_per_epoch=4)
    # each batch: sum(w * y^2) / batch size; the epoch: their size-weighted mean.
    expected = np.sum(weights * Y16[:, 0].astype(np.float64) ** 2) / 16
    assert history["loss"][0] == pytest.approx(expected, rel=1e-6)


def _one_pass(x, y, size):
    for start in range(0, len(x), size):
        yield x[start:start + size], y[start:start + size]


def test_a_used_up_generator_stops_training_with_a_warning_instead_of_logging_zeros():
    model = frozen_model()
    with pytest.warns(UserWarning, match="training data ran out at epoch 2; training stops"):
        history = model.fit(_one_pass(X16, Y16, 4), epochs=3, verbose=0).history
    assert history["loss"] == pytest.approx([_mean_square(Y16)], rel=1e-6)  # epoch 1 only


def test_a_generator_running_out_inside_an_epoch_warns_and_ends_the_epoch_there():
    with pytest.warns(UserWarning, match="ran out of data after 2 of 3 steps"):
        history = _fit(frozen_model(), _one_pass(X16[:8], Y16[:8], 4), steps_per_epoch=3)
    assert history["loss"] == pytest.approx([_mean_square(Y16[:8])], rel=1e-6)


def test_used_up_validation_data_warns_and_leaves_out_that_epochs_val_results():
    model = frozen_model()
    with pytest.warns(UserWarning, match="validation data ran out at epoch 2"):
        history = model.fit(X16, Y16, epochs=2, verbose=0,
                            validation_data=_one_pass(X16[:8], Y16[:8], 4)).history
    assert len(history["loss"]) == 2
    assert history["val_loss"] == pytest.approx([_mean_square(Y16[:8])], rel=1e-6)


def test_evaluate_on_no_data_is_a_clear_error():
    with pytest.raises(ValueError, match="evaluate\\(\\) received no data"):
        frozen_model().evaluate(iter([]), verbose=0)


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("shuffle", [False, True])
def test_validation_split_takes_the_last_rows_before_shuffling(shuffle):
    x, y = X16[:10], Y16[:10]
    model = frozen_model()
    history = _fit(model, x, y, validation_split=0.25, batch_size=3, shuffle=shuffle)
    # floor(10 * 0.75) = 7 training rows; the last 3 (values 7, 8, 9) validate.
    assert history["loss"][0] == pytest.approx(_mean_square(y[:7]), rel=1e-6)
    assert history["val_loss"][0] == pytest.approx(_mean_square(y[7:]), rel=1e-6)


def test_validation_data_with_and_without_sample_weight():
    model = frozen_model(metrics=["mae"])
    x_val, y_val = X16[:4], np.array([[1.0], [2.0], [3.0], [4.0]], "float32")
    weights = np.array([1.0, 0.0, 2.0, 1.0], "float32")
    plain = _fit(model, X16, Y16, validation_data=(x_val, y_val), epochs=2)
    assert list(plain) == ["loss", "mae", "val_loss", "val_mae"]
    np.testing.assert_allclose(plain["val_loss"], [_mean_square(y_val)] * 2, rtol=1e-6)
    weighted = _fit(model, X16, Y16, validation_data=(x_val, y_val, weights))
    assert weighted["val_loss"][0] == pytest.approx(
        np.sum(weights * y_val[:, 0] ** 2) / 4, rel=1e-6)
    assert weighted["val_mae"][0] == pytest.approx(np.mean(y_val), rel=1e-6)  # unweighted


# -- shuffling, weights, epochs ----------------------------------------------------------------


def _first_batch_losses(seed, shuffle):
    set_random_seed(seed)
    recorder = HookRecorder()
    _fit(frozen_model(), X16, Y16, batch_size=4, epochs=3, shuffle=shuffle,
         callbacks=[recorder])
    return [logs["loss"] for logs in recorder.batch_logs[::4]]


def test_shuffle_changes_batch_order_reproducibly_with_a_seed():
    unshuffled = _first_batch_losses(0, shuffle=False)
    assert unshuffled == pytest.approx([_mean_square(Y16[:4])] * 3)
    shuffled = _first_batch_losses(7, shuffle=True)
    assert shuffled != pytest.approx(unshuffled)
    assert len(set(shuffled)) > 1  # a new order each epoch
    assert _first_batch_losses(7, shuffle=True) == shuffled


def test_shuffled_epoch_still_sees_every_sample_once():
    history = _fit(frozen_model(), X16, Y16, batch_size=5, epochs=2, shuffle=True)
    np.testing.assert_allclose(history["loss"], [_mean_square(Y16)] * 2, rtol=1e-6)


def _uniform_classifier():
    # Prediction 1/3 for each of 3 classes: every sample's crossentropy is log(3).
    model = frozen_model(units=3, bias=1.0 / 3.0, loss="sparse_categorical_crossentropy")
    return model, np.ones((6, 3), "float32"), np.array([0, 1, 2, 2, 1, 1])


def test_class_weight_missing_a_class_raises_naming_it():
    model, x, labels = _uniform_classifier()
    with pytest.raises(ValueError, match=r"class_weight.*\[2\]"):
        model.fit(x, labels, class_weight={0: 1.0, 1: 1.0}, verbose=0)


def test_class_weight_weights_each_sample_by_its_class():
    model, x, labels = _uniform_classifier()
    class_weight = {0: 1.0, 1: 2.0, 2: 0.5}
    per_sample = np.array([class_weight[c] for c in labels]) * np.log(3.0)
    expected = np.sum(per_sample) / len(labels)
    assert model.train_on_batch(x, labels, class_weight=class_weight) == pytest.approx(
        expected, rel=1e-5)
    history = _fit(model, x, labels, batch_size=4, class_weight=class_weight)
    assert history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_class_weight_for_one_hot_labels_uses_the_argmax():
    model, x, labels = _uniform_classifier()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="categorical_crossentropy")
    one_hot = np.eye(3, dtype="float32")[labels]
    expected = np.mean([{0: 3.0, 1: 1.0, 2: 0.0}[c] for c in labels]) * np.log(3.0)
    history = _fit(model, x, one_hot, class_weight={0: 3.0, 1: 1.0, 2: 0.0})
    assert history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_sample_weight_scales_each_sample_loss():
    weights = np.linspace(0.5, 2.0, 16).astype("float32")
    history = _fit(frozen_model(), X16, Y16, sample_weight=weights, batch_size=5)
    expected = np.sum(weights * Y16[:, 0].astype(np.float64) ** 2) / 16
    assert history["loss"][0] == pytest.approx(expected, rel=1e-6)


def test_numpy_integer_epochs_are_accepted():
    model = frozen_model()
    assert len(_fit(model, X16, Y16, epochs=np.int64(2))["loss"]) == 2


def test_initial_epoch_runs_the_remaining_epochs_with_their_numbers():
    recorder = HookRecorder()
    history = _fit(frozen_model(), X16, Y16, epochs=4, initial_epoch=2, callbacks=[recorder])
    assert len(history["loss"]) == 2
    assert recorder.hooks("epoch_begin") == [("epoch_begin", 2), ("epoch_begin", 3)]


# -- steps and batch sizes -------------------------------------------------------------------


def test_steps_per_epoch_with_arrays_continues_through_the_data_across_epochs():
    recorder = HookRecorder()
    history = _fit(frozen_model(), X16, Y16, batch_size=4, steps_per_epoch=2, epochs=3,
                   callbacks=[recorder])
    # Keras 3.15 gives [17.5, 137.5, 17.5]: rows 0-7, rows 8-15, then from the start again.
    np.testing.assert_allclose(history["loss"], [_mean_square(Y16[:8]), _mean_square(Y16[8:]),
                                                 _mean_square(Y16[:8])], rtol=1e-6)
    assert len(recorder.hooks("train_batch_begin")) == 6


def test_steps_per_epoch_without_batch_size_splits_the_data_into_that_manycycled_batches():
    recorder = HookRecorder()
    history = _fit(frozen_model(), X16, Y16, steps_per_epoch=2, callbacks=[recorder])
    assert history["loss"][0] == pytest.approx(_mean_square(Y16), rel=1e-6)
    assert recorder.hooks("train_batch_begin") == [("train_batch_begin", 0),
                                                   ("train_batch_begin", 1)]


def test_steps_per_epoch_beyond_the_data_ends_the_epoch_with_a_warning():
    # Keras 3 warns "Your input ran out of data" and ends the epoch where the data ends.
    recorder = HookRecorder()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = _fit(frozen_model(), X16, Y16, batch_size=8, steps_per_epoch=3,
                       callbacks=[recorder])
    assert len(recorder.hooks("train_batch_begin")) == 2
    assert history["loss"][0] == pytest.approx(_mean_square(Y16), rel=1e-6)


def test_validation_steps_restart_from_the_first_batch_every_epoch():
    y_val = np.arange(8, dtype="float32").reshape(8, 1)
    history = _fit(frozen_model(), X16, Y16, batch_size=4, epochs=2,
                   validation_data=(X16[:8], y_val), validation_steps=1)
    np.testing.assert_allclose(history["val_loss"], [_mean_square(y_val[:4])] * 2, rtol=1e-6)


def test_batch_size_larger_than_the_data_is_one_batch():
    recorder = HookRecorder()
    history = _fit(frozen_model(), X16, Y16, batch_size=100, callbacks=[recorder])
    assert len(recorder.hooks("train_batch_begin")) == 1
    assert history["loss"][0] == pytest.approx(_mean_square(Y16), rel=1e-6)


def test_last_partial_batch_counts_by_its_size_in_the_epoch_loss():
    recorder = HookRecorder()
    history = _fit(frozen_model(), X16[:10], Y16[:10], batch_size=4, callbacks=[recorder])
    assert len(recorder.hooks("train_batch_begin")) == 3  # 4 + 4 + 2 rows
    # per-sample mean (28.5), not the mean of the 3 batch means (42.17)
    assert history["loss"][0] == pytest.approx(_mean_square(Y16[:10]), rel=1e-6)


def test_weights_read_before_fit_are_a_snapshot_training_does_not_change():
    # Keras's get_weights returns copies (EarlyStopping keeps its best weights this way).
    model = two_layer_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1, momentum=0.5), loss="mse")
    snapshot = model.get_weights()
    copies = [w.copy() for w in snapshot]
    _fit(model, *regression_data(8), batch_size=4)
    assert not _unchanged(model, copies)
    for kept, copy in zip(snapshot, copies):
        np.testing.assert_array_equal(kept, copy)


def test_nested_python_lists_of_numbers_are_one_array_not_several_inputs():
    model = frozen_model(features=2, bias=0.5)
    history = model.fit([[1.0, 2.0], [3.0, 4.0]], [[0.0], [1.0]], epochs=1, verbose=0).history
    assert history["loss"] == pytest.approx([(0.5 ** 2 + 0.5 ** 2) / 2])
    np.testing.assert_allclose(model.predict([[1.0, 2.0]], verbose=0), [[0.5]])
    np.testing.assert_allclose(model.predict_on_batch([[1, 2], [3, 4]]), [[0.5], [0.5]])


def test_a_diverging_fit_gives_nan_losses_without_numpy_warnings_and_terminate_on_nan_stops():
    from gpulayers import callbacks

    model = frozen_model()
    model.compile(optimizer=optimizers.SGD(1e30), loss="mse")
    history = model.fit(X16 * 1e10, Y16, batch_size=4, epochs=3, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN()]).history
    assert len(history["loss"]) == 1 and not np.isfinite(history["loss"][0])


def test_class_weight_applies_per_batch_to_a_generator_as_to_arrays():
    labels = np.array([0, 1, 1, 0, 1, 1, 1, 0])
    x = X16[:8]
    weights = {0: 0.5, 1: 2.0}
    histories = []
    for source in ("arrays", "generator"):
        set_random_seed(3)
        model = frozen_model(units=2, loss=losses.SparseCategoricalCrossentropy(from_logits=True))
        if source == "arrays":
            history = model.fit(x, labels, batch_size=4, shuffle=False, verbose=0,
                                class_weight=weights)
        else:
            history = model.fit(cycled_batches(x, labels, 4), steps_per_epoch=2, verbose=0,
                                class_weight=weights)
        histories.append(history.history["loss"])
    assert histories[0] == pytest.approx(histories[1], rel=1e-6)
    # the frozen model's logits are 0, so each class has probability 1/2 and each sample's loss is
    # log 2, weighted per sample, then averaged per batch and over the two batches
    per_sample = np.log(2.0) * np.array([weights[c] for c in labels])
    assert histories[0][0] == pytest.approx(per_sample.mean(), rel=1e-5)


def test_class_weight_takes_labels_given_as_a_python_list():
    model = frozen_model(units=2, loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(X16[:4], [0, 1, 1, 1], verbose=0, class_weight={0: 1.0, 1: 3.0})
    assert history.history["loss"][0] == pytest.approx(np.log(2.0) * 10 / 4, rel=1e-5)


def test_validation_data_may_be_a_list_as_in_keras_3():
    model = frozen_model()
    history = model.fit(X16, Y16, verbose=0, validation_data=[X16[:4], Y16[:4]]).history
    assert history["val_loss"] == pytest.approx([_mean_square(Y16[:4])], rel=1e-6)
    with pytest.raises(ValueError, match="`validation_data` must be"):
        model.fit(X16, Y16, verbose=0, validation_data=(X16, Y16, None, None))
