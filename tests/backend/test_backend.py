"""Backend selection, configuration, device transfer and seeded randomness."""

import subprocess
import sys

import numpy as np
import pytest

import gpulayers
from gpulayers import backend
from gpulayers.backend import random
from gpulayers.utils import set_random_seed


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_environment_variable_selects_numpy():
    result = _run_python("import gpulayers; print(gpulayers.backend.backend())",
                         GPULAYERS_BACKEND="numpy")
    assert result.stdout.strip() == "numpy", result.stderr


def test_unknown_backend_name_is_rejected():
    with pytest.raises(ValueError, match="Unknown backend 'tensorflow'"):
        backend.set_backend("tensorflow")


@pytest.mark.skipif(backend.cupy_unavailable_reason() is None, reason="a GPU is usable here")
def test_explicit_cupy_without_a_gpu_raises_with_the_reason():
    with pytest.raises(RuntimeError, match="cupy backend was requested but cannot be used"):
        backend.set_backend("cupy")
    result = _run_python("import gpulayers; gpulayers.backend.backend()", GPULAYERS_BACKEND="cupy")
    assert result.returncode != 0 and "cannot be used" in result.stderr


def test_use_backend_restores_the_previous_one():
    before = backend.backend()
    with backend.use_backend("numpy"):
        assert backend.backend() == "numpy"
    assert backend.backend() == before


def test_floatx_epsilon_and_image_data_format():
    assert backend.floatx() == "float32" and backend.epsilon() == 1e-7
    assert backend.image_data_format() == "channels_last"
    backend.set_floatx("float64")
    assert gpulayers.convert_to_tensor(1.0).dtype == "float64"
    backend.set_image_data_format("channels_first")
    assert backend.standardize_data_format(None) == "channels_first"
    with pytest.raises(ValueError, match="float8"):
        backend.set_floatx("float8")
    with pytest.raises(ValueError, match="channels_middle"):
        backend.set_image_data_format("channels_middle")
    with pytest.raises(ValueError, match="positive"):
        backend.set_epsilon(-1.0)


def test_to_numpy_and_to_device_round_trip():
    host = np.arange(6, dtype="float32").reshape(2, 3)
    device = backend.to_device(host)
    assert backend.is_array(device)
    np.testing.assert_array_equal(backend.to_numpy(device), host)
    np.testing.assert_array_equal(backend.to_numpy(gpulayers.Variable(host)), host)


def test_set_random_seed_makes_draws_repeat():
    set_random_seed(7)
    first = backend.to_numpy(random.normal((3, 4)))
    set_random_seed(7)
    second = backend.to_numpy(random.normal((3, 4)))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, backend.to_numpy(random.normal((3, 4))))


def test_seed_generator_is_a_reproducible_stream():
    a = random.SeedGenerator(3)
    b = random.SeedGenerator(3)
    a1, a2 = backend.to_numpy(random.uniform((5,), seed=a)), backend.to_numpy(
        random.uniform((5,), seed=a))
    np.testing.assert_array_equal(a1, backend.to_numpy(random.uniform((5,), seed=b)))
    assert not np.array_equal(a1, a2)


def test_distributions_have_the_requested_moments_and_bounds():
    sample = backend.to_numpy(random.uniform((20000,), -2.0, 3.0, seed=1))
    assert sample.dtype == np.float32 and sample.min() >= -2.0 and sample.max() < 3.0
    assert abs(sample.mean() - 0.5) < 0.05
    normal = backend.to_numpy(random.normal((20000,), 1.0, 2.0, dtype="float64", seed=2))
    assert normal.dtype == np.float64 and abs(normal.std() - 2.0) < 0.05
    truncated = backend.to_numpy(random.truncated_normal((20000,), 0.0, 1.0, seed=3))
    assert np.abs(truncated).max() <= 2.0 and truncated.std() > 0.8
    permutation = backend.to_numpy(random.permutation(10, seed=4))
    assert sorted(permutation.tolist()) == list(range(10))
    with pytest.raises(TypeError, match="seed"):
        random.uniform((2,), seed="abc")
