"""keras.random's gamma, beta, binomial, categorical, dropout and shuffle in gpulayers.random:
distributions checked by moments and Kolmogorov-Smirnov tests against scipy (fixed seeds),
seeding semantics, and shapes/dtypes against Keras 3."""

from __future__ import annotations

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

import gpulayers as gl
from gpulayers import backend, random

scipy_stats = pytest.importorskip("scipy.stats")
N = 20000


def _host(value):
    return backend.to_numpy(value)


@pytest.mark.parametrize("alpha", [0.5, 2.0, 7.5])
def test_gamma_distribution(alpha):
    sample = _host(random.gamma((N,), alpha, dtype="float64", seed=11))
    assert scipy_stats.kstest(sample, scipy_stats.gamma(alpha).cdf).pvalue > 1e-3
    np.testing.assert_allclose(sample.mean(), alpha, rtol=0.05)


def test_gamma_array_alpha_broadcasts():
    sample = _host(random.gamma((N, 2), np.array([1.0, 5.0]), seed=3))
    np.testing.assert_allclose(sample.mean(axis=0), [1.0, 5.0], rtol=0.05)


@pytest.mark.parametrize("a, b", [(0.5, 0.5), (2.0, 5.0)])
def test_beta_distribution(a, b):
    sample = _host(random.beta((N,), a, b, dtype="float64", seed=5))
    assert scipy_stats.kstest(sample, scipy_stats.beta(a, b).cdf).pvalue > 1e-3
    assert sample.min() >= 0 and sample.max() <= 1


def test_binomial_distribution():
    sample = _host(random.binomial((N,), 10, 0.3, seed=7))
    assert sample.dtype == np.float32  # floatx(), as Keras
    counts = np.bincount(sample.astype(int), minlength=11)
    expected = scipy_stats.binom(10, 0.3).pmf(np.arange(11)) * N
    keep = expected > 5
    assert scipy_stats.chisquare(counts[keep], expected[keep] * counts[keep].sum()
                                 / expected[keep].sum()).pvalue > 1e-3
    edge = _host(random.binomial((2, 3), np.array([0, 4, 9]), np.array([[0.0], [1.0]]),
                                 seed=1))
    np.testing.assert_array_equal(edge, [[0, 0, 0], [0, 4, 9]])


def test_categorical_frequencies_and_impossible_classes():
    logits = np.log(np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]]) + 1e-300)
    logits[1, 1:] = -np.inf
    draws = _host(random.categorical(logits, N, seed=9))
    assert draws.shape == (2, N) and draws.dtype == np.int32
    np.testing.assert_allclose(np.bincount(draws[0], minlength=3) / N, [0.2, 0.5, 0.3],
                               atol=0.015)
    assert (draws[1] == 0).all()


def test_dropout_scales_kept_entries_and_is_differentiable():
    x = np.ones((200, 50), dtype="float32")
    y = _host(random.dropout(x, 0.25, seed=2))
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    np.testing.assert_allclose((y == 0).mean(), 0.25, atol=0.02)
    channels = _host(random.dropout(np.ones((4, 6, 8), "float32"), 0.5, noise_shape=(None, 1,
                                                                                       None),
                                    seed=2))
    assert (channels == channels[:, :1, :]).all()  # the mask is shared along axis 1
    np.testing.assert_array_equal(_host(random.dropout(x, 1.0)), 0)
    assert random.dropout(x, 0.0) is x
    variable = gl.Variable(np.arange(1.0, 7.0).reshape(2, 3))
    with gl.GradientTape() as tape:
        out = random.dropout(variable, 0.5, seed=4)
        loss = gl.ops.sum(out)
    mask = _host(out) / np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_allclose(_host(tape.gradient(loss, variable)), mask)


def test_shuffle_permutes_whole_slices():
    x = np.arange(60).reshape(10, 6)
    rows = _host(random.shuffle(x, seed=3))
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x))
    assert not np.array_equal(rows, x)
    columns = _host(random.shuffle(x, axis=1, seed=3))
    np.testing.assert_array_equal(np.sort(columns, axis=1), x)
    order = np.argsort(columns[0])
    np.testing.assert_array_equal(columns[:, order], x)  # one permutation for every row
    tensor = random.shuffle(gl.convert_to_tensor(x.astype("float32")), axis=-1, seed=3)
    np.testing.assert_array_equal(_host(tensor), columns)


DRAWS = {
    "gamma": lambda seed: random.gamma((3, 4), 2.0, seed=seed),
    "beta": lambda seed: random.beta((3, 4), 2.0, 3.0, seed=seed),
    "binomial": lambda seed: random.binomial((3, 4), 5, 0.5, seed=seed),
    "categorical": lambda seed: random.categorical(np.zeros((3, 4)), 6, seed=seed),
    "dropout": lambda seed: random.dropout(np.ones((3, 4), "float32"), 0.5, seed=seed),
    "shuffle": lambda seed: random.shuffle(np.arange(12.0).reshape(12, 1), seed=seed),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_seed_semantics(name):
    draw = DRAWS[name]
    np.testing.assert_array_equal(_host(draw(42)), _host(draw(42)))  # int seed: same draws
    first = random.SeedGenerator(42)
    second = random.SeedGenerator(42)
    stream = [_host(draw(first)) for _ in range(3)]
    np.testing.assert_array_equal(np.stack(stream), np.stack([_host(draw(second))
                                                              for _ in range(3)]))
    assert any(not np.array_equal(stream[0], s) for s in stream[1:])  # a stream varies
    gl.utils.set_random_seed(5)
    a = _host(draw(None))
    gl.utils.set_random_seed(5)
    np.testing.assert_array_equal(a, _host(draw(None)))


@pytest.mark.parametrize("name, dtype", [("gamma", None), ("gamma", "float64"),
                                         ("beta", "float16"), ("binomial", None),
                                         ("binomial", "int32")])
def test_shapes_and_dtypes_match_keras(name, dtype):
    keras = keras_or_skip()
    args = {"gamma": ((2.0,), ()), "beta": ((2.0, 3.0), ()), "binomial": ((5, 0.5), ())}[name][0]
    ours = _host(getattr(random, name)((3, 4), *args, dtype=dtype, seed=1))
    theirs = to_numpy(getattr(keras.random, name)((3, 4), *args, dtype=dtype, seed=1))
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype


def test_categorical_dropout_shuffle_shapes_match_keras():
    keras = keras_or_skip()
    logits = np.zeros((3, 5), "float32")
    assert _host(random.categorical(logits, 7, seed=1)).shape == to_numpy(
        keras.random.categorical(logits, 7, seed=1)).shape
    x = np.ones((4, 3), "float32")
    ours = _host(random.dropout(x, 0.5, seed=1))
    theirs = to_numpy(keras.random.dropout(keras.ops.convert_to_tensor(x), 0.5, seed=1))
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert set(np.unique(ours)) <= {0.0, 2.0} and set(np.unique(theirs)) <= {0.0, 2.0}


def test_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        random.categorical(np.zeros(3), 2)
    with pytest.raises(ValueError, match="rate"):
        random.dropout(np.ones(3), 1.5)
    with pytest.raises(ValueError, match="noise_shape"):
        random.dropout(np.ones((2, 3)), 0.5, noise_shape=(2,))
    with pytest.raises(ValueError, match="axis"):
        random.shuffle(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="probabilities"):
        random.binomial((2,), 3, 1.5)
    with pytest.raises(ValueError, match="broadcast"):
        random.gamma((2, 3), np.ones(4))
    with pytest.raises(TypeError, match="seed"):
        random.gamma((2,), 1.0, seed="x")
