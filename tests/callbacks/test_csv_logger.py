"""CSVLogger: exact file contents, NA columns, separators, append, flushing."""

import pytest
from callback_fakes import FakeModel, fit

from gpulayers.callbacks import CSVLogger, LambdaCallback

LOGS = [{"loss": 1.0, "accuracy": 0.5, "val_loss": 1.5, "val_accuracy": 0.25},
        {"loss": 0.5, "accuracy": 0.75, "val_loss": 1.25, "val_accuracy": 0.5}]


def test_one_row_per_epoch_with_epoch_first_and_sorted_keys(tmp_path):
    path = tmp_path / "log.csv"
    fit(FakeModel(), [CSVLogger(str(path))], LOGS)
    assert path.read_text() == ("epoch,accuracy,loss,val_accuracy,val_loss\n"
                                "0,0.5,1.0,0.25,1.5\n"
                                "1,0.75,0.5,0.5,1.25\n")


def test_without_validation_keys_val_columns_are_added_and_filled_with_na(tmp_path):
    # Keras's rule, so a later epoch's validation (validation_freq > 1) has its columns.
    path = tmp_path / "log.csv"
    fit(FakeModel(), [CSVLogger(path)], [{"loss": 1.0}, {"loss": 0.5, "val_loss": 0.75}])
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,NA\n1,0.5,0.75\n"


def test_separator(tmp_path):
    path = tmp_path / "log.tsv"
    fit(FakeModel(), [CSVLogger(str(path), separator="\t")], LOGS[:1])
    assert path.read_text() == ("epoch\taccuracy\tloss\tval_accuracy\tval_loss\n"
                                "0\t0.5\t1.0\t0.25\t1.5\n")


def test_append_continues_the_file_without_a_second_header(tmp_path):
    path = tmp_path / "log.csv"
    fit(FakeModel(), [CSVLogger(str(path))], LOGS[:1])
    fit(FakeModel(), [CSVLogger(str(path), append=True)], LOGS[1:])
    assert path.read_text() == ("epoch,accuracy,loss,val_accuracy,val_loss\n"
                                "0,0.5,1.0,0.25,1.5\n"
                                "0,0.75,0.5,0.5,1.25\n")


def test_append_to_a_missing_or_empty_file_writes_the_header(tmp_path):
    path = tmp_path / "log.csv"
    fit(FakeModel(), [CSVLogger(str(path), append=True)], [{"loss": 1.0, "val_loss": 2.0}])
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n"
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    fit(FakeModel(), [CSVLogger(str(empty), append=True)], [{"loss": 1.0, "val_loss": 2.0}])
    assert empty.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n"


def test_without_append_the_file_is_overwritten(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("old contents\n")
    fit(FakeModel(), [CSVLogger(str(path))], [{"loss": 1.0, "val_loss": 2.0}])
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n"


def test_each_row_is_flushed_at_its_epoch_end(tmp_path):
    path = tmp_path / "log.csv"
    seen = []
    reader = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(path.read_text()))
    fit(FakeModel(), [CSVLogger(str(path)), reader], [{"loss": 1.0, "val_loss": 2.0}] * 2)
    assert seen[0] == "epoch,loss,val_loss\n0,1.0,2.0\n"
    assert seen[1].count("\n") == 3


def test_the_file_is_closed_at_train_end(tmp_path):
    logger = CSVLogger(str(tmp_path / "log.csv"))
    fit(FakeModel(), [logger], LOGS[:1])
    assert logger.csv_file is None


def test_sequences_go_in_one_cell(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(str(path))
    logger.on_train_begin()
    logger.on_epoch_end(0, {"per_class": [0.5, 0.25], "val_x": 1.0})
    logger.on_train_end()
    assert path.read_text().splitlines()[1] == '0,"""[0.5, 0.25]""",1.0'


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"separator": ", "}, r"`separator`: expected a one-character string. Received: "
                          r"separator=', '"),
    ({"separator": 44}, r"separator=44"),
    ({"append": "yes"}, r"`append`: expected True or False. Received: append='yes'"),
    ({"filename": None}, r"`filename`: expected a non-empty path"),
])
def test_bad_arguments_are_clear_errors(tmp_path, kwargs, message):
    kwargs.setdefault("filename", str(tmp_path / "log.csv"))
    with pytest.raises(ValueError, match=r"^CSVLogger: invalid value.*" + message):
        CSVLogger(**kwargs)
