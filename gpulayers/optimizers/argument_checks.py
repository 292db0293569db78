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
           "check_keras_extras"]


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


def check_keras_extras(who: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop Keras 3's base-optimizer arguments from ``kwargs``; return them checked.

    Returns ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor`` and ``gradient_accumulation_steps`` (Keras's defaults for those
    absent). As in Keras, ``ema_momentum`` and ``ema_overwrite_frequency`` are checked only
    when ``use_ema`` is on (they are not read otherwise, and Keras configs may hold any
    value). ``decay`` (removed in Keras 3) warns and is ignored, as in Keras. Any other
    leftover keyword raises ValueError naming it.
    """
    extras: dict[str, Any] = {"use_ema": False, "ema_momentum": 0.99,
                              "ema_overwrite_frequency": None, "loss_scale_factor": None,
                              "gradient_accumulation_steps": None}
    for name in list(extras):
        if name in kwargs:
            extras[name] = kwargs.pop(name)
    extras["use_ema"] = check_bool(who, "use_ema", extras["use_ema"])
    if extras["use_ema"]:
        extras["ema_momentum"] = check_number(who, "ema_momentum", extras["ema_momentum"],
                                              0.0, 1.0)
        if extras["ema_overwrite_frequency"] is not None:
            extras["ema_overwrite_frequency"] = check_positive_int(
                who, "ema_overwrite_frequency", extras["ema_overwrite_frequency"])
    if extras["loss_scale_factor"] is not None:
        extras["loss_scale_factor"] = check_number(
            who, "loss_scale_factor", extras["loss_scale_factor"], 0.0, low_open=True)
    steps = extras["gradient_accumulation_steps"]
    if steps is not None:
        # 1 would be plain steps with extra work; Keras refuses it too.
        if check_positive_int(who, "gradient_accumulation_steps", steps) < 2:
            raise ValueError(f"{who}: `gradient_accumulation_steps` must be an integer >= 2 "
                             f"or None. Received: gradient_accumulation_steps={steps!r}")
        extras["gradient_accumulation_steps"] = int(steps)
    if kwargs.pop("decay", None) is not None:
        warnings.warn(f"{who}: argument `decay` is no longer supported (Keras 3) and is "
                      "ignored; use a learning-rate schedule instead.", stacklevel=3)
    if kwargs:
        raise ValueError(f"{who}: argument(s) not recognized: {kwargs}")
    return extras
