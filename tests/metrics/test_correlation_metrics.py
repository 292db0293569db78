"""PearsonCorrelation and ConcordanceCorrelation (and their functions): NumPy references, Keras
3 parity over several weighted updates, configs, string lookup, re-exported focal functions,
compile()/fit/evaluate and errors."""

import json

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from keras_peer import run_both

from gpulayers import losses, metrics
from gpulayers.layers import Dense, Input
from gpulayers.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from gpulayers.models import Sequential

RNG = np.random.default_rng(37)
EPS = 1e-7
pending = pytest.mark.skipif(not hasattr(metrics, "PearsonCorrelation"), reason="exports not "
                             "yet added to gpulayers/metrics/__init__.py")


def _np_pearson(t, p, axis=-1):
    t, p = np.asarray(t, "float64"), np.asarray(p, "float64")
    t = np.moveaxis(t, axis, -1).reshape(-1, t.shape[axis])
    p = np.moveaxis(p, axis, -1).reshape(-1, p.shape[axis])
    return np.array([np.corrcoef(a, b)[0, 1] for a, b in zip(t, p)])


def _np_concordance(t, p, axis=-1):
    t, p = np.asarray(t, "float64"), np.asarray(p, "float64")
    mt, mp = t.mean(axis), p.mean(axis)
    cov = ((t - np.expand_dims(mt, axis)) * (p - np.expand_dims(mp, axis))).mean(axis)
    return 2 * cov / (t.var(axis) + p.var(axis) + (mt - mp) ** 2 + EPS)


Y_TRUE = RNG.normal(size=(6, 5)).astype("float32")
Y_PRED = (0.6 * Y_TRUE + RNG.normal(scale=0.7, size=(6, 5)) + 0.3).astype("float32")


def test_hand_values():
    np.testing.assert_allclose(np.asarray(pearson_correlation([[1., 2., 3.]], [[2., 4., 6.]])),
                               [1.0], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(pearson_correlation([[1., 2., 3.]], [[3., 2., 1.]])),
                               [-1.0], rtol=1e-5)
    # t = [1, 2, 3], p = 2t: cov = 4/3, var(t) = 2/3, var(p) = 8/3, (2 - 4)^2 = 4.
    np.testing.assert_allclose(
        np.asarray(concordance_correlation([[1., 2., 3.]], [[2., 4., 6.]])),
        [2 * (4 / 3) / (2 / 3 + 8 / 3 + 4)], rtol=1e-5)
    np.testing.assert_allclose(
        np.asarray(concordance_correlation([[1., 2., 3.]], [[1., 2., 3.]])), [1.0], rtol=1e-5)


@pytest.mark.parametrize("axis", [-1, 0])
def test_functions_match_numpy(axis):
    np.testing.assert_allclose(np.asarray(pearson_correlation(Y_TRUE, Y_PRED, axis=axis)),
                               _np_pearson(Y_TRUE, Y_PRED, axis), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(concordance_correlation(Y_TRUE, Y_PRED, axis=axis)),
                               _np_concordance(Y_TRUE, Y_PRED, axis), rtol=1e-5, atol=1e-6)


def test_metric_is_the_weighted_mean_of_row_values():
    m = PearsonCorrelation()
    m.update_state(Y_TRUE[:3], Y_PRED[:3], sample_weight=[1.0, 2.0, 0.5])
    m.update_state(Y_TRUE[3:], Y_PRED[3:])
    rows = _np_pearson(Y_TRUE, Y_PRED)
    weights = np.array([1.0, 2.0, 0.5, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(float(m.result()), np.sum(rows * weights) / weights.sum(),
                               rtol=1e-5)
    m.reset_state()
    assert float(m.result()) == 0.0


@pytest.mark.parametrize("name", ["PearsonCorrelation", "ConcordanceCorrelation"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_keras_parity_over_batches(name, axis):
    keras = keras_or_skip()
    ours = {"PearsonCorrelation": PearsonCorrelation,
            "ConcordanceCorrelation": ConcordanceCorrelation}[name](axis=axis)
    theirs = getattr(keras.metrics, name)(axis=axis)
    weight_size = Y_TRUE.shape[1] if axis == 0 else 3
    batches = [(Y_TRUE[:3], Y_PRED[:3], RNG.uniform(0.1, 2, weight_size).astype("float32")),
               (Y_TRUE[3:], Y_PRED[3:]),
               # A trailing size-1 axis on y_true is squeezed away.
               (Y_TRUE[:, :, None], Y_PRED) if axis == -1 else (Y_TRUE, Y_PRED)]
    got, expected = run_both(ours, theirs, batches)
    assert np.isfinite(got)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("fn", ["pearson_correlation", "concordance_correlation"])
def test_function_keras_parity_with_trailing_axis(fn):
    keras = keras_or_skip()
    ours = {"pearson_correlation": pearson_correlation,
            "concordance_correlation": concordance_correlation}[fn]
    expected = to_numpy(getattr(keras.metrics, fn)(Y_TRUE[:, :1], Y_PRED[:, 0]))
    np.testing.assert_allclose(np.asarray(ours(Y_TRUE[:, :1], Y_PRED[:, 0])), expected,
                               rtol=1e-5, equal_nan=True)


def test_constant_series_is_nan_as_in_keras():
    assert np.isnan(np.asarray(pearson_correlation([[1.0, 1.0, 1.0]], [[1.0, 2.0, 3.0]]))).all()


@pytest.mark.parametrize("metric", [PearsonCorrelation(name="r", axis=0),
                                    ConcordanceCorrelation(dtype="float64")])
def test_config_round_trip_and_direction(metric):
    config = json.loads(json.dumps(metric.get_config()))
    rebuilt = type(metric).from_config(config)
    assert rebuilt.get_config() == config
    assert metric._direction == "up"


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        PearsonCorrelation().update_state(np.zeros((2, 3)), np.zeros((2, 4)))


def test_compile_fit_evaluate():
    x = RNG.normal(size=(16, 4)).astype("float32")
    y = (x @ RNG.normal(size=(4, 3))).astype("float32")
    model = Sequential([Input((4,)), Dense(3)])
    model.compile(optimizer="sgd", loss="mse",
                  metrics=[PearsonCorrelation(name="r"), ConcordanceCorrelation(name="ccc")])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    predicted = model.predict(x, verbose=0)
    np.testing.assert_allclose(logs["r"], _np_pearson(y, predicted).mean(), rtol=1e-4)
    np.testing.assert_allclose(logs["ccc"], _np_concordance(y, predicted).mean(), rtol=1e-4)


@pending
def test_string_lookup_compile_by_name_and_reexports():
    assert isinstance(metrics.get("pearson_correlation"), metrics.PearsonCorrelation)
    assert isinstance(metrics.get("ConcordanceCorrelation"), metrics.ConcordanceCorrelation)
    assert metrics.pearson_correlation is pearson_correlation
    assert metrics.binary_focal_crossentropy is losses.binary_focal_crossentropy
    assert metrics.categorical_focal_crossentropy is losses.categorical_focal_crossentropy
    wrapper = metrics.MeanMetricWrapper(concordance_correlation, name="ccc", axis=0)
    rebuilt = metrics.deserialize(metrics.serialize(wrapper))
    assert rebuilt._fn is concordance_correlation
    model = Sequential([Input((4,)), Dense(3)])
    model.compile(optimizer="sgd", loss="mse", metrics=["pearson_correlation"])
    x = RNG.normal(size=(8, 4)).astype("float32")
    logs = model.evaluate(x, x[:, :3], verbose=0, return_dict=True)
    assert "pearson_correlation" in logs
