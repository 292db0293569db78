"""CSVLogger: write one CSV row per epoch (``keras.callbacks.CSVLogger``'s format).

The columns are ``epoch`` (0-based, as Keras writes it) then the first epoch's logs keys in
sorted order. If that first epoch has no ``val_*`` key, a ``val_`` column is added for every key,
as Keras does, so a later epoch's validation results (``validation_freq`` > 1) have a place; a
value missing from an epoch is written ``NA``. Rows end with CR LF (the csv module's excel
dialect, which Keras uses). The file is flushed after every row, so it can be
followed while training runs.

``append=True`` adds to an existing file (writing the header only if the file is empty), for
resumed training; otherwise the file is overwritten when training begins.

Example::

    model.fit(x, y, epochs=10, callbacks=[CSVLogger("training.csv")])
    # epoch,accuracy,loss,val_accuracy,val_loss
    # 0,0.81,0.52,0.79,0.55
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from typing import IO, Any

from gpulayers.callbacks.argument_checks import check_bool, invalid_argument
from gpulayers.callbacks.callback import Callback

__all__ = ["CSVLogger"]


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and getattr(value, "ndim", 1) != 0:
        # A sequence (e.g. per-class values) goes in one cell, as Keras writes it.
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Callback streaming each epoch's logs to a CSV file.

    Args:
        filename: path of the CSV file (str or PathLike), e.g. ``'run/log.csv'``.
        separator: the one-character field separator.
        append: add to the file if it exists (header only when it is empty) instead of
            overwriting it.

    Example::

        CSVLogger("log.tsv", separator="\\t", append=True)
    """

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        caller = "CSVLogger"
        if not isinstance(filename, (str, os.PathLike)) or not os.fspath(filename):
            raise invalid_argument(caller, "filename", "a non-empty path (str or PathLike)",
                                   filename)
        # The csv module accepts only a single-character delimiter; check it before training.
        if not isinstance(separator, str) or len(separator) != 1:
            raise invalid_argument(caller, "separator", "a one-character string", separator)
        self.filename = os.fsdecode(os.fspath(filename))
        self.sep = separator
        self.append = check_bool(append, "append", caller)
        self.keys: list[str] | None = None
        self.writer: csv.DictWriter[str] | None = None
        self.csv_file: IO[str] | None = None
        self.append_header = True

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.append_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8", newline="") as existing:
                self.append_header = not existing.readline()
        self._close()
        self.csv_file = open(self.filename, "a" if self.append else "w",
                             encoding="utf-8", newline="")
        self.keys = None
        self.writer = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        if self.csv_file is None:  # driven without on_train_begin: open now, Keras-like
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend(f"val_{key}" for key in list(self.keys))
        if self.writer is None:
            # csv's default (excel) dialect, as Keras: rows end with "\r\n".
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys],
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close()
        self.writer = None

    def _close(self) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = None
