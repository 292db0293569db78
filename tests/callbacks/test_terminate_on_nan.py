"""TerminateOnNaN: stop (or raise) at the first batch whose loss is NaN or infinite."""

import math

import pytest
from callback_fakes import FakeModel, fit

from gpulayers.callbacks import LambdaCallback, TerminateOnNaN


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_stops_at_the_first_invalid_loss(bad, capsys):
    model = FakeModel()
    batches = []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    history = fit(model, [TerminateOnNaN(), record], [{"loss": 1.0}] * 3, steps=4,
                  batch_losses=[[1.0, 2.0, 3.0, 4.0], [1.0, bad, 2.0, 3.0], [1.0] * 4])
    assert model.stop_training
    assert batches == [0, 1, 2, 3, 0, 1]  # the loop ends the epoch right after the bad batch
    assert history.epoch == [0, 1]
    assert capsys.readouterr().out == "Batch 1: Invalid loss, terminating training\n"


def test_finite_losses_do_not_stop():
    model = FakeModel()
    history = fit(model, [TerminateOnNaN()], [{"loss": 1e30}] * 2)
    assert not model.stop_training and history.epoch == [0, 1]


def test_raise_error_raises_at_once_and_skips_train_end():
    ended = []
    end = LambdaCallback(on_train_end=lambda logs: ended.append(True))
    with pytest.raises(RuntimeError, match=r"NaN or Inf loss encountered at batch 0"):
        fit(FakeModel(), [TerminateOnNaN(raise_error=True), end], [{"loss": math.nan}])
    assert ended == []


def test_the_keras2_hook_alone_works():
    model = FakeModel()
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.on_batch_end(0, {"loss": float("nan")})
    assert model.stop_training
    callback.on_batch_end(0, {"accuracy": 0.5})  # no loss: nothing to judge


def test_bad_argument():
    with pytest.raises(ValueError, match=r"^TerminateOnNaN: invalid value for argument "
                                         r"`raise_error`: expected True or False"):
        TerminateOnNaN(raise_error="yes")
