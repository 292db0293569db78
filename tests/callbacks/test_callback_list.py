"""CallbackList: hook forwarding order and arguments, defaults, params, model, logs copies."""

import pytest
from callback_fakes import FakeModel, fit

from gpulayers.callbacks import Callback, CallbackList, History, ProgbarLogger

HOOKS_WITH_INDEX = ["on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
                    "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
                    "on_predict_batch_begin", "on_predict_batch_end", "on_batch_begin",
                    "on_batch_end"]
HOOKS_LOGS_ONLY = ["on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
                   "on_predict_begin", "on_predict_end"]


class Recorder(Callback):
    """Records (name, hook, args) for every hook into a shared list."""

    def __init__(self, name, calls):
        super().__init__()
        self.name = name
        self.calls = calls

    def __getattribute__(self, attr):
        if attr in HOOKS_WITH_INDEX:
            return lambda index, logs=None: self.calls.append((self.name, attr, index, logs))
        if attr in HOOKS_LOGS_ONLY:
            return lambda logs=None: self.calls.append((self.name, attr, logs))
        return super().__getattribute__(attr)


@pytest.mark.parametrize("hook", HOOKS_WITH_INDEX)
def test_index_hooks_reach_every_callback_in_order(hook):
    calls = []
    callbacks = CallbackList([Recorder("a", calls), Recorder("b", calls)])
    getattr(callbacks, hook)(4, {"loss": 0.5})
    assert calls == [("a", hook, 4, {"loss": 0.5}), ("b", hook, 4, {"loss": 0.5})]


@pytest.mark.parametrize("hook", HOOKS_LOGS_ONLY)
def test_logs_hooks_reach_every_callback_in_order(hook):
    calls = []
    callbacks = CallbackList([Recorder("a", calls), Recorder("b", calls)])
    getattr(callbacks, hook)({"loss": 0.5})
    assert calls == [("a", hook, {"loss": 0.5}), ("b", hook, {"loss": 0.5})]


def test_none_logs_arrive_as_an_empty_dict():
    calls = []
    CallbackList([Recorder("a", calls)]).on_epoch_end(0)
    assert calls == [("a", "on_epoch_end", 0, {})]


def test_later_callbacks_see_keys_added_by_earlier_ones_but_the_caller_dict_is_untouched():
    seen = []

    class AddsKey(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["learning_rate"] = 0.1

    class Reads(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(dict(logs))

    caller_logs = {"loss": 1.0}
    CallbackList([AddsKey(), Reads()]).on_epoch_end(0, caller_logs)
    assert seen == [{"loss": 1.0, "learning_rate": 0.1}]
    assert caller_logs == {"loss": 1.0}


def test_base_train_batch_hooks_call_the_keras2_aliases():
    calls = []

    class Keras2Style(Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch, logs))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, logs))

    callbacks = CallbackList([Keras2Style()])
    callbacks.on_train_batch_begin(0)
    callbacks.on_train_batch_end(0, {"loss": 2.0})
    callbacks.on_test_batch_end(0, {"loss": 3.0})  # not a training batch: no alias
    assert calls == [("begin", 0, {}), ("end", 0, {"loss": 2.0})]


def test_a_full_fit_calls_the_hooks_in_keras_order():
    calls = []
    fit(FakeModel(), [Recorder("a", calls)], [{"loss": 1.0, "val_loss": 2.0}], steps=2,
        val_steps=1)
    names = [call[1] for call in calls]
    assert names == ["on_train_begin", "on_epoch_begin",
                     "on_train_batch_begin", "on_train_batch_end",
                     "on_train_batch_begin", "on_train_batch_end",
                     "on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
                     "on_epoch_end", "on_train_end"]
    assert calls[-2] == ("a", "on_epoch_end", 0, {"loss": 1.0, "val_loss": 2.0})


def test_add_history_and_add_progbar_append_after_the_user_callbacks():
    mine = Callback()
    callbacks = CallbackList([mine], add_history=True, add_progbar=True)
    assert len(callbacks) == 3
    assert callbacks.callbacks[0] is mine
    assert isinstance(callbacks.callbacks[1], History)
    assert isinstance(callbacks.callbacks[2], ProgbarLogger)
    assert list(callbacks) == callbacks.callbacks


def test_defaults_are_not_added_twice_nor_unasked():
    history, progbar = History(), ProgbarLogger()
    callbacks = CallbackList([progbar, history], add_history=True, add_progbar=True)
    assert callbacks.callbacks == [progbar, history]
    assert CallbackList().callbacks == []
    assert CallbackList(None, add_history=False, add_progbar=False).callbacks == []


def test_set_model_reaches_every_callback_and_points_model_history_at_the_history():
    model = FakeModel()
    mine = Callback()
    callbacks = CallbackList([mine], add_history=True, model=model)
    assert mine.model is model and callbacks.model is model
    assert model.history is callbacks.callbacks[1]
    given = History()
    CallbackList([given], add_history=True, model=model)
    assert model.history is given


def test_params_reach_every_callback_but_empty_params_are_not_forwarded():
    mine = Callback()
    CallbackList([mine], verbose=0, epochs=3, steps=None)
    assert mine.params == {"verbose": 0, "epochs": 3, "steps": None}
    other = Callback()
    CallbackList([other])
    assert other.params is None


def test_callbacks_may_be_one_callback_a_tuple_or_nested_lists():
    a, b, c = Callback(), Callback(), Callback()
    assert CallbackList(a).callbacks == [a]
    assert CallbackList((a, [b, [c]])).callbacks == [a, b, c]


def test_append_gives_the_new_callback_the_model_and_params():
    model = FakeModel()
    callbacks = CallbackList([], model=model, verbose=1, epochs=2, steps=5)
    late = Callback()
    callbacks.append(late)
    assert callbacks.callbacks == [late]
    assert late.model is model and late.params == {"verbose": 1, "epochs": 2, "steps": 5}


@pytest.mark.parametrize("bad", [[Callback(), "early_stopping"], [print], 3])
def test_non_callbacks_are_a_clear_error(bad):
    with pytest.raises(ValueError, match=r"CallbackList: invalid value .*callbacks.*Received"):
        CallbackList(bad)


def test_a_subclass_that_skips_super_init_still_works():
    class Lazy(Callback):
        def __init__(self):
            self.count = 0

        def on_epoch_end(self, epoch, logs=None):
            self.count += 1

    lazy = Lazy()
    assert lazy.model is None and lazy.params is None
    fit(FakeModel(), [lazy], [{"loss": 1.0}, {"loss": 0.5}])
    assert lazy.count == 2
