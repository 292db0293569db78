"""SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision:
NumPy formulas, Keras 3 parity over several weighted updates, configs and argument errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_peer import run_both

from gpulayers import metrics

RNG = np.random.default_rng(31)
NAMES = ["SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall",
         "RecallAtPrecision"]


def _np_constrained(name, value, y, p, w=None, num_thresholds=200):
    """The metric from scratch: counts at each threshold (p > t, p clipped to [0, 1])."""
    y, p = np.asarray(y, bool).ravel(), np.clip(np.asarray(p, "float64").ravel(), 0, 1)
    w = np.ones_like(p) if w is None else np.asarray(w, "float64").ravel()
    n = num_thresholds
    thresholds = np.array([0.0] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1.0])
    above = p[None, :] > thresholds[:, None]
    tp = (above & y).astype(float) @ w
    fp = (above & ~y).astype(float) @ w
    fn = (~above & y).astype(float) @ w
    tn = (~above & ~y).astype(float) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.nan_to_num(tp / (tp + fn))
        precision = np.nan_to_num(tp / (tp + fp))
        specificity = np.nan_to_num(tn / (tn + fp))
    constrained, dependent = {
        "SensitivityAtSpecificity": (specificity, recall),
        "SpecificityAtSensitivity": (recall, specificity),
        "PrecisionAtRecall": (recall, precision),
        "RecallAtPrecision": (precision, recall),
    }[name]
    return max(np.max(np.where(constrained >= value, dependent, 0.0)), 0.0)


def test_hand_values():
    y, p = [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]
    assert np.isclose(float(metrics.PrecisionAtRecall(0.5)(y, p)), 0.5)
    assert np.isclose(float(metrics.SensitivityAtSpecificity(0.5)(y, p)), 0.5)
    assert np.isclose(float(metrics.SpecificityAtSensitivity(0.5)(y, p)), 2 / 3)
    assert np.isclose(float(metrics.RecallAtPrecision(0.8)([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])),
                      0.5)
    # Unreachable constraint -> 0.
    assert float(metrics.RecallAtPrecision(1.0)([1, 0], [0.2, 0.9])) == 0.0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("num_thresholds", [200, 7])
def test_matches_numpy(name, num_thresholds):
    y = (RNG.random(40) > 0.5).astype("float32")
    p = RNG.uniform(-0.2, 1.2, size=40).astype("float32")
    p[:3] = [0.0, 1.0, 0.5]
    w = RNG.uniform(0, 2, size=40)
    metric = getattr(metrics, name)(0.6, num_thresholds=num_thresholds, dtype="float64")
    metric.update_state(y[:25], p[:25], w[:25])
    metric.update_state(y[25:], p[25:], w[25:])
    expected = _np_constrained(name, 0.6, y, p, w, num_thresholds)
    np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-9)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("value", "kwargs"), [(0.5, {}), (0.8, {"num_thresholds": 1}),
                                               (0.3, {"num_thresholds": 2}),
                                               (0.7, {"num_thresholds": 50, "class_id": 2})])
def test_matches_keras(name, value, kwargs):
    keras = keras_or_skip()
    ours = getattr(metrics, name)(value, **kwargs)
    theirs = getattr(keras.metrics, name)(value, **kwargs)
    shape = (3, 12, 4) if "class_id" in kwargs else (3, 30)
    y = (RNG.random(shape) > 0.5).astype("float32")
    p = RNG.uniform(-0.1, 1.1, size=shape).astype("float32")
    p[0, :3] = 0.0
    weights = RNG.uniform(0, 2, size=shape[:2]).astype("float32")
    batches = [(y[0], p[0]), (y[1], p[1], weights[1]), (y[2], p[2], weights[2])]
    got, expected = run_both(ours, theirs, batches)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    ours.reset_state()
    theirs.reset_state()
    got, expected = run_both(ours, theirs, batches[1:2])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    config, keras_config = ours.get_config(), theirs.get_config()
    assert {k: v for k, v in config.items() if k != "name"} == \
        {k: v for k, v in keras_config.items() if k != "name"}


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip_and_lookup(name):
    cls = getattr(metrics, name)
    metric = cls(0.4, num_thresholds=17, class_id=1, name="m")
    rebuilt = metrics.deserialize(metrics.serialize(metric))
    assert type(rebuilt) is cls and rebuilt.get_config() == metric.get_config()
    assert cls.from_config(metric.get_config()).get_config() == metric.get_config()
    assert metrics.get({"class_name": name, "config": metric.get_config()}).num_thresholds == 17


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kwargs", [{"value": 1.5}, {"value": -0.1},
                                    {"value": 0.5, "num_thresholds": 0},
                                    {"value": 0.5, "class_id": "a"}])
def test_bad_arguments(name, kwargs):
    cls = getattr(metrics, name)
    kwargs = dict(kwargs)
    with pytest.raises(ValueError, match=name):
        cls(kwargs.pop("value"), **kwargs)
