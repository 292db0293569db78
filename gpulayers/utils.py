"""User-facing utilities (Keras's ``keras.utils`` equivalents that belong below the layers)."""

from __future__ import annotations

from gpulayers.backend import random as _random


def set_random_seed(seed: int) -> None:
    """Seed every random generator gpulayers uses (both backends and Python's ``random``).

    Two runs that call ``set_random_seed(seed)`` first draw identical weights, dropout masks and
    shuffles on the same backend.
    """
    _random.set_seed(seed)


__all__ = ["set_random_seed"]
