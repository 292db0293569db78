"""Constructor argument checks shared by the callbacks: a clear ValueError at construction time.

Each check names the callback, the argument, what was expected and what was received, so a typo
fails when the callback is built rather than epochs into training.

Example::

    patience = check_int(patience, "patience", "EarlyStopping")
    # ValueError: EarlyStopping: invalid value for argument `patience`: expected an integer
    # >= 0. Received: patience=-1
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["check_bool", "check_int", "check_mode", "check_number", "check_string",
           "check_verbose", "invalid_argument"]


def invalid_argument(caller: str, name: str, expected: str, value: Any) -> ValueError:
    """The ValueError for argument ``name`` of ``caller`` that should have been ``expected``."""
    return ValueError(f"{caller}: invalid value for argument `{name}`: expected {expected}. "
                      f"Received: {name}={value!r}")


def check_int(value: Any, name: str, caller: str, minimum: int = 0) -> int:
    """``value`` as an int, or ValueError unless it is an integer >= ``minimum``.

    Example: ``check_int(3, "patience", "EarlyStopping")`` -> ``3``.
    """
    # bool is an int subclass; True as a patience is a bug, not a 1.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise invalid_argument(caller, name, f"an integer >= {minimum}", value)
    return int(value)


def check_number(value: Any, name: str, caller: str, minimum: float | None = None,
                 allow_none: bool = False) -> float | None:
    """``value`` as a float, or ValueError unless it is a finite real (>= ``minimum`` if given).

    Example: ``check_number(1e-4, "min_delta", "ReduceLROnPlateau")`` -> ``0.0001``.
    """
    if value is None and allow_none:
        return None
    ok = (not isinstance(value, bool) and isinstance(value, numbers.Real)
          and math.isfinite(value) and (minimum is None or value >= minimum))
    if not ok:
        expected = "a finite number" + (f" >= {minimum}" if minimum is not None else "")
        raise invalid_argument(caller, name, expected + (" or None" if allow_none else ""),
                               value)
    return float(value)


def check_mode(mode: Any, caller: str) -> str:
    """``mode`` unless it is not one of ``'auto'``, ``'min'``, ``'max'`` (then ValueError).

    Keras 3 only warns and falls back to ``'auto'``; a typo here would silently flip the
    direction of "better", so it is an error.

    Example: ``check_mode("max", "ModelCheckpoint")`` -> ``'max'``.
    """
    if mode not in ("auto", "min", "max"):
        raise invalid_argument(caller, "mode", "one of 'auto', 'min', 'max'", mode)
    return mode


def check_string(value: Any, name: str, caller: str) -> str:
    """``value`` unless it is not a non-empty string (then ValueError).

    Example: ``check_string("val_loss", "monitor", "EarlyStopping")`` -> ``'val_loss'``.
    """
    if not isinstance(value, str) or not value:
        raise invalid_argument(caller, name, "a non-empty string", value)
    return value


def check_bool(value: Any, name: str, caller: str) -> bool:
    """``value`` unless it is not a bool (then ValueError).

    Example: ``check_bool(True, "append", "CSVLogger")`` -> ``True``.
    """
    if not isinstance(value, bool):
        raise invalid_argument(caller, name, "True or False", value)
    return value


def check_verbose(value: Any, caller: str) -> int:
    """``value`` as an int verbosity (a bool counts as 0/1), or ValueError unless it is >= 0.

    Example: ``check_verbose(True, "EarlyStopping")`` -> ``1``.
    """
    return check_int(int(value) if isinstance(value, bool) else value, "verbose", caller)
