"""The ``special`` primitives: erf against Python's math.erf, and CuPy against NumPy."""

import math

import numpy as np
import pytest

from gpulayers import backend
from gpulayers.backend.numpy_backend import special as numpy_special
from gpulayers.testing import requires_gpu


def test_erf_matches_math_erf_to_1e_14():
    x = np.concatenate([np.linspace(-7.0, 7.0, 20001),
                        np.random.default_rng(0).standard_normal(5000) * 2.0,
                        [0.0, -0.0, 1.0, -1.0, 6.0, -6.0, 1e-300, 40.0, -1e300]])
    expected = np.array([math.erf(v) for v in x])
    got = numpy_special.erf(x)
    assert np.max(np.abs(got - expected)) < 1e-14
    small = np.abs(x) < 1.0  # relative accuracy where erf is small
    relative = np.abs(got[small] - expected[small]) / np.maximum(np.abs(expected[small]), 1e-300)
    assert np.max(relative) < 1e-14


def test_erf_special_values_shapes_and_dtypes():
    got = numpy_special.erf(np.array([np.inf, -np.inf, np.nan]))
    assert got[0] == 1.0 and got[1] == -1.0 and np.isnan(got[2])
    assert numpy_special.erf(np.float32([[0.5]])).dtype == np.float32
    assert numpy_special.erf(np.float32([[0.5]])).shape == (1, 1)
    scalar = numpy_special.erf(np.array(0.5))
    assert scalar.shape == () and abs(float(scalar) - math.erf(0.5)) < 1e-16


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cupy_erf_matches_numpy(dtype):
    x = np.linspace(-8.0, 8.0, 1001).astype(dtype)
    with backend.use_backend("cupy"):
        got = backend.to_numpy(backend.primitives("special").erf(backend.to_device(x)))
    np.testing.assert_allclose(got, numpy_special.erf(x), rtol=1e-6 if dtype == "float32"
                               else 1e-14, atol=1e-7 if dtype == "float32" else 1e-15)
    assert got.dtype == dtype
