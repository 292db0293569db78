"""Run the same optimizer steps in Keras 3 (torch backend, CPU) to compare with gpulayers.

Keras is a test-only peer: tests using this module skip with the reason when it is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from keras_available import keras_or_skip


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
