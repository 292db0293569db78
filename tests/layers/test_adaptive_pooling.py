"""Adaptive pooling layers against a plain-loop reference, Keras 3.15 and finite differences."""

import itertools
import math

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import layers
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(0)
CLASSES = {
    ("average", 1): layers.AdaptiveAveragePooling1D, ("average", 2):
    layers.AdaptiveAveragePooling2D, ("average", 3): layers.AdaptiveAveragePooling3D,
    ("max", 1): layers.AdaptiveMaxPooling1D, ("max", 2): layers.AdaptiveMaxPooling2D,
    ("max", 3): layers.AdaptiveMaxPooling3D,
}


def reference(x, output_size, kind):
    """Loop over output cells: cell i of an axis of length L covers [floor(iL/n), ceil((i+1)L/n))
    (channels_last)."""
    spatial = x.shape[1:-1]
    out = np.zeros((x.shape[0], *output_size, x.shape[-1]))
    for cell in itertools.product(*map(range, output_size)):
        box = tuple(slice(i * length // n, math.ceil((i + 1) * length / n))
                    for i, length, n in zip(cell, spatial, output_size))
        window = x[(slice(None), *box, slice(None))]
        axes = tuple(range(1, 1 + len(spatial)))
        out[(slice(None), *cell, slice(None))] = (window.mean(axis=axes) if kind == "average"
                                                  else window.max(axis=axes))
    return out


@pytest.mark.parametrize("kind", ["average", "max"])
@pytest.mark.parametrize("spatial, output_size", [
    ((10,), (4,)), ((7,), (7,)), ((9, 5), (4, 3)), ((6, 6), (3, 3)), ((5, 4, 7), (2, 3, 3)),
])
def test_outputs_match_the_loop_reference(kind, spatial, output_size):
    x = RNG.normal(size=(2, *spatial, 3))
    layer = CLASSES[(kind, len(spatial))](output_size, dtype="float64")
    np.testing.assert_allclose(np.asarray(layer(x)), reference(x, output_size, kind),
                               rtol=1e-12)
    assert layer.compute_output_shape((None, *spatial, 3)) == (None, *output_size, 3)


@pytest.mark.parametrize("kind", ["average", "max"])
def test_channels_first_and_gradients(kind):
    x = RNG.normal(size=(2, 3, 7, 5))
    layer = CLASSES[(kind, 2)]((3, 2), data_format="channels_first", dtype="float64")
    expected = reference(x.transpose(0, 2, 3, 1), (3, 2), kind).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-12)
    check_gradients(layer, [x])


@pytest.mark.parametrize("kind", ["average", "max"])
@pytest.mark.parametrize("rank, spatial, output_size", [
    (1, (11,), 4), (2, (9, 7), (4, 3)), (2, (8, 8), 4)])
def test_matches_keras(kind, rank, spatial, output_size):
    keras = keras_or_skip()
    name = f"Adaptive{'Average' if kind == 'average' else 'Max'}Pooling{rank}D"
    x = RNG.normal(size=(2, *spatial, 3)).astype("float32")
    assert_keras_parity(getattr(layers, name), getattr(keras.layers, name),
                        {"output_size": output_size}, x)


def test_config_round_trip_and_bad_output_size():
    layer = layers.AdaptiveMaxPooling2D((2, 3), data_format="channels_first", name="pool")
    clone = layers.AdaptiveMaxPooling2D.from_config(layer.get_config())
    assert clone.output_size == (2, 3) and clone.data_format == "channels_first"
    with pytest.raises(ValueError, match="`output_size` must be a positive integer"):
        layers.AdaptiveAveragePooling2D((2, 0))
    with pytest.raises(ValueError, match="output_size"):
        layers.AdaptiveAveragePooling3D((2, 2))
