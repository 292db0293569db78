"""ModelCheckpoint: file names, save_best_only in each mode, weights only, saving by batches."""

import os

import pytest
from callback_fakes import FakeModel, fit

from gpulayers.callbacks import ModelCheckpoint


def _epochs(**series):
    """Epoch logs from per-key lists: _epochs(loss=[1, 2]) -> [{'loss': 1}, {'loss': 2}]."""
    count = len(next(iter(series.values())))
    return [{key: float(values[i]) for key, values in series.items()} for i in range(count)]


def test_every_epoch_is_saved_under_its_formatted_name(tmp_path):
    model = FakeModel()
    pattern = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.2f}.keras")
    fit(model, [ModelCheckpoint(pattern)], _epochs(loss=[1, 1, 1], val_loss=[0.5, 0.25, 0.125]))
    expected = [str(tmp_path / "ckpt" / name) for name in
                ("01-0.50.keras", "02-0.25.keras", "03-0.12.keras")]
    assert model.saved == [("model", path) for path in expected]
    assert sorted(os.listdir(tmp_path / "ckpt")) == [os.path.basename(p) for p in expected]
    # Saved at the end of each epoch: the epoch's last batch's weights (epoch, batch 2).
    assert (tmp_path / "ckpt" / "02-0.25.keras").read_text() == "model [1.0, 2.0]"


def test_pathlike_filepath(tmp_path):
    model = FakeModel()
    fit(model, [ModelCheckpoint(tmp_path / "m.keras")], _epochs(val_loss=[1]))
    assert model.saved == [("model", str(tmp_path / "m.keras"))]


@pytest.mark.parametrize(("monitor", "mode", "values", "saved_epochs"), [
    ("val_loss", "min", [0.5, 0.4, 0.45, 0.3, 0.3], [1, 2, 4]),
    ("val_loss", "auto", [0.5, 0.4, 0.45, 0.3, 0.3], [1, 2, 4]),
    ("val_accuracy", "max", [0.5, 0.4, 0.6, 0.6, 0.7], [1, 3, 5]),
    ("val_accuracy", "auto", [0.5, 0.4, 0.6, 0.6, 0.7], [1, 3, 5]),
    ("val_auc", "auto", [0.5, 0.4, 0.6, 0.6, 0.7], [1, 3, 5]),
    ("val_precision", "auto", [0.5, 0.4, 0.6, 0.6, 0.7], [1, 3, 5]),
    ("recall", "auto", [0.5, 0.4, 0.6, 0.6, 0.7], [1, 3, 5]),
    ("val_mae", "auto", [0.5, 0.4, 0.45, 0.3, 0.3], [1, 2, 4]),  # unknown names: minimized
    ("val_accuracy", "min", [0.5, 0.4, 0.6, 0.6, 0.3], [1, 2, 5]),
])
def test_save_best_only(tmp_path, monitor, mode, values, saved_epochs):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), monitor=monitor, mode=mode,
                                 save_best_only=True)
    fit(model, [checkpoint], _epochs(loss=[1.0] * len(values), **{monitor: values}))
    assert model.saved == [("model", str(tmp_path / f"{e}.keras")) for e in saved_epochs]
    best = min(values) if checkpoint.maximize is False else max(values)
    assert checkpoint.best == pytest.approx(best)


def test_save_best_only_overwrites_one_file_with_the_best_model(tmp_path):
    model = FakeModel()
    path = tmp_path / "best.keras"
    fit(model, [ModelCheckpoint(str(path), save_best_only=True)],
        _epochs(val_loss=[0.5, 0.3, 0.4]))
    assert [p for _, p in model.saved] == [str(path)] * 2
    assert path.read_text() == "model [1.0, 2.0]"  # epoch 1 (0-based) was the best


def test_initial_value_threshold_must_be_beaten(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), save_best_only=True,
                                 initial_value_threshold=0.35)
    fit(model, [checkpoint], _epochs(val_loss=[0.5, 0.4, 0.3, 0.36, 0.2]))
    assert [p for _, p in model.saved] == [str(tmp_path / "3.keras"), str(tmp_path / "5.keras")]


def test_save_weights_only_calls_save_weights(tmp_path):
    model = FakeModel()
    fit(model, [ModelCheckpoint(str(tmp_path / "w{epoch}.weights.h5"), save_weights_only=True)],
        _epochs(val_loss=[1, 2]))
    assert model.saved == [("weights", str(tmp_path / "w1.weights.h5")),
                           ("weights", str(tmp_path / "w2.weights.h5"))]
    assert (tmp_path / "w2.weights.h5").read_text() == "weights [1.0, 2.0]"


def test_save_freq_counts_batches_across_epochs(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.keras"), save_freq=2)
    fit(model, [checkpoint], _epochs(loss=[1, 1], val_loss=[1, 1]), steps=3)
    # 6 batches: saved after the 2nd, 4th and 6th, none at epoch ends.
    assert [os.path.basename(p) for _, p in model.saved] == [
        "e1-b2.keras", "e2-b1.keras", "e2-b3.keras"]
    assert (tmp_path / "e2-b1.keras").read_text() == "model [1.0, 0.0]"


def test_save_freq_with_save_best_only_judges_the_running_batch_logs(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "b{batch}.keras"), monitor="loss",
                                 save_freq=1, save_best_only=True)
    fit(model, [checkpoint], [{"loss": 1.0}], steps=4, batch_losses=[[4.0, 2.0, 6.0, 0.0]])
    # Running means 4, 3, 4, 3: the 1st and 2nd batches improve, the 4th only ties.
    assert [os.path.basename(p) for _, p in model.saved] == ["b1.keras", "b2.keras"]


def test_missing_monitor_warns_and_saves_anyway(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_loss",
                                 save_best_only=True)
    with pytest.warns(UserWarning, match=r"only with val_loss available.*loss"):
        fit(model, [checkpoint], _epochs(loss=[1]))
    assert len(model.saved) == 1


def test_verbose_messages(tmp_path, capsys):
    checkpoint = ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True, verbose=1)
    fit(FakeModel(), [checkpoint], _epochs(val_loss=[0.5, 0.6]))
    out = capsys.readouterr().out
    assert (f"Epoch 1: val_loss improved from None to 0.50000, saving model to "
            f"{tmp_path / 'm.keras'}") in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out


def test_a_missing_format_field_names_the_filepath(tmp_path):
    with pytest.raises(KeyError, match=r"ModelCheckpoint: failed to format.*val_acc"):
        fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "{val_acc:.2f}.keras"))],
            _epochs(loss=[1]))


def test_an_existing_directory_as_filepath_is_an_error(tmp_path):
    (tmp_path / "m.keras").mkdir()
    with pytest.raises(OSError, match="existing directory"):
        fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "m.keras"))], _epochs(loss=[1]))


@pytest.mark.parametrize(("name", "weights_only"), [
    ("m", False), ("m.h5", False), ("m.weights.h5", False), ("m.keras", True), ("m.h5", True)])
def test_a_filepath_with_the_wrong_extension_is_refused_when_built(tmp_path, name, weights_only):
    # Keras 3 checks it in the constructor too (model.save / save_weights would refuse it later).
    with pytest.raises(ValueError, match=r"ModelCheckpoint.*`filepath`: expected a path ending "
                                         r"in \.(keras|weights\.h5 or \.weights\.npz)"):
        ModelCheckpoint(str(tmp_path / name), save_weights_only=weights_only)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"save_freq": 0}, r"`save_freq`: expected 'epoch' or a positive integer.*save_freq=0"),
    ({"save_freq": "batch"}, r"save_freq='batch'"),
    ({"save_freq": True}, r"save_freq=True"),
    ({"mode": "minimum"}, r"`mode`: expected one of 'auto', 'min', 'max'.*mode='minimum'"),
    ({"monitor": ""}, r"`monitor`: expected a non-empty string"),
    ({"save_best_only": "yes"}, r"`save_best_only`: expected True or False"),
    ({"initial_value_threshold": "0.5"}, r"initial_value_threshold='0.5'"),
    ({"verbose": -1}, r"`verbose`: expected an integer >= 0"),
])
def test_bad_arguments_are_clear_errors(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=r"^ModelCheckpoint: invalid value.*" + message):
        ModelCheckpoint(str(tmp_path / "m.keras"), **kwargs)


def test_bad_filepath_is_a_clear_error():
    with pytest.raises(ValueError, match=r"ModelCheckpoint.*`filepath`.*Received: filepath=3"):
        ModelCheckpoint(3)
