"""Run the same optimizer steps in Keras 3 (torch backend, CPU) to compare with gpulayers.

Keras is a test-only peer: tests using this module skip with the reason when it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")


def keras_or_skip() -> Any:
    """The keras module, or skip the test (naming why) when Keras 3 is not installed."""
    keras = pytest.importorskip("keras", reason="Keras 3 (a test-only peer) is not installed")
    if int(keras.__version__.split(".")[0]) < 3:
        pytest.skip(f"needs Keras 3, found {keras.__version__}")
    return keras


def keras_steps(class_name: str, kwargs: dict[str, Any], initial: Sequence[np.ndarray],
                gradient_steps: Sequence[Sequence[np.ndarray]]) -> list[np.ndarray]:
    """The float64 variables' values after Keras's ``class_name(**kwargs)`` applies each step."""
    keras = keras_or_skip()
    optimizer = getattr(keras.optimizers, class_name)(**kwargs)
    variables = [keras.Variable(np.array(v, dtype="float64"), dtype="float64") for v in initial]
    for grads in gradient_steps:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(np.asarray(g)), v)
                                   for g, v in zip(grads, variables)])
    return [np.asarray(v.numpy()) for v in variables]
