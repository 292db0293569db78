"""EarlyStopping: exact stop epochs and restored weights for hand-made value sequences.

The expectations follow Keras 3's algorithm step by step (see the comments): at each monitored
epoch the wait grows by one; an improvement sets the best and resets the wait (only if the
baseline, when given, is beaten too); a non-improvement stops once wait >= patience (never at
epoch 0).
"""

import numpy as np
import pytest
from callback_fakes import FakeModel, fit

from gpulayers.callbacks import EarlyStopping


def _run(values, monitor="val_loss", **kwargs):
    model = FakeModel()
    stop = EarlyStopping(monitor=monitor, **kwargs)
    history = fit(model, [stop], [{"loss": 1.0, monitor: float(v)} for v in values])
    return model, stop, history


def test_patience_counts_epochs_without_improvement():
    # e0 best 1.0; e1 0.9 improves; e2 0.95 wait 1; e3 0.92 wait 2 >= 2: stop.
    model, stop, history = _run([1.0, 0.9, 0.95, 0.92, 0.8, 0.7], patience=2)
    assert stop.stopped_epoch == 3 and model.stop_training
    assert history.epoch == [0, 1, 2, 3]
    assert stop.best == 0.9 and stop.best_epoch == 1
    assert model.restored == []  # restore_best_weights=False


def test_patience_0_stops_at_the_first_non_improvement():
    model, stop, history = _run([1.0, 0.9, 0.9, 0.5], patience=0)
    assert stop.stopped_epoch == 2 and len(history.epoch) == 3


def test_no_stop_when_it_keeps_improving():
    model, stop, history = _run([5, 4, 3, 2, 1], patience=0)
    assert stop.stopped_epoch == 0 and not model.stop_training
    assert len(history.epoch) == 5


def test_min_delta_makes_small_gains_count_as_no_improvement():
    # e1: 0.85 + 0.1 < 1.0 improves; e2: 0.8 + 0.1 < 0.85 fails: wait 1 >= 1, stop.
    _, stop, history = _run([1.0, 0.85, 0.8, 0.7], patience=1, min_delta=0.1)
    assert stop.stopped_epoch == 2 and history.epoch == [0, 1, 2]
    _, stop, history = _run([1.0, 0.85, 0.8, 0.7], patience=1, min_delta=0.0)
    assert stop.stopped_epoch == 0 and history.epoch == [0, 1, 2, 3]
    # A negative min_delta means the same as its absolute value (Keras).
    _, stop, _ = _run([1.0, 0.85, 0.8, 0.7], patience=1, min_delta=-0.1)
    assert stop.stopped_epoch == 2


def test_an_unbeaten_baseline_keeps_the_wait_running():
    # Baseline 0.5 never beaten: e0 improves but wait stays 1; e1 no gain, wait 2 >= 2: stop.
    _, stop, _ = _run([0.9, 0.95, 0.97, 0.3], patience=2, baseline=0.5)
    assert stop.stopped_epoch == 1
    # No baseline: e0 resets the wait; e1 wait 1; e2 wait 2: stop one epoch later.
    _, stop, _ = _run([0.9, 0.95, 0.97, 0.3], patience=2)
    assert stop.stopped_epoch == 2
    # A beaten baseline behaves as no baseline.
    _, stop, _ = _run([0.9, 0.95, 0.97, 0.3], patience=2, baseline=1.0)
    assert stop.stopped_epoch == 2


def test_restore_best_weights_after_stopping():
    # Best at e1 (0.5); e2 wait 1, e3 wait 2: stop at 3, restore e1's end-of-epoch weights.
    model, stop, _ = _run([1.0, 0.5, 0.7, 0.8, 0.1], patience=2, restore_best_weights=True)
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    assert len(model.restored) == 1
    np.testing.assert_array_equal(model.restored[0][0], [1.0, 2.0])  # (epoch 1, last batch)
    np.testing.assert_array_equal(model.weights[0], [1.0, 2.0])


def test_restore_best_weights_also_when_training_runs_to_the_end():
    model, stop, _ = _run([0.5, 0.2, 0.3], patience=10, restore_best_weights=True)
    assert stop.stopped_epoch == 0
    np.testing.assert_array_equal(model.restored[0][0], [1.0, 2.0])


def test_restore_best_weights_with_an_unbeaten_baseline_restores_the_best_epoch():
    model, stop, _ = _run([0.9, 0.8, 0.95, 0.97], patience=3, baseline=0.1,
                          restore_best_weights=True)
    # e0 wait 1, e1 improves (wait 2, baseline unbeaten), e2 wait 3 >= 3: stop.
    assert stop.stopped_epoch == 2
    np.testing.assert_array_equal(model.restored[0][0], [1.0, 2.0])


def test_start_from_epoch_ignores_the_warm_up():
    # e0, e1 ignored; e2 best 3.0; e3 2.5 improves; e4 2.6 no: wait 1 >= 0, stop at 4.
    _, stop, _ = _run([1.0, 2.0, 3.0, 2.5, 2.6, 2.0], patience=0, start_from_epoch=2)
    assert stop.stopped_epoch == 4
    _, stop, _ = _run([1.0, 2.0, 3.0, 2.5, 2.6, 2.0], patience=0)
    assert stop.stopped_epoch == 1


def test_start_from_epoch_with_restore_best_weights_never_restores_warm_up_weights():
    model, _, _ = _run([0.1, 0.2, 3.0, 2.5, 2.6], patience=0, start_from_epoch=2,
                       restore_best_weights=True)
    np.testing.assert_array_equal(model.restored[0][0], [3.0, 2.0])


@pytest.mark.parametrize("mode", ["max", "auto"])
def test_maximized_quantities(mode):
    # Accuracy: e0 0.5; e1 0.6 improves; e2 0.55 wait 1 >= 1: stop.
    _, stop, _ = _run([0.5, 0.6, 0.55, 0.9], monitor="val_accuracy", mode=mode, patience=1)
    assert stop.stopped_epoch == 2 and stop.best == 0.6


def test_min_mode_on_an_accuracy():
    _, stop, _ = _run([0.5, 0.6, 0.55, 0.9], monitor="val_accuracy", mode="min", patience=0)
    assert stop.stopped_epoch == 1


def test_auto_mode_uses_a_metric_objects_direction():
    class Metric:
        name, _direction = "closeness", "up"

    model = FakeModel()
    model.metrics = [Metric()]
    stop = EarlyStopping(monitor="val_closeness", patience=0)
    fit(model, [stop], [{"val_closeness": v} for v in (0.1, 0.2, 0.3)])
    assert stop.stopped_epoch == 0 and stop.maximize is True


def test_missing_monitor_warns_and_never_stops():
    model = FakeModel()
    stop = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match=r"`val_loss` which is not available.*: loss"):
        history = fit(model, [stop], [{"loss": v} for v in (1.0, 2.0, 3.0)])
    assert len(history.epoch) == 3 and stop.stopped_epoch == 0


def test_verbose_messages(capsys):
    _run([1.0, 0.5, 0.7, 0.8], patience=1, verbose=1, restore_best_weights=True)
    out = capsys.readouterr().out
    assert out == ("Epoch 3: early stopping\n"
                   "Restoring model weights from the end of the best epoch: 2.\n")


def test_one_instance_serves_two_fits():
    model = FakeModel()
    stop = EarlyStopping(monitor="loss", patience=1)
    fit(model, [stop], [{"loss": v} for v in (1.0, 2.0, 3.0)])
    assert stop.stopped_epoch == 1
    fit(model, [stop], [{"loss": v} for v in (9.0, 8.0, 7.0)])
    assert stop.stopped_epoch == 0 and stop.best == 7.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"patience": -1}, r"`patience`: expected an integer >= 0. Received: patience=-1"),
    ({"patience": 1.5}, r"patience=1.5"),
    ({"start_from_epoch": -2}, r"`start_from_epoch`.*start_from_epoch=-2"),
    ({"mode": "up"}, r"`mode`: expected one of 'auto', 'min', 'max'. Received: mode='up'"),
    ({"min_delta": "0.1"}, r"`min_delta`: expected a finite number. Received: min_delta='0.1'"),
    ({"baseline": float("nan")}, r"`baseline`: expected a finite number or None"),
    ({"restore_best_weights": 1}, r"`restore_best_weights`: expected True or False"),
    ({"monitor": None}, r"`monitor`: expected a non-empty string. Received: monitor=None"),
])
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=r"^EarlyStopping: invalid value.*" + message):
        EarlyStopping(**kwargs)
