"""Keras 3 as a test-only peer for the metric tests (on its torch backend, CPU).

Tests that compare with Keras call :func:`keras_or_skip`, which skips them with the reason
when Keras 3 is not installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from keras_available import to_numpy


def run_both(ours: Any, theirs: Any, batches: list[tuple[Any, ...]]) -> tuple[Any, Any]:
    """Feed the same ``(y_true, y_pred[, sample_weight])`` batches to both metrics; return
    both results as NumPy arrays."""
    for batch in batches:
        ours.update_state(*batch)
        theirs.update_state(*batch)
    return np.asarray(ours.result()), to_numpy(theirs.result())
