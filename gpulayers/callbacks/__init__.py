"""Callbacks (``keras.callbacks``): hooks into ``fit`` / ``evaluate`` / ``predict``.

Pass a list to ``model.fit(..., callbacks=[...])``; the loop wraps it in a
:class:`CallbackList` that adds a :class:`History` (returned by ``fit``) and, unless
``verbose=0``, a :class:`ProgbarLogger`.

Example::

    from gpulayers import callbacks
    model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[
        callbacks.EarlyStopping(patience=5, restore_best_weights=True),
        callbacks.ReduceLROnPlateau(factor=0.5, patience=2),
        callbacks.ModelCheckpoint("ckpt/{epoch:02d}-{val_loss:.2f}.keras", save_best_only=True),
        callbacks.CSVLogger("training.csv"),
    ])
"""

from gpulayers.callbacks.callback import Callback
from gpulayers.callbacks.callback_list import CallbackList
from gpulayers.callbacks.csv_logger import CSVLogger
from gpulayers.callbacks.early_stopping import EarlyStopping
from gpulayers.callbacks.history import History
from gpulayers.callbacks.lambda_callback import LambdaCallback
from gpulayers.callbacks.learning_rate_scheduler import LearningRateScheduler
from gpulayers.callbacks.model_checkpoint import ModelCheckpoint
from gpulayers.callbacks.monitor_callback import MonitorCallback
from gpulayers.callbacks.progbar_logger import ProgbarLogger
from gpulayers.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from gpulayers.callbacks.swap_ema_weights import SwapEMAWeights
from gpulayers.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "MonitorCallback", "ProgbarLogger",
           "ReduceLROnPlateau", "SwapEMAWeights", "TerminateOnNaN"]
