"""Progbar: Keras 3's ``keras.utils.Progbar`` for custom loops, drawn with tqdm.

The values follow Keras's rules: a stateless metric (the default) is shown as its running
average weighted by the steps between updates, a stateful one as given; a finalizing update
shows the values it is given. ``verbose=1`` draws a live tqdm bar (as ``fit`` does, see
``gpulayers.callbacks.ProgbarLogger``); ``verbose=2`` prints Keras's one summary line
(``10/10 - 1s - 95ms/step - loss: 0.4213``) when the bar finishes; ``verbose=0`` is silent.

Example::

    bar = Progbar(target=len(batches))
    for step, (x, y) in enumerate(batches):
        loss = train_step(x, y)
        bar.update(step + 1, values=[("loss", loss)])
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterable
from typing import Any

from tqdm import tqdm

from gpulayers.callbacks.progbar_logger import format_logs

__all__ = ["Progbar"]


def _format_time(seconds_per_unit: float, unit_name: str) -> str:
    if seconds_per_unit >= 1 or seconds_per_unit == 0:
        return f" {seconds_per_unit:.0f}s/{unit_name}"
    if seconds_per_unit >= 1e-3:
        return f" {seconds_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {seconds_per_unit * 1e6:.0f}us/{unit_name}"


class Progbar:
    """A progress bar with running metric averages.

    Args:
        target: the total number of steps, or None when unknown.
        width: accepted for Keras compatibility (tqdm sizes the bar to the terminal).
        verbose: 0 (silent), 1 (live bar) or 2 (one line when finished).
        interval: the minimum seconds between redraws of the live bar.
        stateful_metrics: names shown as given rather than averaged.
        stateless_metrics: names to average; everything else is shown as given (give at
            most one of the two lists).
        unit_name: the unit of a step in the display (``"step"``, ``"sample"``).
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Iterable[str] | None = None,
                 stateless_metrics: Iterable[str] | None = None,
                 unit_name: str = "step") -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: give only one of `stateful_metrics` and "
                             "`stateless_metrics`. Received both")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: `verbose` must be 0, 1 or 2. Received: "
                             f"verbose={verbose!r}")
        if target is not None and (isinstance(target, bool) or target < 0):
            raise ValueError(f"Progbar: `target` must be a non-negative number or None. "
                             f"Received: target={target!r}")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateless_metrics is not None else set(
            stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._seen_so_far = 0
        self._values: dict[str, list[Any]] = {}
        self._values_order: list[str] = []
        self._start = time.time()
        self._time_after_first_step: float | None = None
        self._bar: tqdm | None = None

    # -- the values ---------------------------------------------------------------------------
    def _is_stateless(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in (self.stateless_metrics or ())

    def _record(self, current: int, values: Iterable[tuple[str, Any]], finalize: bool) -> None:
        for name, value in values:
            if name not in self._values_order:
                self._values_order.append(name)
            if not self._is_stateless(name) or finalize:
                self._values[name] = [value, 1]
                continue
            # Weighted by the steps since the last update, so add(n) counts n steps.
            steps = max(current - self._seen_so_far, 1)
            if name in self._values:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
            else:
                self._values[name] = [value * steps, steps]

    @property
    def values(self) -> dict[str, Any]:
        """The displayed values: running averages for stateless metrics, the last value for
        stateful ones (in first-seen order)."""
        shown = {}
        for name in self._values_order:
            total, count = self._values[name]
            shown[name] = total / max(1, count)
        return shown

    # -- updates ------------------------------------------------------------------------------
    def update(self, current: int, values: Iterable[tuple[str, Any]] | None = None,
               finalize: bool | None = None) -> None:
        """Move to step ``current`` (the number of steps done), with ``values`` a list of
        ``(name, value for the last step)``; ``finalize`` (default: ``current >= target``)
        ends the bar."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(current, values or [], finalize)
        self._seen_so_far = current
        now = time.time()
        per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            self._draw(current, finalize)
        elif self.verbose == 2 and finalize and self.target:
            sys.stdout.write(self._summary_line(current, now, per_unit) + "\n")
            sys.stdout.flush()

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> None:
        """Advance by ``n`` steps (see :meth:`update`)."""
        self.update(self._seen_so_far + n, values)

    # -- display ------------------------------------------------------------------------------
    def _step_duration(self, current: int, now: float) -> float:
        # The first step (warm-up) is left out of the estimate once later steps exist.
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            duration = (now - self._time_after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return duration

    def _draw(self, current: int, finalize: bool) -> None:
        if self._bar is None:
            self._bar = tqdm(total=self.target or None, unit=self.unit_name, file=sys.stdout,
                             mininterval=self.interval, leave=True)
        bar = self._bar
        bar.set_postfix_str(format_logs(self.values), refresh=False)
        if current > bar.n:
            bar.update(current - bar.n)
        if finalize:
            if bar.total is None:
                bar.total = bar.n
            bar.close()
            self._bar = None

    def _summary_line(self, current: int, now: float, per_unit: float) -> str:
        digits = int(math.log10(self.target)) + 1
        line = f"{current:>{digits}d}/{self.target} - {now - self._start:.0f}s -"
        line += _format_time(per_unit, self.unit_name)
        for name, average in self.values.items():
            # Keras's verbose=2 rule compares the value itself (not its magnitude) to 1e-3.
            line += f" - {name}: {average:.4f}" if average > 1e-3 else \
                f" - {name}: {average:.4e}"
        return line
