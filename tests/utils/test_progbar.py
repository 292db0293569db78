"""utils.Progbar: Keras 3's averaging rules and its verbose=2 summary line, compared with
Keras's own Progbar and with hand-computed averages."""

import pytest
from keras_available import keras_or_skip

from gpulayers.utils.progbar import Progbar


def _drive(bar):
    """The same updates for either implementation: 5 steps, an add() without values last."""
    bar.update(1, [("loss", 1.0), ("acc", 0.25)])
    bar.update(3, [("loss", 2.0), ("acc", 0.5)])   # 2 steps since the last update
    bar.add(1, [("loss", 4.0)])
    bar.add(1)                                     # reaches the target: finalizes


def _values_after_time(line):
    """``'5/5 - 0s - 3us/step - loss: 2.2500'`` -> ``('5/5', ['loss: 2.2500'])``: the times
    differ from run to run, the rest must not."""
    parts = line.strip().split(" - ")
    return parts[0], parts[3:]


def test_running_averages_weighted_by_steps():
    bar = Progbar(5, verbose=0, stateful_metrics=["acc"])
    _drive(bar)
    # loss: (1*1 + 2*2 + 4*1) / 4 steps; acc is stateful: the last value.
    assert bar.values == {"loss": pytest.approx(9 / 4), "acc": 0.5}


def test_stateless_metrics_list_averages_only_those():
    bar = Progbar(5, verbose=0, stateless_metrics=["acc"])
    _drive(bar)
    # (0.25*1 + 0.5*2) / 3 for acc; loss is shown as last given.
    assert bar.values == {"loss": 4.0, "acc": pytest.approx(1.25 / 3)}


def test_finalizing_update_shows_its_values_as_given():
    bar = Progbar(2, verbose=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 5.0)])  # current >= target: Keras displays the value as is
    assert bar.values == {"loss": 5.0}


@pytest.mark.parametrize("stateful", [None, ["acc"]])
def test_verbose2_line_matches_keras(capsys, stateful):
    keras = keras_or_skip()
    ours = Progbar(5, verbose=2, stateful_metrics=stateful)
    _drive(ours)
    our_line = capsys.readouterr().out
    theirs = keras.utils.Progbar(5, verbose=2, stateful_metrics=stateful)
    _drive(theirs)
    keras_line = capsys.readouterr().out
    assert our_line.count("\n") == keras_line.count("\n") == 1
    assert _values_after_time(our_line) == _values_after_time(keras_line)


def test_verbose2_small_values_use_scientific_notation(capsys):
    bar = Progbar(1, verbose=2)
    bar.update(1, [("lr", 1e-4)])
    assert capsys.readouterr().out.strip().endswith("lr: 1.0000e-04")


def test_verbose1_draws_bar_with_values(capsys):
    bar = Progbar(5, verbose=1, interval=0.0)
    _drive(bar)
    out = capsys.readouterr().out
    assert "5/5" in out and "loss: 2.2500" in out


def test_unknown_target_and_silent_modes(capsys):
    bar = Progbar(None, verbose=2)
    bar.add(3, [("loss", 1.0)])
    bar = Progbar(4, verbose=0)
    bar.update(4, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_bad_arguments():
    with pytest.raises(ValueError, match="only one of"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])
    with pytest.raises(ValueError, match="verbose"):
        Progbar(3, verbose=3)
    with pytest.raises(ValueError, match="target"):
        Progbar(-1)
