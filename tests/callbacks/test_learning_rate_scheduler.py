"""LearningRateScheduler: schedule(epoch) and schedule(epoch, lr), and non-float results."""

import functools

import numpy as np
import pytest
from callback_fakes import FakeModel, fit

from gpulayers.callbacks import LambdaCallback, LearningRateScheduler


def _rates_during(schedule, epochs=3, learning_rate=1.0):
    """The rate the optimizer had during each epoch's first batch, and the History."""
    model = FakeModel(learning_rate)
    during = []
    record = LambdaCallback(on_train_batch_begin=lambda batch, logs: during.append(
        model.optimizer.learning_rate) if batch == 0 else None)
    history = fit(model, [LearningRateScheduler(schedule), record],
                  [{"loss": 1.0}] * epochs)
    return during, history


def test_schedule_of_the_epoch():
    during, history = _rates_during(lambda epoch: 0.1 / (epoch + 1))
    assert during == [0.1, 0.05, pytest.approx(0.1 / 3)]
    assert history.history["learning_rate"] == during


def test_schedule_of_the_epoch_and_the_current_rate():
    during, _ = _rates_during(lambda epoch, lr: lr * 0.5)
    assert during == [0.5, 0.25, 0.125]


def test_other_two_argument_forms():
    def with_default(epoch, lr=0.0):
        return lr + epoch

    assert _rates_during(with_default)[0] == [1.0, 2.0, 4.0]
    assert _rates_during(functools.partial(lambda scale, epoch, lr: lr * scale, 2.0))[0] == [
        2.0, 4.0, 8.0]


def test_numpy_floats_are_accepted_and_stored_as_python_floats():
    during, _ = _rates_during(lambda epoch: np.float32(0.5) ** (epoch + 1))
    assert during == [0.5, 0.25, 0.125] and all(type(lr) is float for lr in during)


@pytest.mark.parametrize("result", [1, "0.1", None, np.array([0.1, 0.2])])
def test_a_non_float_result_is_an_error_naming_the_callback(result):
    with pytest.raises(ValueError, match=r"^LearningRateScheduler: the output of the `schedule` "
                                         r"function should be a float. Received: .* of type "):
        _rates_during(lambda epoch: result)


def test_a_type_error_inside_a_two_argument_schedule_is_not_swallowed():
    def broken(epoch, lr):
        return lr + "x"

    with pytest.raises(TypeError, match="unsupported operand"):
        _rates_during(broken)


def test_verbose_message(capsys):
    model = FakeModel(1.0)
    fit(model, [LearningRateScheduler(lambda epoch: 0.5, verbose=1)], [{"loss": 1.0}])
    assert capsys.readouterr().out == ("Epoch 1: LearningRateScheduler setting learning rate "
                                       "to 0.5.\n")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"schedule": 0.1}, r"`schedule`: expected a function \(epoch, lr\) -> float or \(epoch\) "
                        r"-> float. Received: schedule=0.1"),
    ({"schedule": lambda e: 0.1, "verbose": "loud"}, r"`verbose`: expected an integer >= 0"),
])
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=r"^LearningRateScheduler: invalid value.*" + message):
        LearningRateScheduler(**kwargs)
