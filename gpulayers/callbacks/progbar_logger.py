"""ProgbarLogger: the progress display of ``fit`` / ``evaluate`` / ``predict``, drawn with tqdm.

``params['verbose']`` picks the display (``'auto'`` means 1):

* 0: nothing;
* 1: a live bar per epoch, ``Epoch 3/10: 40%|████      | 2/5 [00:01<00:01, 2.1step/s,
  loss: 0.4213 - accuracy: 0.8125]``: the running epoch averages in the postfix, tqdm's ETA,
  and at the end of the epoch the ``val_*`` results too. ``evaluate`` and ``predict`` get a bar
  without the epoch prefix (predict shows no values);
* 2: as Keras 3 prints it: ``Epoch 3/10`` when an epoch begins (with more than one epoch),
  then one line once it ends, ``5/5 - 1s - 210ms/step - loss: 0.4213 - val_loss: 0.5120``;
  one summary line for ``evaluate`` / ``predict``.

Values are written as Keras writes them: 4 decimals, or scientific notation at or below 1e-3.
Validation inside ``fit`` is silent: its results appear in the epoch's line. With
``params['steps']`` None (length unknown) the first epoch's bar counts without a total; the count
it reaches becomes the total of later epochs. Output goes to ``sys.stdout``, looked up when a bar
starts.

Example::

    model.fit(x, y, epochs=10, verbose=2)   # CallbackList(add_progbar=True) adds one
"""

from __future__ import annotations

import numbers
import os
import sys
import time
from typing import Any

from tqdm import tqdm

from gpulayers.callbacks.callback import Callback, print_msg
from gpulayers.config.runtime_flags import is_interactive_logging_enabled

__all__ = ["ProgbarLogger", "format_logs"]


def _format_value(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        # Keras Progbar's rule: small magnitudes switch to scientific notation.
        return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"
    return None  # arrays (predict outputs) and other objects are not displayed


def format_logs(logs: dict[str, Any] | None) -> str:
    """``'loss: 0.4213 - accuracy: 0.8125'``: the displayable entries of ``logs``, in order.

    Example: ``format_logs({"loss": 0.5, "lr": 1e-4})`` -> ``'loss: 0.5000 - lr: 1.0000e-04'``.
    """
    parts = []
    for key, value in (logs or {}).items():
        text = _format_value(value)
        if text is not None:
            parts.append(f"{key}: {text}")
    return " - ".join(parts)


def _format_time_per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _terminal_shape(stream: Any) -> tuple[int | None, int | None]:
    """``(columns - 1, rows - 1)`` of the terminal behind ``stream``; None for unknown."""
    try:
        columns, rows = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):  # not a terminal (a file, pytest's capture)
        return None, None
    # tqdm's convention: one column short of the edge, so the cursor never wraps.
    return (columns - 1 if columns > 10 else None), (rows - 1 if rows > 1 else None)


class ProgbarLogger(Callback):
    """Callback printing progress and metrics to stdout (see the module docstring).

    Reads ``verbose``, ``epochs`` and ``steps`` from the params the training loop sets.
    ``CallbackList(add_progbar=True)`` appends one, last, so it shows every key the other
    callbacks added to the logs.

    Example::

        cbs = CallbackList([ProgbarLogger()], model=model, verbose=1, epochs=3, steps=10)
    """

    def __init__(self) -> None:
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.target: int | None = None
        self.seen = 0
        self.progbar: tqdm | None = None
        self._prefix: str | None = None
        self._start = 0.0
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any] | None) -> None:
        super().set_params(params)
        params = params or {}
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose)
        if not is_interactive_logging_enabled():  # keras.config.disable_interactive_logging
            self.verbose = 0
        self.epochs = params.get("epochs", 1) or 1
        self.target = params.get("steps")

    # -- fit ----------------------------------------------------------------------------------
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # Inside fit, the validation pass (on_test_*) stays silent: its results are shown in
        # the epoch's final line instead.
        self._called_in_fit = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close()
        # Reset so the same instance shows a bar in a later evaluate() call.
        self._called_in_fit = False

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._begin(f"Epoch {epoch + 1}/{self.epochs}")
        if self.verbose == 2 and self.epochs > 1:  # Keras 3 announces the epoch on its own line
            print_msg(self._prefix)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._update(batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._finish(logs)

    # -- evaluate -----------------------------------------------------------------------------
    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._begin(None)

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._finish(logs)

    # -- predict ------------------------------------------------------------------------------
    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._begin(None)

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._update(batch, None)  # the outputs are data, not something to display

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        self._finish(None)

    # -- drawing ------------------------------------------------------------------------------
    def _begin(self, prefix: str | None) -> None:
        self._close()
        self.seen = 0
        self._prefix = prefix
        self._start = time.perf_counter()
        if self.verbose == 1:
            # Drawn now rather than at the first batch end: a slow first step (warm-up) is
            # visible and counted in tqdm's elapsed time and rate.
            self._bar()

    def _bar(self) -> tqdm:
        if self.progbar is None:
            # Our terminal-size reader replaces tqdm's: it follows resizes and treats a 0 x 0
            # pseudo-terminal (CI runners, `script`) as "size unknown"; tqdm would cut every
            # line to nothing there and hide the bar for 0 rows. The size is known before the
            # bar exists, so tqdm's first draw (in its constructor) already uses it.
            columns, rows = _terminal_shape(sys.stdout)
            bar = tqdm(total=self.target, desc=self._prefix, unit="step", file=sys.stdout,
                       leave=True, ncols=columns, nrows=rows)
            bar.dynamic_ncols = _terminal_shape
            self.progbar = bar
        return self.progbar

    def _update(self, batch: int, logs: dict[str, Any] | None) -> None:
        self.seen = batch + 1  # batches are 0-based
        if self.verbose != 1:
            return
        bar = self._bar()
        # refresh=False: tqdm's update() redraws at most every 0.1 s, which keeps a fast loop
        # from spending its time printing.
        bar.set_postfix_str(format_logs(logs), refresh=False)
        if self.seen > bar.n:
            bar.update(self.seen - bar.n)

    def _finish(self, logs: dict[str, Any] | None) -> None:
        elapsed = time.perf_counter() - self._start
        if self.target is None and self.seen:
            self.target = self.seen  # learned length: later epochs get a total and an ETA
        if self.verbose == 1:
            bar = self._bar()
            if bar.total is None:
                bar.total = bar.n
            bar.set_postfix_str(format_logs(logs), refresh=False)
            # tqdm cuts the live line to the terminal width (a wrapped line would break its \r
            # redraws); the final line is drawn whole so every value, val_ ones included, shows.
            bar.dynamic_ncols = None
            bar.ncols = None
            self._close()  # close() draws the final state (values included) and ends the line
        elif self.verbose == 2:
            print_msg(self._summary_line(elapsed, logs))

    def _summary_line(self, elapsed: float, logs: dict[str, Any] | None) -> str:
        parts = [f"{self.seen}/{self.target if self.target is not None else self.seen}"]
        parts.append(f"{elapsed:.0f}s")
        if self.seen:
            parts.append(_format_time_per_step(elapsed / self.seen))
        text = format_logs(logs)
        if text:
            parts.append(text)
        return " - ".join(parts)

    def _close(self) -> None:
        if self.progbar is not None:
            self.progbar.close()
            self.progbar = None
