"""History: records every epoch's logs; ``fit`` returns it (``keras.callbacks.History``).

Example::

    history = model.fit(x, y, epochs=3, validation_split=0.2)
    history.history["loss"]       # [0.9, 0.5, 0.3]: one float per epoch
    history.history["val_loss"]
    history.epoch                 # [0, 1, 2]
"""

from __future__ import annotations

from typing import Any

from gpulayers.callbacks.callback import Callback

__all__ = ["History"]


class History(Callback):
    """Callback recording the epoch logs into ``history`` (a dict of lists) and ``epoch``.

    ``CallbackList(add_history=True)`` adds one to every ``fit`` and sets ``model.history`` to
    it. As in Keras, ``history`` keeps growing if the same History is used by several ``fit``
    calls, while ``epoch`` restarts at each ``on_train_begin``.

    Attributes:
        history: ``{logs key: [value per epoch]}``.
        epoch: the epoch indices seen (0-based; ``initial_epoch`` shifts them).

    Example::

        h = History()
        model.fit(x, y, epochs=2, callbacks=[h])
        h.history["loss"]   # two floats
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        # Keras re-points model.history after each epoch, so it is the live record even when
        # this History was passed by the user rather than added by the CallbackList.
        if self.model is not None:
            self.model.history = self
