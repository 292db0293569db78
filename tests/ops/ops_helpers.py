"""Helpers shared by the op tests: seeded random inputs, value checks against NumPy and against
``keras.ops``.

Test modules import them as ``from ops_helpers import ...``: under pytest's default (prepend)
import mode the folder of a test module outside any package is on ``sys.path``.
"""

import numpy as np
from keras_available import keras_or_skip, to_numpy


def normal_sampler(rng):
    """``rand(*shape)``: an array of standard normal draws from ``rng``, shaped ``shape``."""

    def rand(*shape):
        return rng.standard_normal(shape)

    return rand


def assert_values(tensor, expected):
    """``tensor`` (anything ``np.asarray`` takes) has ``expected``'s shape and values (1e-6)."""
    got = np.asarray(tensor)
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def assert_matches_keras(name, ours, *args, rtol=1e-5, **kwargs):
    """``keras.ops.<name>(*args, **kwargs)`` has ``ours``'s values (within ``rtol``, also the
    absolute tolerance) and dtype, per output; skipped without Keras 3. Values are compared in
    at least float64 (bool and float16 outputs included)."""
    keras = keras_or_skip()
    theirs = getattr(keras.ops, name)(*args, **kwargs)
    pairs = zip(ours, theirs) if isinstance(ours, (list, tuple)) else [(ours, theirs)]
    for got, expected in pairs:
        got, want = np.asarray(got), to_numpy(expected)
        wide = np.promote_types(np.promote_types(got.dtype, want.dtype), np.float64)
        np.testing.assert_allclose(got.astype(wide), want.astype(wide), rtol=rtol, atol=rtol)
        assert got.dtype == keras.backend.standardize_dtype(expected.dtype), name
