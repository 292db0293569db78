"""Regression, probabilistic and hinge metrics: running weighted means of per-sample values."""

import numpy as np
import pytest

from gpulayers import metrics

RNG = np.random.default_rng(5)
EPS = 1e-7


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _cce(t, p):
    return -np.sum(t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)), axis=-1)


def real():
    return RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))


def positive():
    return RNG.uniform(0.2, 2, (4, 3)), RNG.uniform(0.2, 2, (4, 3))


def binary():
    return (RNG.random((4, 3)) > 0.5) * 1.0, RNG.uniform(0.05, 0.95, (4, 3))


def one_hot():
    return np.eye(3)[RNG.integers(0, 3, 4)], _softmax(RNG.normal(size=(4, 3)))


def sparse():
    labels, probs = one_hot()
    return labels.argmax(-1), probs


def distributions():
    return _softmax(RNG.normal(size=(4, 3))), _softmax(RNG.normal(size=(4, 3)))


def signs():
    return np.sign(RNG.normal(size=(4, 3))), RNG.normal(size=(4, 3))


def one_hot_scores():
    return one_hot()[0], RNG.normal(size=(4, 3))


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


CASES = [
    (metrics.MeanSquaredError, {}, real, lambda t, p: np.mean((t - p) ** 2, -1)),
    (metrics.MeanAbsoluteError, {}, real, lambda t, p: np.mean(np.abs(t - p), -1)),
    (metrics.MeanAbsolutePercentageError, {}, positive,
     lambda t, p: 100 * np.mean(np.abs((t - p) / t), -1)),
    (metrics.MeanSquaredLogarithmicError, {}, positive,
     lambda t, p: np.mean((np.log1p(p) - np.log1p(t)) ** 2, -1)),
    (metrics.LogCoshError, {}, real, lambda t, p: np.mean(np.log(np.cosh(p - t)), -1)),
    (metrics.CosineSimilarity, {}, real, lambda t, p: np.sum(_unit(t) * _unit(p), -1)),
    (metrics.BinaryCrossentropy, {}, binary,
     lambda t, p: -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p), -1)),
    (metrics.CategoricalCrossentropy, {}, one_hot, _cce),
    (metrics.SparseCategoricalCrossentropy, {}, sparse, lambda t, p: _cce(np.eye(3)[t], p)),
    (metrics.KLDivergence, {}, distributions,
     lambda t, p: np.sum(t * np.log(t / p), -1)),
    (metrics.Poisson, {}, positive, lambda t, p: np.mean(p - t * np.log(p + EPS), -1)),
    (metrics.Hinge, {}, signs,
     lambda t, p: np.mean(np.maximum(1 - t * p, 0), -1)),
    (metrics.SquaredHinge, {}, signs,
     lambda t, p: np.mean(np.maximum(1 - t * p, 0) ** 2, -1)),
    (metrics.CategoricalHinge, {}, one_hot_scores,
     lambda t, p: np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0)),
]


@pytest.mark.parametrize(("cls", "kwargs", "data", "per_sample"), CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_running_weighted_mean_matches_numpy(cls, kwargs, data, per_sample):
    metric = cls(**kwargs)
    batches = [data() for _ in range(3)]
    weights = [None, RNG.uniform(0, 2, 4), RNG.uniform(0, 2, (4, 1))]
    total = count = 0.0
    for (y_true, y_pred), w in zip(batches, weights):
        metric.update_state(y_true, y_pred, sample_weight=w)
        w = np.ones(4) if w is None else np.reshape(w, 4)
        total += np.sum(per_sample(y_true, y_pred) * w)
        count += w.sum()
    np.testing.assert_allclose(np.asarray(metric.result()), total / count, rtol=2e-5)
    config = metric.get_config()
    assert cls.from_config(config).get_config() == config
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_root_mean_squared_error_is_the_root_of_the_running_mean():
    m = metrics.RootMeanSquaredError()
    m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    assert float(m.result()) == pytest.approx(0.5)
    m.update_state([[2.0, 2.0]], [[0.0, 0.0]], sample_weight=[2.0])
    # squared errors per sample: 0.5, 0 (weight 1 each), then 4 (weight 2)
    assert float(m.result()) == pytest.approx(np.sqrt((0.5 + 0 + 8) / 4))
    m.update_state([1.0, 2.0], [[1.0], [4.0]])  # (batch,) meets (batch, 1)
    assert float(m.result()) == pytest.approx(np.sqrt((8.5 + 0 + 4) / 6))
    with pytest.raises(ValueError, match=r"RootMeanSquaredError.*\(2, 3\).*\(2, 2\)"):
        m.update_state(np.zeros((2, 3)), np.zeros((2, 2)))


def test_sparse_crossentropy_metric_leaves_ignored_labels_out():
    probs = np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]])
    m = metrics.SparseCategoricalCrossentropy(ignore_class=-1)
    m.update_state([1, -1, 0], probs)
    assert float(m.result()) == pytest.approx(-(np.log(0.8) + np.log(0.9)) / 2, rel=1e-5)
    m.update_state([-1, -1, 1], probs, sample_weight=[1.0, 1.0, 2.0])
    expected = -(np.log(0.8) + np.log(0.9) + 2 * np.log(0.1)) / 4
    assert float(m.result()) == pytest.approx(expected, rel=1e-5)


def test_cosine_similarity_metric_axis_and_sign():
    m = metrics.CosineSimilarity(axis=0)
    m.update_state([[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [0.0, -1.0]])
    assert float(m.result()) == pytest.approx(0.0)  # per column: +1 and -1
    assert m.get_config()["axis"] == 0
    assert np.asarray(metrics.cosine_similarity([[0, 1], [1, 1]], [[1, 0], [1, 1]])).tolist() \
        == pytest.approx([0.0, 1.0])
