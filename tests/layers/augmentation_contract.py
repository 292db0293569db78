"""The contract every random image-augmentation layer keeps, checked the same way for each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gpulayers import ops
from gpulayers.layers import deserialize, serialize


def assert_random_layer_contract(make: Callable[[], Any], x: np.ndarray) -> np.ndarray:
    """Check the layers ``make()`` builds (seeded) on the batch ``x``: identity at inference;
    two layers with the same seed draw the same stream, which moves on between calls; the
    output shape and ``compute_output_shape`` are the input's; a config round trip gives a
    layer with the same stream. Returns the first training output."""
    numpy = ops.convert_to_numpy
    np.testing.assert_array_equal(numpy(make()(x, training=False)), x)
    first, second = make(), make()
    a1, a2 = numpy(first(x, training=True)), numpy(first(x, training=True))
    np.testing.assert_array_equal(numpy(second(x, training=True)), a1)
    np.testing.assert_array_equal(numpy(second(x, training=True)), a2)
    assert not np.array_equal(a1, a2)                     # the stream moves on
    assert a1.shape == x.shape and first.compute_output_shape(x.shape) == x.shape
    layer = make()
    clone = deserialize(serialize(layer))
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()
    np.testing.assert_array_equal(numpy(clone(x, training=True)), a1)
    return a1
