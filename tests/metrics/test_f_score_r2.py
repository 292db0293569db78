"""FBetaScore, F1Score and R2Score: NumPy formulas, Keras 3 parity over several weighted
updates, configs, string lookup, compile() and argument errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_peer import run_both

from gpulayers import metrics
from gpulayers.layers import Dense, Input
from gpulayers.models import Sequential

RNG = np.random.default_rng(23)
EPS = 1e-7


def _np_fbeta(y, p, sample_weight=None, average=None, beta=1.0, threshold=None):
    y, p = np.asarray(y, "float64"), np.asarray(p, "float64")
    if threshold is None:
        predicted = (p >= p.max(axis=-1, keepdims=True)) & (np.abs(p) > 1e-9)
    else:
        predicted = p > threshold
    predicted = predicted.astype("float64")
    w = np.ones((len(y), 1)) if sample_weight is None else np.asarray(sample_weight)[:, None]
    axis = None if average == "micro" else 0
    tp = np.sum(predicted * y * w, axis=axis)
    fp = np.sum(predicted * (1 - y) * w, axis=axis)
    fn = np.sum((1 - predicted) * y * w, axis=axis)
    precision, recall = tp / (tp + fp + EPS), tp / (tp + fn + EPS)
    score = (1 + beta**2) * precision * recall / (beta**2 * precision + recall + EPS)
    if average == "weighted":
        support = np.sum(y * w, axis=0)
        return np.sum(score * support / (support.sum() + EPS))
    return score if average is None else np.mean(score)


def _np_r2(y, p, sample_weight=None, aggregation="uniform_average", num_regressors=0):
    y, p = np.asarray(y, "float64"), np.asarray(p, "float64")
    w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, "float64")
    w = np.broadcast_to(w[:, None] if w.ndim == 1 else w, y.shape)
    mean = (w * y).sum(0) / w.sum(0)
    ss_tot = (w * (y - mean) ** 2).sum(0)
    raw = 1 - (w * (y - p) ** 2).sum(0) / ss_tot
    if aggregation == "uniform_average":
        score = raw.mean()
    elif aggregation == "variance_weighted_average":
        score = (ss_tot * raw).sum() / ss_tot.sum()
    else:
        score = raw
    if num_regressors:
        n = y.size
        score = 1 - (1 - score) * (n - 1) / (n - num_regressors - 1)
    return score


LABELS = (RNG.random((3, 8, 4)) > 0.6).astype("float32")
SCORES = RNG.random((3, 8, 4)).astype("float32")
WEIGHTS = RNG.uniform(0, 2, size=(3, 8)).astype("float32")


def test_f1_hand_values():
    y = [[1, 1, 1], [1, 0, 0], [1, 1, 0]]
    p = [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]]
    # threshold 0.5: class 0 tp=1 fn=2 -> 0.5; class 1 tp=2 fp=1 -> 0.667; class 2 tp=1 fp=1.
    per_class = np.asarray(metrics.F1Score(threshold=0.5)(y, p))
    np.testing.assert_allclose(per_class, [0.5, 0.8, 0.6667], atol=1e-4)
    np.testing.assert_allclose(np.asarray(metrics.F1Score(average="macro", threshold=0.5)(y, p)),
                               np.mean([0.5, 0.8, 2 / 3]), atol=1e-5)
    beta2 = np.asarray(metrics.FBetaScore(beta=2.0, threshold=0.5)([[1, 0], [0, 1]],
                                                                   [[0.9, 0.6], [0.2, 0.7]]))
    np.testing.assert_allclose(beta2, [1.0, 5 * 0.5 / (4 * 0.5 + 1)], atol=1e-5)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize(("beta", "threshold"), [(1.0, None), (0.5, 0.4), (2.0, 0.7)])
def test_fbeta_matches_numpy(average, beta, threshold):
    metric = metrics.FBetaScore(average=average, beta=beta, threshold=threshold)
    metric.update_state(LABELS[0], SCORES[0], sample_weight=WEIGHTS[0])
    expected = _np_fbeta(LABELS[0], SCORES[0], WEIGHTS[0], average, beta, threshold)
    np.testing.assert_allclose(np.asarray(metric.result()), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize(("cls", "kwargs"), [("F1Score", {}), ("F1Score", {"threshold": 0.5}),
                                             ("FBetaScore", {"beta": 1.7, "threshold": 0.3})])
def test_fscores_match_keras(cls, kwargs, average):
    keras = keras_or_skip()
    ours = getattr(metrics, cls)(average=average, **kwargs)
    theirs = getattr(keras.metrics, cls)(average=average, **kwargs)
    batches = [(LABELS[0], SCORES[0]), (LABELS[1], SCORES[1], WEIGHTS[1]),
               (LABELS[2], SCORES[2], WEIGHTS[2])]
    got, expected = run_both(ours, theirs, batches)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    ours.reset_state()
    theirs.reset_state()
    got, expected = run_both(ours, theirs, batches[2:])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert ours.get_config() == theirs.get_config()


def test_r2_hand_values():
    r2 = metrics.R2Score()
    np.testing.assert_allclose(np.asarray(r2([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])),
                               1 - 2 / (14 / 3), rtol=1e-6)
    # A constant column: inf (residuals, no variance) scores 0; 0/0 stays nan, as in Keras.
    per_column = metrics.R2Score(class_aggregation=None)
    per_column.update_state([[1.0, 2.0], [4.0, 2.0], [3.0, 2.0]],
                            [[2.0, 2.0], [4.0, 3.0], [4.0, 2.0]])
    np.testing.assert_allclose(np.asarray(per_column.result()), [0.5714286, 0.0], rtol=1e-6)


@pytest.mark.parametrize("aggregation", ["uniform_average", "variance_weighted_average", None])
@pytest.mark.parametrize("weights", ["none", "rows", "values"])
def test_r2_matches_numpy(aggregation, weights):
    y, p = RNG.normal(size=(10, 3)), RNG.normal(size=(10, 3))
    w = {"none": None, "rows": RNG.uniform(0.1, 2, size=10),
         "values": RNG.uniform(0.1, 2, size=(10, 3))}[weights]
    metric = metrics.R2Score(class_aggregation=aggregation, num_regressors=2, dtype="float64")
    metric.update_state(y[:4], p[:4], None if w is None else w[:4])
    metric.update_state(y[4:], p[4:], None if w is None else w[4:])
    np.testing.assert_allclose(np.asarray(metric.result()),
                               _np_r2(y, p, w, aggregation, num_regressors=2), rtol=1e-9)


@pytest.mark.parametrize("aggregation", ["uniform_average", "variance_weighted_average", None])
@pytest.mark.parametrize("num_regressors", [0, 3])
def test_r2_matches_keras(aggregation, num_regressors):
    keras = keras_or_skip()
    ours = metrics.R2Score(class_aggregation=aggregation, num_regressors=num_regressors)
    theirs = keras.metrics.R2Score(class_aggregation=aggregation, num_regressors=num_regressors)
    y = RNG.normal(size=(3, 8, 4)).astype("float32")
    p = (y + RNG.normal(scale=0.5, size=y.shape)).astype("float32")
    batches = [(y[0], p[0]), (y[1], p[1], WEIGHTS[1]),
               (y[2], p[2], RNG.uniform(0, 2, size=(8, 4)).astype("float32"))]
    got, expected = run_both(ours, theirs, batches)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    ours.reset_state()
    theirs.reset_state()
    got, expected = run_both(ours, theirs, [(y[0][:, :1], p[0][:, 0])])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert ours.get_config() == theirs.get_config()


def test_r2_adjusted_falls_back_with_a_warning():
    y, p = [[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]]
    with pytest.warns(UserWarning, match="Division by zero"):
        value = metrics.R2Score(num_regressors=2)(y, p)
    np.testing.assert_allclose(np.asarray(value), 1 - 2 / (14 / 3), rtol=1e-6)
    with pytest.warns(UserWarning, match="More independent predictors"):
        metrics.R2Score(num_regressors=5)(y, p)


@pytest.mark.parametrize("metric", [
    metrics.F1Score(average="weighted", threshold=0.3, name="f1"),
    metrics.FBetaScore(average="micro", beta=0.5, name="fb", dtype="float64"),
    metrics.R2Score(class_aggregation="variance_weighted_average", num_regressors=2),
])
def test_config_round_trip(metric):
    rebuilt = metrics.deserialize(metrics.serialize(metric))
    assert type(rebuilt) is type(metric)
    assert rebuilt.get_config() == metric.get_config()
    assert type(metric).from_config(metric.get_config()).get_config() == metric.get_config()


def test_string_lookup():
    assert isinstance(metrics.get("f1_score"), metrics.F1Score)
    assert isinstance(metrics.get("F1Score"), metrics.F1Score)
    assert isinstance(metrics.get("f_beta_score"), metrics.FBetaScore)
    assert isinstance(metrics.get("r2_score"), metrics.R2Score)


def test_compile_with_string_names():
    model = Sequential([Input((4,)), Dense(3, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_focal_crossentropy",
                  metrics=["f1_score", "r2_score"])
    x = RNG.normal(size=(16, 4)).astype("float32")
    y = (RNG.random((16, 3)) > 0.5).astype("float32")
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0).history
    assert {"loss", "f1_score", "r2_score"} <= set(history)
    assert np.all(np.isfinite(np.asarray(history["loss"])))


@pytest.mark.parametrize(("cls", "kwargs"), [
    (metrics.FBetaScore, {"average": "mean"}),
    (metrics.FBetaScore, {"beta": 1}),
    (metrics.FBetaScore, {"beta": -1.0}),
    (metrics.F1Score, {"threshold": 1}),
    (metrics.F1Score, {"threshold": 1.5}),
    (metrics.R2Score, {"class_aggregation": "mean"}),
    (metrics.R2Score, {"num_regressors": -1}),
])
def test_bad_arguments(cls, kwargs):
    with pytest.raises(ValueError, match=cls.__name__):
        cls(**kwargs)


@pytest.mark.parametrize("cls", [metrics.F1Score, metrics.R2Score])
def test_non_2d_inputs_and_unbuilt_result(cls):
    with pytest.raises(ValueError, match=cls.__name__):
        cls().result()
    with pytest.raises(ValueError, match="2D inputs"):
        cls().update_state(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))
