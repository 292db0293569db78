"""LambdaCallback: functions as hooks, with Keras's calling conventions."""

import pytest
from callback_fakes import FakeModel, evaluate, fit, predict

from gpulayers.callbacks import LambdaCallback


def test_the_six_named_hooks_with_positional_parameters():
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        # Any parameter names: epoch hooks get two positionals, batch hooks logs= by keyword.
        on_train_batch_begin=lambda b, logs: calls.append(("batch_begin", b)),
        on_train_batch_end=lambda b, logs: calls.append(("batch_end", b, logs["loss"])),
        on_epoch_end=lambda e, values: calls.append(("epoch_end", e, values["loss"])),
        on_train_end=lambda values: calls.append(("train_end", values["loss"])),
    )
    fit(FakeModel(), [callback], [{"loss": 0.5}], steps=2)
    assert calls == [("train_begin", {}), ("epoch_begin", 0), ("batch_begin", 0),
                     ("batch_end", 0, 0.5), ("batch_begin", 1), ("batch_end", 1, 0.5),
                     ("epoch_end", 0, 0.5), ("train_end", 0.5)]


def test_other_hooks_by_keyword():
    calls = []
    callback = LambdaCallback(
        on_test_begin=lambda logs: calls.append("test_begin"),
        on_test_batch_end=lambda batch, logs: calls.append(("test_batch", batch)),
        on_test_end=lambda logs: calls.append(("test_end", logs["loss"])),
        on_predict_batch_end=lambda batch, logs: calls.append(("predict", logs["outputs"].shape)),
        on_predict_end=lambda logs: calls.append("predict_end"),
        on_batch_end=lambda batch, logs: calls.append(("keras2", batch)),
    )
    evaluate(FakeModel(), [callback], {"loss": 0.25}, steps=2, verbose=0)
    predict(FakeModel(), [callback], steps=1, verbose=0)
    fit(FakeModel(), [callback], [{"loss": 1.0}], steps=1)
    assert calls == ["test_begin", ("test_batch", 0), ("test_batch", 1), ("test_end", 0.25),
                     ("predict", (4, 2)), "predict_end", ("keras2", 0)]


def test_hooks_left_out_do_nothing():
    callback = LambdaCallback(on_epoch_end=None)
    fit(FakeModel(), [callback], [{"loss": 1.0}])
    assert "on_epoch_end" not in vars(callback)


def test_an_unknown_hook_name_is_an_error():
    with pytest.raises(ValueError, match=r"^LambdaCallback: unknown hook `on_epoch_finish`: "
                                         r"expected one of .*on_epoch_end.*Received"):
        LambdaCallback(on_epoch_finish=print)


def test_a_non_callable_is_an_error():
    with pytest.raises(ValueError, match=r"^LambdaCallback: invalid value for argument "
                                         r"`on_epoch_end`: expected a function or None. "
                                         r"Received: on_epoch_end=3"):
        LambdaCallback(on_epoch_end=3)
