"""Every initializer's values against its formula: moments, bounds, fans, orthogonality, seeds."""

import math

import numpy as np
import pytest

from gpulayers import backend, initializers
from gpulayers.backend.random import SeedGenerator
from gpulayers.utils import set_random_seed

TRUNC = 0.87962566103423978  # stddev of a standard normal truncated to [-2, 2]


def draw(initializer, shape, dtype=None):
    values = initializer(shape, dtype=dtype)
    assert backend.is_array(values), f"{initializer!r} returned {type(values)}"
    assert tuple(values.shape) == tuple(shape)
    return backend.to_numpy(values).astype("float64")


# -- fixed-parameter distributions ---------------------------------------------------------------
def test_random_normal_moments():
    values = draw(initializers.RandomNormal(mean=1.5, stddev=2.0), (500, 400))
    assert abs(values.mean() - 1.5) < 0.02
    assert values.std() == pytest.approx(2.0, rel=0.01)


def test_random_normal_defaults_are_keras_defaults():
    init = initializers.RandomNormal()
    assert (init.mean, init.stddev, init.seed) == (0.0, 0.05, None)
    assert initializers.RandomUniform().get_config() == {"seed": None, "minval": -0.05,
                                                         "maxval": 0.05}


def test_random_uniform_bounds_and_moments():
    values = draw(initializers.RandomUniform(minval=-3.0, maxval=1.0), (500, 400))
    assert values.min() >= -3.0 and values.max() < 1.0
    assert values.min() < -2.99 and values.max() > 0.99  # the whole range is used
    assert abs(values.mean() - (-1.0)) < 0.01
    assert values.std() == pytest.approx(4.0 / math.sqrt(12.0), rel=0.01)


def test_truncated_normal_within_two_stddev_with_truncated_spread():
    values = draw(initializers.TruncatedNormal(mean=-1.0, stddev=0.5), (500, 400))
    assert values.min() >= -1.0 - 2 * 0.5 - 1e-6 and values.max() <= -1.0 + 2 * 0.5 + 1e-6
    assert abs(values.mean() - (-1.0)) < 0.005
    assert values.std() == pytest.approx(0.5 * TRUNC, rel=0.01)


# -- fans --------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((300, 200), (300, 200)),                       # Dense (in, out)
    ((3, 16, 32), (3 * 16, 3 * 32)),                # Conv1D (k, in, out)
    ((3, 3, 16, 32), (3 * 3 * 16, 3 * 3 * 32)),     # Conv2D (kh, kw, in, out)
    ((2, 3, 4, 5, 6), (2 * 3 * 4 * 5, 2 * 3 * 4 * 6)),  # Conv3D
])
def test_compute_fans(shape, fans):
    assert initializers.compute_fans(shape) == fans


# -- variance scaling ----------------------------------------------------------------------------
DENSE, CONV = (400, 250), (5, 5, 32, 64)
FANS = {DENSE: (400, 250), CONV: (5 * 5 * 32, 5 * 5 * 64)}  # by hand: receptive field x channels


def _n(shape, mode):
    fan_in, fan_out = FANS[shape]
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


@pytest.mark.parametrize("shape", [DENSE, CONV])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_matches_its_formula(shape, mode, distribution):
    scale = 3.0
    values = draw(initializers.VarianceScaling(scale, mode, distribution), shape)
    stddev = math.sqrt(scale / _n(shape, mode))
    assert abs(values.mean()) < 0.03 * stddev
    assert values.std() == pytest.approx(stddev, rel=0.03)
    if distribution == "uniform":
        limit = math.sqrt(3 * scale / _n(shape, mode))
        assert np.abs(values).max() <= limit and np.abs(values).max() > 0.99 * limit
    elif distribution == "truncated_normal":
        bound = 2 * stddev / TRUNC
        assert np.abs(values).max() <= bound * (1 + 1e-6)
        assert np.abs(values).max() > 0.97 * bound
    else:
        assert np.abs(values).max() > 2.5 * stddev  # tails are kept


def test_variance_scaling_normal_is_truncated_normal():
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"


@pytest.mark.parametrize("name, expected_stddev, uniform", [
    ("glorot_uniform", lambda fi, fo: math.sqrt(2 / (fi + fo)), True),
    ("glorot_normal", lambda fi, fo: math.sqrt(2 / (fi + fo)), False),
    ("he_uniform", lambda fi, fo: math.sqrt(2 / fi), True),
    ("he_normal", lambda fi, fo: math.sqrt(2 / fi), False),
    ("lecun_uniform", lambda fi, fo: math.sqrt(1 / fi), True),
    ("lecun_normal", lambda fi, fo: math.sqrt(1 / fi), False),
])
@pytest.mark.parametrize("shape", [DENSE, CONV])
def test_named_schemes(name, expected_stddev, uniform, shape):
    values = draw(initializers.get(name), shape)
    stddev = expected_stddev(*FANS[shape])
    assert values.std() == pytest.approx(stddev, rel=0.03)
    if uniform:  # glorot: sqrt(6 / (fi + fo)); he: sqrt(6 / fi); lecun: sqrt(3 / fi)
        assert np.abs(values).max() <= math.sqrt(3) * stddev
    else:
        assert np.abs(values).max() <= 2 * stddev / TRUNC * (1 + 1e-6)


def test_named_scheme_settings():
    expected = {"GlorotUniform": (1.0, "fan_avg", "uniform"),
                "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
                "HeUniform": (2.0, "fan_in", "uniform"),
                "HeNormal": (2.0, "fan_in", "truncated_normal"),
                "LecunUniform": (1.0, "fan_in", "uniform"),
                "LecunNormal": (1.0, "fan_in", "truncated_normal")}
    for name, settings in expected.items():
        init = getattr(initializers, name)(seed=3)
        assert (init.scale, init.mode, init.distribution) == settings
        assert init.get_config() == {"seed": 3}


# -- orthogonal ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(10, 10), (40, 7), (3, 3, 4, 8), (2, 2, 4, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal_columns_orthonormal(shape, gain):
    w = draw(initializers.Orthogonal(gain=gain), shape).reshape(-1, shape[-1])
    np.testing.assert_allclose(w.T @ w, gain**2 * np.eye(shape[-1]), atol=2e-5 * gain**2)


@pytest.mark.parametrize("shape", [(5, 20), (2, 3, 17)])
def test_orthogonal_rows_orthonormal_when_wide(shape):
    w = draw(initializers.Orthogonal(), shape).reshape(-1, shape[-1])
    np.testing.assert_allclose(w @ w.T, np.eye(w.shape[0]), atol=2e-5)


def test_orthogonal_float64_precision():
    w = draw(initializers.Orthogonal(), (30, 30), dtype="float64")
    np.testing.assert_allclose(w.T @ w, np.eye(30), atol=1e-12)


def test_orthogonal_is_sign_corrected():
    # Without folding sign(diag(R)) into Q, Householder QR makes Q[0, 0] always negative;
    # a uniformly random orthogonal matrix has entries of mean 0.
    seed = SeedGenerator(7)
    corners = [draw(initializers.Orthogonal(seed=seed), (3, 3))[0, 0] for _ in range(400)]
    assert abs(np.mean(corners)) < 0.15
    assert min(corners) < -0.5 and max(corners) > 0.5


def test_orthogonal_rejects_rank_one():
    with pytest.raises(ValueError, match="Orthogonal.*at least two-dimensional"):
        initializers.Orthogonal()((5,))


# -- constants ----------------------------------------------------------------------------------
def test_zeros_ones_constant_values_and_dtypes():
    np.testing.assert_array_equal(draw(initializers.Zeros(), (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(draw(initializers.Ones(), (4,)), np.ones(4))
    np.testing.assert_array_equal(draw(initializers.Constant(2.5), (2, 2)), np.full((2, 2), 2.5))
    assert initializers.Zeros()((2,), dtype="int32").dtype == "int32"
    assert initializers.Ones()((2,), dtype="bool").dtype == "bool"
    assert initializers.Constant(3)((2,), dtype="int64").dtype == "int64"


def test_constant_broadcasts_an_array_value():
    values = draw(initializers.Constant(np.array([1.0, 2.0, 3.0])), (2, 3))
    np.testing.assert_array_equal(values, [[1, 2, 3], [1, 2, 3]])
    with pytest.raises(ValueError, match="Constant.*cannot be broadcast"):
        initializers.Constant([1.0, 2.0])((2, 3))
    with pytest.raises(TypeError, match="Constant"):
        initializers.Constant("ten")


def test_identity():
    np.testing.assert_array_equal(draw(initializers.Identity(), (3, 3)), np.eye(3))
    np.testing.assert_array_equal(draw(initializers.Identity(gain=2.0), (2, 4)),
                                  2 * np.eye(2, 4))
    with pytest.raises(ValueError, match="2D matrices"):
        initializers.Identity()((2, 2, 2))


# -- dtypes and shapes ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["random_normal", "random_uniform", "truncated_normal",
                                  "glorot_uniform", "he_normal", "orthogonal", "zeros", "ones",
                                  "identity", "constant"])
def test_dtype_defaults_to_floatx(name):
    init = initializers.get(name)
    assert init((4, 4)).dtype == "float32"
    backend.set_floatx("float64")
    assert init((4, 4)).dtype == "float64"
    assert init((4, 4), dtype="float16").dtype == "float16"


def test_random_initializers_reject_integer_dtypes():
    with pytest.raises(ValueError, match="RandomNormal: expected a float dtype"):
        initializers.RandomNormal()((2,), dtype="int32")


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="GlorotUniform: `shape`"):
        initializers.GlorotUniform()((3, -1))
    assert initializers.Zeros()(3).shape == (3,)


# -- seeds -----------------------------------------------------------------------------------
SEEDED = ["RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling", "GlorotUniform",
          "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal"]


@pytest.mark.parametrize("name", SEEDED)
def test_int_seed_gives_the_same_values_every_call(name):
    init = getattr(initializers, name)(seed=42)
    first = draw(init, (6, 5))
    np.testing.assert_array_equal(draw(init, (6, 5)), first)
    np.testing.assert_array_equal(draw(getattr(initializers, name)(seed=42), (6, 5)), first)
    assert not np.array_equal(draw(getattr(initializers, name)(seed=43), (6, 5)), first)
    np.testing.assert_array_equal(draw(init.clone(), (6, 5)), first)


@pytest.mark.parametrize("name", SEEDED)
def test_unseeded_draws_from_the_global_stream(name):
    init = getattr(initializers, name)()
    set_random_seed(5)
    first, second = draw(init, (6, 5)), draw(init, (6, 5))
    assert not np.array_equal(first, second)  # two layers sharing an instance differ
    set_random_seed(5)
    np.testing.assert_array_equal(draw(init, (6, 5)), first)
    np.testing.assert_array_equal(draw(init, (6, 5)), second)


def test_seed_generator_gives_a_reproducible_stream():
    init = initializers.RandomUniform(seed=SeedGenerator(11))
    a, b = draw(init, (4,)), draw(init, (4,))
    assert not np.array_equal(a, b)
    again = initializers.RandomUniform(seed=SeedGenerator(11))
    np.testing.assert_array_equal(draw(again, (4,)), a)
    np.testing.assert_array_equal(draw(again, (4,)), b)


def test_bad_seed_is_named():
    with pytest.raises(ValueError, match="HeNormal: `seed`"):
        initializers.HeNormal(seed="1")
