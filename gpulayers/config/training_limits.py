"""``keras.config``'s debugging caps on training length: the most epochs any ``fit`` runs
and the most steps any epoch of ``fit``/``evaluate``/``predict`` runs.

As in Keras, the caps start from the ``KERAS_MAX_EPOCHS`` and ``KERAS_MAX_STEPS_PER_EPOCH``
environment variables (unset: no cap), and a cap that shortens a run warns
``"Limiting epochs to N"`` / ``"Limiting steps_per_epoch to N"``.

Example::

    from gpulayers import config
    config.set_max_epochs(1)
    model.fit(x, y, epochs=100)   # runs one epoch, with a warning
"""

from __future__ import annotations

import os
import warnings

__all__ = ["capped_epochs", "capped_steps", "max_epochs", "max_steps_per_epoch",
           "set_max_epochs", "set_max_steps_per_epoch"]


def _from_environment(variable: str) -> int | None:
    value = os.environ.get(variable)
    return int(value) if value else None


_limits: dict[str, int | None] = {
    "epochs": _from_environment("KERAS_MAX_EPOCHS"),
    "steps": _from_environment("KERAS_MAX_STEPS_PER_EPOCH"),
}


def _limit(value: int | None, who: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{who}: expected a non-negative int or None. Received: {value!r}")
    return value


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the epochs of every ``fit`` call (None: no cap). For quick debugging runs."""
    _limits["epochs"] = _limit(max_epochs, "set_max_epochs")


def max_epochs() -> int | None:
    """The epoch cap, or None."""
    return _limits["epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of every epoch of ``fit``, ``evaluate`` and ``predict`` (None: no cap)."""
    _limits["steps"] = _limit(max_steps_per_epoch, "set_max_steps_per_epoch")


def max_steps_per_epoch() -> int | None:
    """The steps-per-epoch cap, or None."""
    return _limits["steps"]


def capped_epochs(epochs: int) -> int:
    """``epochs``, lowered to :func:`max_epochs` (with a warning) when a cap is set and
    smaller. Called by ``fit``."""
    cap = _limits["epochs"]
    if cap and cap < epochs:  # a cap of 0 means none, as in Keras
        warnings.warn(f"Limiting epochs to {cap}", stacklevel=3)
        return cap
    return epochs


def capped_steps(steps: int | None) -> int | None:
    """``steps`` (None: the whole data), lowered to :func:`max_steps_per_epoch` (with a
    warning) when a cap is set and smaller. Called by ``fit``/``evaluate``/``predict``."""
    cap = _limits["steps"]
    if cap and (not steps or cap < steps):
        warnings.warn(f"Limiting steps_per_epoch to {cap}", stacklevel=3)
        return cap
    return steps
