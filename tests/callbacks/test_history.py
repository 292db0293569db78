"""History: the dict of per-epoch lists that fit returns."""

import pytest
from callback_fakes import FakeModel, fit

from gpulayers.callbacks import EarlyStopping, History

LOGS = [{"loss": 1.0, "accuracy": 0.5, "val_loss": 1.5, "val_accuracy": 0.25},
        {"loss": 0.5, "accuracy": 0.75, "val_loss": 1.0, "val_accuracy": 0.5},
        {"loss": 0.25, "accuracy": 1.0, "val_loss": 0.75, "val_accuracy": 0.75}]


def test_history_records_every_epochs_logs():
    model = FakeModel()
    history = fit(model, None, LOGS)
    assert isinstance(history, History) and model.history is history
    assert history.history == {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.75, 1.0],
                               "val_loss": [1.5, 1.0, 0.75], "val_accuracy": [0.25, 0.5, 0.75]}
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}


def test_history_stops_with_training():
    logs = [{"loss": 1.0}, {"loss": 2.0}, {"loss": 3.0}, {"loss": 0.1}]
    history = fit(FakeModel(), [EarlyStopping(monitor="loss")], logs)
    assert history.history == {"loss": [1.0, 2.0]}
    assert history.epoch == [0, 1]


def test_a_reused_history_keeps_its_values_and_restarts_epoch():
    # Keras: `history` accumulates across fit() calls, `epoch` restarts at on_train_begin.
    history = History()
    model = FakeModel()
    fit(model, [history], LOGS[:2])
    fit(model, [history], LOGS[2:])
    assert history.history["loss"] == [1.0, 0.5, 0.25]
    assert history.epoch == [0]
    assert model.history is history


def test_history_works_driven_by_hand():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 0.5})
    history.on_epoch_end(1, None)
    assert history.history == {"loss": [0.5]}
    assert history.epoch == [0, 1]
    assert history.history["loss"][0] == pytest.approx(0.5)
