"""Keras 3 as a test-only peer (on its torch backend, CPU), shared by every test folder.

Tests that compare with Keras call :func:`keras_or_skip`, which skips them with the reason
when Keras 3 is not installed. (``tests/`` is on ``sys.path`` through its conftest.py.)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest


def keras_or_skip() -> Any:
    """The keras module, or skip the test (naming why) when Keras 3 is not installed."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="Keras 3 (a test-only peer) is not installed")
    if int(keras.__version__.split(".")[0]) < 3:
        pytest.skip(f"needs Keras 3, found {keras.__version__}")
    return keras


def to_numpy(value: Any) -> np.ndarray:
    """A Keras (torch tensor) or gpulayers result as a NumPy array."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)
