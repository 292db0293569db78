"""SpectralNormalization against Keras 3.15 and a NumPy power-iteration reference."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import layers

RNG = np.random.default_rng(0)


def _reference_step(kernel, u):
    """One power-iteration step and the normalized kernel, written out in NumPy."""
    weights = kernel.reshape(-1, kernel.shape[-1])
    v = u @ weights.T
    v = v / np.linalg.norm(v)
    u = v @ weights
    u = u / np.linalg.norm(u)
    sigma = (v @ weights @ u.T).item()
    return u, kernel / sigma


def test_a_training_call_divides_the_kernel_by_its_estimated_spectral_norm():
    layer = layers.SpectralNormalization(layers.Dense(4, use_bias=False, dtype="float64"),
                                         dtype="float64")
    x = RNG.normal(size=(2, 3))
    layer(x)
    kernel, u = (w.copy() for w in layer.get_weights())
    out = np.asarray(layer(x, training=True))
    expected_u, expected_kernel = _reference_step(kernel, u)
    np.testing.assert_allclose(layer.vector_u.numpy(), expected_u, rtol=1e-10)
    np.testing.assert_allclose(layer.layer.kernel.numpy(), expected_kernel, rtol=1e-10)
    np.testing.assert_allclose(out, x @ expected_kernel, rtol=1e-10)
    # inference leaves the kernel as it is
    before = layer.layer.kernel.numpy()
    layer(x, training=False)
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), before)


@pytest.mark.parametrize("make, x_shape", [
    (lambda lib: lib.layers.Dense(4), (2, 3)),
    (lambda lib: lib.layers.Conv2D(3, 2), (2, 5, 5, 2)),
])
def test_matches_keras_over_several_training_calls(make, x_shape):
    keras = keras_or_skip()
    import gpulayers

    theirs = keras.layers.SpectralNormalization(make(keras), power_iterations=2)
    ours = layers.SpectralNormalization(make(gpulayers), power_iterations=2)
    x = RNG.normal(size=x_shape).astype("float32")
    theirs(x)
    ours(x)
    ours.set_weights(theirs.get_weights())
    for _ in range(3):
        np.testing.assert_allclose(np.asarray(ours(x, training=True)),
                                   to_numpy(theirs(x, training=True)), rtol=1e-4, atol=1e-5)
    for got, expected in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_config_round_trip_and_errors():
    layer = layers.SpectralNormalization(layers.Dense(2), power_iterations=3)
    clone = layers.SpectralNormalization.from_config(layer.get_config())
    assert clone.power_iterations == 3 and isinstance(clone.layer, layers.Dense)
    with pytest.raises(ValueError, match="`power_iterations` should be greater than zero"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="has no `kernel` nor `embeddings`"):
        layers.SpectralNormalization(layers.Flatten())(np.zeros((1, 2, 2)))
