"""AUC against hand computations: ROC/PR/PRGAIN, summation methods, multi-label, weights."""

import math

import numpy as np
import pytest

from gpulayers import metrics

# With 3 thresholds (-eps, 0.5, 1 + eps) these give TP = [2, 1, 0], FP = [2, 0, 0],
# TN = [0, 2, 2], FN = [0, 1, 2]: recall [1, .5, 0], false-positive rate [1, 0, 0],
# precision [.5, 1, 0].
Y_TRUE = [0, 0, 1, 1]
Y_PRED = [0.0, 0.5, 0.3, 0.9]


def _auc(**kwargs):
    m = metrics.AUC(num_thresholds=3, **kwargs)
    m.update_state(Y_TRUE, Y_PRED)
    return float(m.result())


def test_roc_auc_trapezoids_and_weights():
    assert _auc() == pytest.approx(0.75)
    m = metrics.AUC(num_thresholds=3)
    m.update_state(Y_TRUE, Y_PRED, sample_weight=[1, 0, 0, 1])
    assert float(m.result()) == pytest.approx(1.0)
    m.update_state(Y_TRUE, Y_PRED, sample_weight=[0, 1, 1, 0])
    # the two updates' weights add up to 1 for every sample: the unweighted counts again
    assert float(m.result()) == pytest.approx(0.75)
    m.update_state(Y_TRUE, Y_PRED, sample_weight=[0, 0, 2, 0])
    # a positive scored 0.3, weight 2: TP [4, 1, 0], FN [0, 3, 4] -> recall [1, .25, 0]
    assert float(m.result()) == pytest.approx(1.25 / 2)
    m.update_state([0], [0.9], sample_weight=[5])
    # a negative scored 0.9, weight 5: FP [7, 5, 0], TN [0, 2, 7] -> fpr [1, 5/7, 0]
    expected = (1 - 5 / 7) * (1 + 0.25) / 2 + (5 / 7) * 0.25 / 2
    assert float(m.result()) == pytest.approx(expected)
    m.reset_state()
    assert float(m.result()) == 0.0


def test_summation_methods_and_curves():
    assert _auc(summation_method="minoring") == pytest.approx(0.5)  # ROC, lower rectangles
    assert _auc(summation_method="majoring") == pytest.approx(1.0)
    assert _auc(curve="PR", summation_method="minoring") == pytest.approx(0.5 * 0.5 + 0.5 * 0)
    assert _auc(curve="PR", summation_method="majoring") == pytest.approx(0.5 * 1 + 0.5 * 1)
    # Davis & Goadrich interpolation, interval by interval (see AUC._interpolate_pr_auc).
    first = (1 / 3) * (1 + (2 / 3) * math.log(4.0)) / 2
    assert _auc(curve="pr") == pytest.approx(first + 0.5, rel=1e-6)
    # PR gain: scale = (tp + fn) / (tn + fp) = 1; recall gain [1, 0, 0], precision gain
    # [0, 1, 1] (1 where tp = 0): trapezoids 1 * (0 + 1) / 2.
    assert _auc(curve="PRGAIN") == pytest.approx(0.5)


def test_explicit_thresholds_equal_num_thresholds():
    m = metrics.AUC(thresholds=[0.5])
    m.update_state(Y_TRUE, Y_PRED)
    assert float(m.result()) == pytest.approx(0.75)
    assert m.num_thresholds == 3 and m.thresholds[1] == 0.5
    assert m.get_config()["thresholds"] == [0.5]


def test_default_auc_of_a_perfect_and_a_reversed_ranking():
    perfect = metrics.AUC()
    perfect.update_state([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.8])
    assert float(perfect.result()) == pytest.approx(1.0, abs=1e-6)
    reversed_ = metrics.AUC()
    reversed_.update_state([1, 1, 0, 0], [0.1, 0.2, 0.7, 0.8])
    assert float(reversed_.result()) == pytest.approx(0.0, abs=1e-6)


def test_from_logits_and_out_of_range_predictions():
    logits = [-5.0, 0.0, -0.8, 2.2]
    m = metrics.AUC(num_thresholds=3, from_logits=True)
    m.update_state(Y_TRUE, logits)
    # sigmoid: [0.0067, 0.5, 0.31, 0.9]: the same ranking around 0.5 as Y_PRED
    assert float(m.result()) == pytest.approx(0.75)
    clipped, raw = metrics.AUC(num_thresholds=5), metrics.AUC(num_thresholds=5)
    clipped.update_state([0, 1, 1], [0.0, 1.0, 0.6])
    raw.update_state([0, 1, 1], [-3.0, 7.0, 0.6])  # clipped to [0, 1] first, as Keras does
    assert float(raw.result()) == pytest.approx(float(clipped.result()))


def test_multi_label_averages_per_label_aucs():
    y_true = np.stack([Y_TRUE, [0, 1, 0, 1]], axis=1)
    y_pred = np.stack([Y_PRED, [0.1, 0.9, 0.2, 0.8]], axis=1)
    m = metrics.AUC(num_thresholds=3, multi_label=True)
    assert m.variables == []  # built on the first batch
    m.update_state(y_true, y_pred)
    assert m.true_positives.shape == (3, 2)
    assert float(m.result()) == pytest.approx((0.75 + 1.0) / 2)
    weighted = metrics.AUC(num_thresholds=3, multi_label=True, num_labels=2,
                           label_weights=[1.0, 3.0])
    weighted.update_state(y_true, y_pred)
    assert float(weighted.result()) == pytest.approx((0.75 + 3 * 1.0) / 4)
    pooled = metrics.AUC(num_thresholds=3)
    pooled.update_state(y_true, y_pred)
    single = metrics.AUC(num_thresholds=3)
    single.update_state(y_true.reshape(-1), y_pred.reshape(-1))
    assert float(pooled.result()) == pytest.approx(float(single.result()))


def test_label_weights_weight_predictions_when_pooled():
    y_true = np.stack([Y_TRUE, [0, 1, 0, 1]], axis=1)
    y_pred = np.stack([Y_PRED, [0.1, 0.9, 0.2, 0.8]], axis=1)
    m = metrics.AUC(num_thresholds=3, label_weights=[1.0, 0.0])
    m.update_state(y_true, y_pred)
    assert float(m.result()) == pytest.approx(0.75)  # the second label does not count


def test_config_round_trip():
    for auc in (metrics.AUC(), metrics.AUC(num_thresholds=50, curve="PR",
                                           summation_method="minoring", name="pr_auc"),
                metrics.AUC(thresholds=[0.2, 0.6], multi_label=True, num_labels=3,
                            label_weights=[1.0, 2.0, 0.5], from_logits=True)):
        config = auc.get_config()
        rebuilt = metrics.AUC.from_config(config)
        assert rebuilt.get_config() == config
        restored = metrics.deserialize(metrics.serialize(auc))
        assert restored.get_config() == config


def test_bad_arguments_name_the_metric():
    with pytest.raises(ValueError, match=r"AUC.*num_thresholds.*> 1.*1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match=r"AUC 'a'.*curve.*\['PR', 'PRGAIN', 'ROC'\].*XYZ"):
        metrics.AUC(curve="XYZ", name="a")
    with pytest.raises(ValueError, match=r"AUC.*summation_method.*trapezoid"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match=r"AUC.*threshold values must be numbers in \[0, 1\]"):
        metrics.AUC(thresholds=[0.5, 2.0])
    with pytest.raises(ValueError, match=r"AUC.*num_labels.*multi_label"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match=r"AUC.*rank 2.*\(2, 3, 4\)"):
        metrics.AUC(multi_label=True).update_state(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))
    m = metrics.AUC(multi_label=True, num_labels=2)
    with pytest.raises(ValueError, match=r"AUC.*\(batch, 2\).*\(4, 3\)"):
        m.update_state(np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"AUC.*y_true.*\(3,\).*\(4,\)"):
        metrics.AUC().update_state([0, 1, 1], Y_PRED)
