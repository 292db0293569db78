"""TruePositives & co., Precision and Recall against hand-computed counts."""

import numpy as np
import pytest

from gpulayers import metrics

Y_TRUE = [0, 1, 1, 1]
Y_PRED = [1, 0, 1, 1]
SCORES = [0.2, 0.4, 0.6, 0.8]
THRESHOLDS = [0.3, 0.5, 0.7]


def _value(metric):
    return np.asarray(metric.result())


@pytest.mark.parametrize(("cls", "default", "weighted", "per_threshold"), [
    (metrics.TruePositives, 2.0, 1.0, [3.0, 2.0, 1.0]),
    (metrics.FalsePositives, 1.0, 0.0, [0.0, 0.0, 0.0]),
    (metrics.TrueNegatives, 0.0, 0.0, [1.0, 1.0, 1.0]),
    (metrics.FalseNegatives, 1.0, 0.0, [0.0, 1.0, 2.0]),
])
def test_condition_counts(cls, default, weighted, per_threshold):
    m = cls()
    m.update_state(Y_TRUE, Y_PRED)
    assert _value(m) == default
    m.update_state(Y_TRUE, Y_PRED, sample_weight=[0, 0, 1, 0])
    assert _value(m) == default + weighted
    m.reset_state()
    assert _value(m) == 0.0
    several = cls(thresholds=THRESHOLDS)
    several.update_state(Y_TRUE, SCORES)
    several.update_state(Y_TRUE, SCORES, sample_weight=[1, 1, 1, 1])
    np.testing.assert_allclose(_value(several), 2 * np.array(per_threshold))
    assert several.get_config()["thresholds"] == THRESHOLDS


def test_precision_and_recall_defaults_and_weights():
    p, r = metrics.Precision(), metrics.Recall()
    for m in (p, r):
        m.update_state(Y_TRUE, Y_PRED)
        assert _value(m) == pytest.approx(2 / 3)
        m.update_state(Y_TRUE, Y_PRED, sample_weight=[0, 0, 1, 0])
        assert _value(m) == pytest.approx(3 / 4)
    assert float(metrics.Precision().result()) == 0.0  # nothing seen: 0, not NaN


def test_precision_recall_several_thresholds():
    p, r = metrics.Precision(thresholds=THRESHOLDS), metrics.Recall(thresholds=THRESHOLDS)
    labels, scores = [0, 1, 0, 1], [0.6, 0.4, 0.8, 0.9]
    p.update_state(labels, scores)
    r.update_state(labels, scores)
    np.testing.assert_allclose(_value(p), [2 / 4, 1 / 3, 1 / 2])
    np.testing.assert_allclose(_value(r), [2 / 2, 1 / 2, 1 / 2])


def test_top_k_and_class_id():
    y_true, y_pred = [[0, 0, 1, 1]], [[0.1, 0.9, 0.8, 0.2]]
    p, r = metrics.Precision(top_k=2), metrics.Recall(top_k=2)
    p.update_state(y_true, y_pred)
    r.update_state(y_true, y_pred)
    assert _value(p) == pytest.approx(0.5) and _value(r) == pytest.approx(0.5)
    top_thresholded = metrics.Precision(top_k=2, thresholds=0.85)
    top_thresholded.update_state(y_true, y_pred)
    assert _value(top_thresholded) == 0.0  # only 0.9 passes, and its label is 0
    y_true = [[0, 1], [1, 0], [0, 1]]
    y_pred = [[0.2, 0.7], [0.3, 0.6], [0.9, 0.4]]
    p, r = metrics.Precision(class_id=1), metrics.Recall(class_id=1)
    p.update_state(y_true, y_pred)
    r.update_state(y_true, y_pred, sample_weight=[1.0, 1.0, 3.0])
    assert _value(p) == pytest.approx(0.5)
    assert _value(r) == pytest.approx(1 / 4)


def test_labels_are_read_as_booleans_and_shapes_align():
    m = metrics.TruePositives()
    m.update_state([[2.0], [0.0], [-1.0]], [0.9, 0.9, 0.9])  # nonzero labels are positive
    assert _value(m) == 2.0


def test_configs_round_trip():
    for metric in (metrics.Precision(thresholds=[0.2, 0.8], class_id=1, name="p"),
                   metrics.Recall(top_k=3), metrics.TruePositives(thresholds=0.25),
                   metrics.FalseNegatives(dtype="float64")):
        config = metric.get_config()
        rebuilt = type(metric).from_config(config)
        assert rebuilt.get_config() == config
        restored = metrics.deserialize(metrics.serialize(metric))
        assert type(restored) is type(metric) and restored.get_config() == config


def test_bad_arguments_name_the_metric():
    with pytest.raises(ValueError, match=r"Precision.*threshold values must be numbers in "
                                         r"\[0, 1\].*1\.5"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match=r"TruePositives.*\[0, 1\]"):
        metrics.TruePositives(thresholds=-0.1)
    with pytest.raises(ValueError, match=r"Recall.*top_k.*>= 1.*0"):
        metrics.Recall(top_k=0)
    with pytest.raises(ValueError, match=r"Precision.*class_id"):
        metrics.Precision(class_id="first")
    with pytest.raises(ValueError, match=r"Precision 'p'.*y_true.*\(3,\).*\(2,\)"):
        metrics.Precision(name="p").update_state([0, 1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"Recall.*class_id=5.*\(2, 3\)"):
        metrics.Recall(class_id=5).update_state(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"Precision.*sample_weight.*\(3,\)"):
        metrics.Precision().update_state([0, 1], [0.5, 0.5], sample_weight=[1.0, 2.0, 3.0])
