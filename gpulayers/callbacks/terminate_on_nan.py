"""TerminateOnNaN: stop training as soon as a batch's loss is NaN or infinite.

By default it prints a line and sets ``model.stop_training``, so the loop ends the epoch and
every callback's ``on_train_end`` still runs (checkpoints, CSV files are closed properly). With
``raise_error=True`` it raises RuntimeError at once instead (Keras 3.15's option), skipping that
clean-up, e.g. to keep a backup untouched.

Example::

    model.fit(x, y, epochs=10, callbacks=[TerminateOnNaN()])
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers.callbacks.argument_checks import check_bool
from gpulayers.callbacks.callback import Callback, print_msg

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Callback stopping ``fit`` when ``logs['loss']`` of a training batch is NaN or +-inf.

    Args:
        raise_error: raise RuntimeError instead of setting ``model.stop_training``.

    Example::

        TerminateOnNaN(raise_error=True)
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = check_bool(raise_error, "raise_error", "TerminateOnNaN")

    # on_batch_end (the Keras 2 name) is what Keras overrides; the default on_train_batch_end
    # calls it.
    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
