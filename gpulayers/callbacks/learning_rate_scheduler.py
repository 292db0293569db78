"""LearningRateScheduler: set the optimizer's learning rate from ``schedule`` at each epoch start.

``schedule`` is called as ``schedule(epoch, lr)`` (epoch 0-based, lr the current rate as a float)
or, when it takes a single argument, ``schedule(epoch)`` (the Keras 2 form). It must return a
float. The rate in force is added to the epoch logs as ``'learning_rate'``.

Example::

    def schedule(epoch, lr):
        return lr if epoch < 10 else lr * 0.9

    model.fit(x, y, epochs=15, callbacks=[LearningRateScheduler(schedule)])
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from gpulayers.callbacks.argument_checks import check_verbose, invalid_argument
from gpulayers.callbacks.callback import Callback, print_msg

__all__ = ["LearningRateScheduler"]


def _takes_two_arguments(schedule: Callable[..., Any]) -> bool | None:
    """Whether ``schedule`` accepts (epoch, lr); None when its signature cannot be read."""
    try:
        signature = inspect.signature(schedule)
    except (TypeError, ValueError):  # some builtins and C callables have no signature
        return None
    try:
        signature.bind(0, 0.0)
    except TypeError:
        return False
    return True


def _is_float(value: Any) -> bool:
    if isinstance(value, float):  # includes numpy.float64
        return True
    # numpy.float32 and 0-d float arrays/tensors: a float dtype and no dimensions. Keras accepts
    # numpy float scalars; an int is refused, as in Keras.
    dtype = getattr(value, "dtype", None)
    return dtype is not None and str(dtype).startswith("float") and getattr(value, "ndim", 0) == 0


class LearningRateScheduler(Callback):
    """Callback setting ``model.optimizer.learning_rate = schedule(epoch, lr)`` each epoch.

    Args:
        schedule: a function ``(epoch, lr) -> float`` or ``(epoch) -> float``.
        verbose: 0 silent, 1 prints the rate set at each epoch.

    Raises:
        ValueError: ``schedule`` is not callable, or (during fit) returned a non-float.

    Example::

        LearningRateScheduler(lambda epoch: 1e-3 * 0.5 ** (epoch // 10))
    """

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise invalid_argument("LearningRateScheduler", "schedule",
                                   "a function (epoch, lr) -> float or (epoch) -> float",
                                   schedule)
        self.schedule = schedule
        self.verbose = check_verbose(verbose, "LearningRateScheduler")
        self._two_arguments = _takes_two_arguments(schedule)

    def _call_schedule(self, epoch: int, lr: float) -> Any:
        if self._two_arguments is None:
            # Unknown signature: Keras's approach, try the new form then the old one.
            try:
                return self.schedule(epoch, lr)
            except TypeError:
                return self.schedule(epoch)
        # Known signature: no try/except, so a TypeError raised inside the schedule surfaces
        # instead of being mistaken for "takes one argument".
        return self.schedule(epoch, lr) if self._two_arguments else self.schedule(epoch)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError("LearningRateScheduler: the optimizer must have a `learning_rate` "
                             f"attribute. Received: optimizer={optimizer!r}")
        learning_rate = self._call_schedule(epoch, float(optimizer.learning_rate))
        if not _is_float(learning_rate):
            raise ValueError("LearningRateScheduler: the output of the `schedule` function "
                             "should be a float. Received: "
                             f"{learning_rate!r} of type {type(learning_rate).__name__} at "
                             f"epoch {epoch}")
        learning_rate = float(learning_rate)
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                      f"{learning_rate}.")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
