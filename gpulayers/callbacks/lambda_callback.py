"""LambdaCallback: a callback made of plain functions, one per hook you want.

The functions are called as the CallbackList calls the hooks (Keras's conventions):

* ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``: two positional arguments;
* ``on_train_begin(logs)``, ``on_train_end(logs)`` (and test/predict begin/end): one;
* ``on_train_batch_begin(batch, logs=...)`` and the other batch hooks: ``batch`` positional,
  ``logs`` by keyword.

Any other hook of :class:`~gpulayers.callbacks.Callback` can be given by name as a keyword
(``on_test_end=...``, ``on_predict_batch_end=...``).

Example::

    LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]),
                   on_train_end=lambda logs: print("done"))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers.callbacks.argument_checks import invalid_argument
from gpulayers.callbacks.callback import Callback

__all__ = ["LambdaCallback"]

_HOOKS = tuple(sorted(name for name in vars(Callback) if name.startswith("on_")))


class LambdaCallback(Callback):
    """Callback whose hooks are the functions passed in (None: the hook does nothing).

    Args:
        on_epoch_begin, on_epoch_end: ``f(epoch, logs)``.
        on_train_begin, on_train_end: ``f(logs)``.
        on_train_batch_begin, on_train_batch_end: ``f(batch, logs)``.
        **kwargs: any other hook by name (``on_test_begin``, ``on_predict_batch_end``,
            ``on_batch_end``...).

    Raises:
        ValueError: a keyword that is not a hook name, or a value that is not callable.

    Example::

        batch_printer = LambdaCallback(on_train_batch_begin=lambda batch, logs: print(batch))
    """

    def __init__(self, on_epoch_begin: Callable[..., Any] | None = None,
                 on_epoch_end: Callable[..., Any] | None = None,
                 on_train_begin: Callable[..., Any] | None = None,
                 on_train_end: Callable[..., Any] | None = None,
                 on_train_batch_begin: Callable[..., Any] | None = None,
                 on_train_batch_end: Callable[..., Any] | None = None,
                 **kwargs: Callable[..., Any] | None) -> None:
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        for name, function in hooks.items():
            if name not in _HOOKS:
                raise ValueError(f"LambdaCallback: unknown hook `{name}`: expected one of "
                                 f"{', '.join(_HOOKS)}. Received: {name}={function!r}")
            if function is None:
                continue
            if not callable(function):
                raise invalid_argument("LambdaCallback", name, "a function or None", function)
            # An instance attribute shadows the class's no-op method, as in Keras.
            setattr(self, name, function)
