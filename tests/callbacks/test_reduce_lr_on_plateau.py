"""ReduceLROnPlateau: the exact learning rate after every epoch, with cooldown and min_lr."""

import pytest
from callback_fakes import FakeModel, fit

from gpulayers.callbacks import LambdaCallback, ReduceLROnPlateau


def _rates(values, monitor="val_loss", learning_rate=1.0, float32_lr=False, **kwargs):
    """The optimizer's rate after each epoch and the History of the run."""
    model = FakeModel(learning_rate, float32_lr)
    after = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: after.append(
        model.optimizer.learning_rate))
    reduce = ReduceLROnPlateau(monitor=monitor, **kwargs)
    history = fit(model, [reduce, record], [{"loss": 1.0, monitor: float(v)} for v in values])
    return after, history


def test_reduces_after_patience_epochs_without_improvement():
    # e0 best; e1 wait 1; e2 wait 2: x0.5; e3 wait 1; e4 wait 2: x0.5; e5 wait 1.
    after, history = _rates([1.0] * 6, factor=0.5, patience=2, min_delta=0.0)
    assert after == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    # 'learning_rate' joins the logs (the rate in force during the epoch) and the History.
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25]


def test_cooldown_holds_the_wait_at_zero():
    # cooldown=2: the reduction at e2 starts a cooldown over e3, e4 (the counter reaches 0 at
    # e4, which then counts as wait 1); e5 wait 2: x0.5; the same again from e6.
    after, _ = _rates([1.0] * 8, factor=0.5, patience=2, min_delta=0.0, cooldown=2)
    assert after == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    after, _ = _rates([1.0] * 8, factor=0.5, patience=2, min_delta=0.0, cooldown=0)
    assert after == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]


def test_min_lr_is_a_floor():
    after, _ = _rates([1.0] * 5, factor=0.5, patience=1, min_lr=0.3)
    assert after == [1.0, 0.5, 0.3, 0.3, 0.3]


def test_a_float32_rate_at_min_lr_is_not_reduced_again(capsys):
    # The rate reads back as float32(1e-3) = 0.0010000000475 > 1e-3: still "at" min_lr.
    after, _ = _rates([1.0] * 6, learning_rate=4e-3, float32_lr=True, factor=0.5, patience=1,
                      min_lr=1e-3, verbose=1)
    assert after[-1] == pytest.approx(1e-3)
    assert capsys.readouterr().out.count("reducing learning rate") == 2


def test_an_improvement_resets_the_wait():
    after, _ = _rates([1.0, 0.9, 0.95, 0.96, 0.97], factor=0.5, patience=2, min_delta=0.0)
    assert after == [1.0, 1.0, 1.0, 0.5, 0.5]


def test_default_min_delta_ignores_tiny_gains():
    # 0.99995 is within min_delta=1e-4 of 1.0: no improvement, so e1 reduces (x0.1).
    after, _ = _rates([1.0, 0.99995, 0.9], patience=1)
    assert after == [1.0, pytest.approx(0.1), pytest.approx(0.1)]


@pytest.mark.parametrize("mode", ["max", "auto"])
def test_maximized_quantities(mode):
    after, _ = _rates([0.5, 0.6, 0.6, 0.7], monitor="val_accuracy", mode=mode, factor=0.5,
                      patience=1, min_delta=0.0)
    assert after == [1.0, 1.0, 0.5, 0.5]


def test_verbose_message(capsys):
    _rates([1.0, 1.0], factor=0.5, patience=1, verbose=1)
    assert capsys.readouterr().out == "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.5.\n"


def test_missing_monitor_warns_and_leaves_the_rate():
    model = FakeModel(1.0)
    reduce = ReduceLROnPlateau(patience=0)
    with pytest.warns(UserWarning, match=r"conditioned on metric `val_loss`.*loss,learning_rate"):
        fit(model, [reduce], [{"loss": 1.0}, {"loss": 2.0}])
    assert model.optimizer.learning_rate == 1.0


def test_state_resets_at_train_begin():
    model = FakeModel(1.0)
    reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=0.0)
    fit(model, [reduce], [{"loss": 1.0}, {"loss": 1.0}])
    assert model.optimizer.learning_rate == 0.5
    fit(model, [reduce], [{"loss": 5.0}])  # a fresh best, not "worse than 1.0"
    assert model.optimizer.learning_rate == 0.5 and reduce.best == 5.0


@pytest.mark.parametrize("factor", [1.0, 2])
def test_factor_of_one_or_more_is_an_error(factor):
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau does not support a factor >= 1.0"
                                         r".*expected a number in \[0, 1\). Received: factor="):
        ReduceLROnPlateau(factor=factor)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"factor": -0.5}, r"`factor`: expected a finite number >= 0.0. Received: factor=-0.5"),
    ({"patience": -1}, r"`patience`: expected an integer >= 0"),
    ({"cooldown": 0.5}, r"`cooldown`: expected an integer >= 0. Received: cooldown=0.5"),
    ({"min_lr": -1e-3}, r"`min_lr`: expected a finite number >= 0.0"),
    ({"mode": "lower"}, r"`mode`"),
])
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=r"^ReduceLROnPlateau: invalid value.*" + message):
        ReduceLROnPlateau(**kwargs)
