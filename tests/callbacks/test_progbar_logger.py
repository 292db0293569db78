"""ProgbarLogger: tqdm bars for verbose=1, one line per epoch for verbose=2, silence for 0."""

import io
import os
import re

import pytest
from callback_fakes import FakeModel, evaluate, fit, predict

from gpulayers.callbacks import ModelCheckpoint, ProgbarLogger, progbar_logger
from gpulayers.callbacks.progbar_logger import format_logs

LOGS = [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.7},
        {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "val_accuracy": 0.8},
        {"loss": 0.125, "accuracy": 0.9375, "val_loss": 0.375, "val_accuracy": 0.85}]


def _final_states(text):
    """The last redraw of each bar: tqdm redraws a line with \\r and ends it with \\n."""
    return [line.split("\r")[-1] for line in text.split("\n") if line.strip()]


def test_verbose_1_draws_one_bar_per_epoch_with_running_and_validation_values(capsys):
    fit(FakeModel(), None, LOGS, steps=4, verbose=1)
    out = capsys.readouterr().out
    finals = _final_states(out)
    assert len(finals) == 3
    for epoch, (line, logs) in enumerate(zip(finals, LOGS)):
        assert line.startswith(f"Epoch {epoch + 1}/3: 100%")
        assert "4/4" in line
        expected = " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())
        assert expected in line  # the train values then the val_ ones, Keras's 4 decimals


def test_verbose_1_shows_the_running_values_during_the_epoch():
    progbar = ProgbarLogger()
    progbar.set_params({"verbose": 1, "epochs": 10, "steps": 4})
    progbar.on_train_begin()
    progbar.on_epoch_begin(2)
    progbar.on_train_batch_end(0, {"loss": 0.5, "accuracy": 0.75})
    progbar.on_train_batch_end(1, {"loss": 0.25, "accuracy": 0.5})
    # What tqdm draws at its next refresh (it redraws at most every 0.1 s).
    line = str(progbar.progbar)
    assert line.startswith("Epoch 3/10:  50%") and "2/4" in line
    assert line.endswith("step/s, loss: 0.2500 - accuracy: 0.5000]")
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d", line)  # elapsed<remaining: the ETA
    progbar.on_epoch_end(2, {"loss": 0.25, "val_loss": 0.5})
    assert progbar.progbar is None


def test_a_narrow_terminal_cuts_the_live_line_but_not_the_final_one(capsys):
    progbar = ProgbarLogger()
    progbar.set_params({"verbose": 1, "epochs": 1, "steps": 2})
    progbar.on_epoch_begin(0)
    progbar.on_train_batch_end(0, {"loss": 0.5, "accuracy": 0.75})
    progbar.progbar.dynamic_ncols = lambda fp: (40, 20)  # what tqdm reads from a terminal
    assert len(str(progbar.progbar)) == 40
    progbar.on_train_batch_end(1, {"loss": 0.5, "accuracy": 0.75})
    progbar.on_epoch_end(0, LOGS[0])
    final = _final_states(capsys.readouterr().out)[-1]
    assert final.endswith("val_loss: 0.6250 - val_accuracy: 0.7000]")


def test_verbose_1_keeps_validation_inside_fit_silent(capsys):
    fit(FakeModel(), None, LOGS[:1], steps=2, verbose=1)
    out = capsys.readouterr().out
    # The validation batches log {'loss': 0.625}: shown only as val_loss in the epoch line.
    assert out.count("loss: 0.6250") == out.count("val_loss: 0.6250") == 1


def test_verbose_2_prints_the_epoch_then_one_line_when_it_ends_as_keras_3(capsys):
    fit(FakeModel(), None, LOGS, steps=4, verbose=2)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 6 and "\r" not in out
    for epoch in range(3):
        assert lines[2 * epoch] == f"Epoch {epoch + 1}/3"
        assert re.fullmatch(r"4/4 - \d+s - \d+(s|ms|us)/step - .*", lines[2 * epoch + 1])
    assert lines[3].endswith("loss: 0.2500 - accuracy: 0.8750 - val_loss: 0.5000 - "
                             "val_accuracy: 0.8000")


def test_verbose_2_with_unknown_steps(capsys):
    fit(FakeModel(), None, LOGS[:1], steps=3, verbose=2, steps_known=False)
    # one epoch: no "Epoch 1/1" line (as Keras)
    assert capsys.readouterr().out.startswith("3/3 - ")


def test_evaluate_shows_a_bar_with_its_results(capsys):
    evaluate(FakeModel(), None, {"loss": 0.3, "accuracy": 0.9}, steps=3, verbose=1)
    finals = _final_states(capsys.readouterr().out)
    assert len(finals) == 1
    assert finals[0].startswith("100%") and "3/3" in finals[0]
    assert "loss: 0.3000 - accuracy: 0.9000" in finals[0]


def test_evaluate_verbose_2_prints_one_summary_line(capsys):
    evaluate(FakeModel(), None, {"loss": 0.3}, steps=3, verbose=2)
    out = capsys.readouterr().out
    assert re.fullmatch(r"3/3 - \d+s - \d+(s|ms|us)/step - loss: 0\.3000\n", out)


def test_predict_shows_a_bar_without_the_outputs(capsys):
    predict(FakeModel(), None, steps=3, verbose=1)
    out = capsys.readouterr().out
    finals = _final_states(out)
    assert len(finals) == 1 and "3/3" in finals[0]
    # The outputs hold 123.456 (a value no rate or count in the bar can spell).
    assert "outputs" not in out and "123.4" not in out


def test_a_progbar_used_in_fit_shows_a_later_evaluate(capsys):
    progbar = ProgbarLogger()
    model = FakeModel()
    fit(model, [progbar], LOGS[:1], steps=2, verbose=1)
    capsys.readouterr()
    evaluate(model, [progbar], {"loss": 0.3}, steps=2, verbose=1)
    assert "loss: 0.3000" in capsys.readouterr().out


def test_messages_of_other_callbacks_get_their_own_line(capsys, tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="loss", verbose=1)
    fit(FakeModel(), [checkpoint], LOGS[:2], steps=2, verbose=1)
    # What a terminal shows: the text after the last carriage return of each line.
    lines = [line.split("\r")[-1] for line in capsys.readouterr().out.split("\n")]
    assert f"Epoch 1: saving model to {tmp_path / 'm.keras'}" in lines
    assert f"Epoch 2: finished saving model to {tmp_path / 'm.keras'}" in lines


@pytest.mark.parametrize(("logs", "expected"), [
    ({"loss": 0.5, "lr": 1e-4}, "loss: 0.5000 - lr: 1.0000e-04"),
    ({"loss": 0.0, "name": "x"}, "loss: 0.0000e+00 - name: x"),
    ({"loss": 2.0, "outputs": [1, 2], "flag": True}, "loss: 2.0000"),
    (None, ""),
])
def test_values_are_formatted_like_keras(logs, expected):
    assert format_logs(logs) == expected


def test_terminal_size_reading(monkeypatch):
    assert progbar_logger._terminal_shape(io.StringIO()) == (None, None)  # not a terminal

    class Terminal:
        def fileno(self):
            return 1

    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((80, 24)))
    assert progbar_logger._terminal_shape(Terminal()) == (79, 23)
    # A pseudo-terminal whose size was never set: unknown, rather than "0 columns".
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((0, 0)))
    assert progbar_logger._terminal_shape(Terminal()) == (None, None)
