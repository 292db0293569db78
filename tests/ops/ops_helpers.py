"""Helpers shared by the op tests: seeded random inputs and value checks against NumPy.

Test modules import them as ``from ops_helpers import ...``: under pytest's default (prepend)
import mode the folder of a test module outside any package is on ``sys.path``.
"""

import numpy as np


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
