"""MonitorCallback: the "is this value better than the best so far?" logic of Keras 3.

ModelCheckpoint, EarlyStopping and ReduceLROnPlateau watch one entry of the epoch logs
(``monitor``) and compare it with the best seen so far, in a direction set by ``mode``:

* ``'min'``: lower is better; ``'max'``: higher is better;
* ``'auto'``: a compiled metric object of that name with a ``_direction`` of ``'up'`` or
  ``'down'`` (Keras 3's mechanism) decides; otherwise the name does: ``loss`` and unknown names
  are minimized, names containing ``acc``, ``auc``, ``precision``, ``recall``, ``f1_score``,
  ``fbeta``, ``iou`` or ``r2_score`` (the Keras metrics whose direction is "up") maximized.
  (Keras 3 raises for a name it cannot place; gpulayers minimizes it, as Keras 2 did.)

An improvement must beat the reference by more than ``min_delta``:
``current < best - min_delta`` when minimizing, ``current > best + min_delta`` when maximizing.

Example::

    class PrintBest(MonitorCallback):
        def on_epoch_end(self, epoch, logs=None):
            current = self.get_monitor_value(logs)
            if current is not None and self._is_improvement(current, self.best):
                self.best = current
                print("new best", current)
"""

from __future__ import annotations

import warnings
from typing import Any

from gpulayers.callbacks.argument_checks import check_mode, check_number, check_string
from gpulayers.callbacks.callback import Callback

__all__ = ["MonitorCallback", "infer_maximize"]

# Substrings of Keras metric names whose metric has direction "up" (bigger is better).
_MAXIMIZED_NAMES = ("acc", "auc", "precision", "recall", "f1_score", "fbeta", "iou", "r2_score")


def _metric_directions(model: Any) -> dict[str, str]:
    """``{metric name: 'up' | 'down'}`` for the model's metric objects that declare one."""
    found: dict[str, str] = {}
    pending = list(getattr(model, "metrics", None) or [])
    while pending:
        metric = pending.pop()
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):  # a container of compiled metrics
            pending.extend(inner)
        direction = getattr(metric, "_direction", None)
        name = getattr(metric, "name", None)
        if direction in ("up", "down") and isinstance(name, str):
            found[name] = direction
    return found


def infer_maximize(monitor: str, model: Any = None) -> bool:
    """Whether ``mode='auto'`` maximizes ``monitor`` (see the module docstring for the rule).

    Args:
        monitor: a logs key such as ``'val_accuracy'`` (a ``val_`` prefix is ignored).
        model: optional; its metric objects' ``_direction`` wins over the name rule.

    Example: ``infer_maximize("val_accuracy")`` -> ``True``; ``infer_maximize("val_loss")``
    -> ``False``.
    """
    name = monitor.removeprefix("val_")
    if name == "loss":
        return False
    direction = _metric_directions(model).get(name) if model is not None else None
    if direction is not None:
        return direction == "up"
    return any(token in name for token in _MAXIMIZED_NAMES)


class MonitorCallback(Callback):
    """Base of callbacks that track the best value of one logged quantity.

    Args:
        monitor: the logs key to watch (``'val_loss'``, ``'accuracy'``...).
        mode: ``'auto'``, ``'min'`` or ``'max'`` (see the module docstring).
        baseline: initial "best" value, or None to take the first value seen.
        min_delta: how much a value must beat the best by to count as an improvement
            (its absolute value is used, as in Keras).

    The direction is resolved at the first :meth:`_is_improvement` call, once the model's
    metrics exist; ``self.maximize`` holds it afterwards.

    Example::

        cb = MonitorCallback(monitor="val_accuracy")   # auto -> maximize
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline: float | None = None,
                 min_delta: float = 0.0) -> None:
        super().__init__()
        caller = type(self).__name__
        self.monitor = check_string(monitor, "monitor", caller)
        self.mode = check_mode(mode, caller)
        self.best = check_number(baseline, "baseline", caller, allow_none=True)
        self.min_delta = abs(check_number(min_delta, "min_delta", caller))
        self.maximize: bool | None = None

    def _resolve_direction(self) -> bool:
        if self.maximize is None:
            self.maximize = (self.mode == "max" if self.mode != "auto"
                             else infer_maximize(self.monitor, self.model))
        return self.maximize

    def _is_improvement(self, current: float, reference: float | None) -> bool:
        """Whether ``current`` beats ``reference`` by more than ``min_delta`` (None: always)."""
        if reference is None:
            return True
        if self._resolve_direction():
            return current - self.min_delta > reference
        return current + self.min_delta < reference

    def _missing_monitor_message(self, logs: dict[str, Any]) -> str:
        return (f"{type(self).__name__} is conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}")

    def get_monitor_value(self, logs: dict[str, Any] | None) -> float | None:
        """``logs[monitor]`` as a float, or None with a warning listing the available keys."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            # stacklevel 3: point at the hook that asked, not at this helper.
            warnings.warn(self._missing_monitor_message(logs), stacklevel=3)
            return None
        return float(value)
