"""Constructor-argument checks shared by the optimizers and the learning-rate schedules.

Every check raises an error naming the owner, the argument and the value received, e.g.
``Adam 'adam': `beta_1` must be a number in [0, 1]. Received: beta_1=2``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

__all__ = ["check_bool", "check_number", "check_positive_int", "check_optional_number",
           "refuse_keras_extras"]


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(who: str, name: str, value: Any, low: float = -math.inf,
                 high: float = math.inf, low_open: bool = False,
                 high_open: bool = False) -> float:
    """``value`` as a float in ``[low, high]``; ``low_open``/``high_open`` exclude the ends.

    Raises ValueError naming ``who``, the argument and the value otherwise (NaN included).
    """
    if _is_number(value):
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if above and below:
            return float(value)
    if math.isinf(low) and math.isinf(high):
        rule = "a number"
    elif math.isinf(high):
        rule = f"a number {'>' if low_open else '>='} {low:g}"
    else:
        rule = (f"a number in {'(' if low_open else '['}{low:g}, {high:g}"
                f"{')' if high_open else ']'}")
    raise ValueError(f"{who}: `{name}` must be {rule}. Received: {name}={value!r}")


def check_optional_number(who: str, name: str, value: Any, low: float = 0.0) -> float | None:
    """None, or ``value`` as a float >= ``low`` (ValueError naming ``who`` otherwise)."""
    if value is None:
        return None
    return check_number(who, name, value, low)


def check_positive_int(who: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1 (a float holding a whole number is accepted, as Keras does)."""
    whole = _is_number(value) and math.isfinite(value) and float(value) == int(value)
    if not whole or value < 1:
        raise ValueError(f"{who}: `{name}` must be a positive integer. "
                         f"Received: {name}={value!r}")
    return int(value)


def check_bool(who: str, name: str, value: Any) -> bool:
    """``value`` if it is a bool, else ValueError naming ``who`` (``nesterov='no'`` is a bug)."""
    if not isinstance(value, bool):
        raise ValueError(f"{who}: `{name}` must be True or False. Received: {name}={value!r}")
    return value


# Keras 3 optimizer arguments gpulayers does not implement, with the value meaning "off".
# Keras configs always carry them, so these values must load; anything else must not be
# silently ignored (a model trained with EMA weights would quietly train differently).
# ema_momentum and ema_overwrite_frequency are only read while use_ema is on, so any value of
# theirs is harmless here and kept for get_config.
_OFF = {"use_ema": False, "loss_scale_factor": None, "gradient_accumulation_steps": None}


def refuse_keras_extras(who: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop Keras 3's unsupported optimizer arguments from ``kwargs``; return their values.

    They are accepted at their "off" values (what every Keras config holds by default) and
    raise ValueError otherwise. ``decay`` (removed in Keras 3) warns and is ignored, as in
    Keras. Any other leftover keyword raises ValueError naming it.
    """
    extras = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
              "loss_scale_factor": None, "gradient_accumulation_steps": None}
    for name in list(extras):
        if name in kwargs:
            extras[name] = kwargs.pop(name)
    for name, off in _OFF.items():
        if extras[name] is not off and extras[name] != off:
            raise ValueError(f"{who}: `{name}` is not supported by gpulayers optimizers "
                             f"(only {name}={off!r}). Received: {name}={extras[name]!r}")
    if kwargs.pop("decay", None) is not None:
        warnings.warn(f"{who}: argument `decay` is no longer supported (Keras 3) and is "
                      "ignored; use a learning-rate schedule instead.", stacklevel=3)
    if kwargs:
        raise ValueError(f"{who}: argument(s) not recognized: {kwargs}")
    return extras
