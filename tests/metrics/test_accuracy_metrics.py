"""Accuracy metrics and functions: small hand-computed cases over several weighted updates."""

import numpy as np
import pytest

from gpulayers import metrics, ops


def _value(metric):
    return float(np.asarray(metric.result()))


def test_accuracy_exact_match():
    m = metrics.Accuracy()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    assert _value(m) == pytest.approx(0.75)
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]], sample_weight=[1, 1, 0, 0])
    assert _value(m) == pytest.approx((3 + 1) / 6)
    m.reset_state()
    assert _value(m) == 0.0


def test_binary_accuracy_threshold_and_weights():
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    assert _value(m) == pytest.approx(0.75)
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], sample_weight=[1, 0, 0, 1])
    assert _value(m) == pytest.approx((3 + 1) / 6)
    logits = metrics.BinaryAccuracy(threshold=0.0)
    logits.update_state([1, 0, 1], [2.0, -1.0, -0.5])
    assert _value(logits) == pytest.approx(2 / 3)
    column = metrics.binary_accuracy([1.0, 0.0], [[0.4], [0.4]])  # (2,) meets (2, 1)
    np.testing.assert_array_equal(np.asarray(column), [[0.0], [1.0]])


def test_categorical_accuracy():
    y_true = [[0, 0, 1], [0, 1, 0]]
    y_pred = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    m = metrics.CategoricalAccuracy()
    m.update_state(y_true, y_pred)
    m.update_state(y_true, y_pred, sample_weight=[0.7, 0.3])
    assert _value(m) == pytest.approx((1 + 0.3) / 3)
    np.testing.assert_array_equal(np.asarray(metrics.categorical_accuracy(y_true, y_pred)),
                                  [0.0, 1.0])


def test_sparse_categorical_accuracy_label_shapes_and_sequences():
    y_pred = [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([[2], [1]], y_pred)
    m.update_state([2, 1], y_pred, sample_weight=[0.7, 0.3])
    assert _value(m) == pytest.approx((1 + 0.3) / 3)
    sequence = np.eye(3)[[[0, 1, 2], [2, 2, 0]]]  # (2, 3, 3) one-hot "predictions"
    m.reset_state()
    m.update_state([[0, 1, 0], [2, 2, 2]], sequence)
    assert _value(m) == pytest.approx(4 / 6)
    assert metrics.sparse_categorical_accuracy([[0, 1, 0]], sequence[:1]).shape == (1, 3)


def test_top_k_categorical_accuracy_including_ties_and_large_k():
    y_true = [[0, 0, 1], [0, 1, 0]]
    y_pred = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    m = metrics.TopKCategoricalAccuracy(k=1)
    m.update_state(y_true, y_pred)
    m.update_state(y_true, y_pred, sample_weight=[0.7, 0.3])
    assert _value(m) == pytest.approx((1 + 0.3) / 3)
    assert _value(metrics.TopKCategoricalAccuracy(k=2)) == 0.0
    two = metrics.TopKCategoricalAccuracy(k=2)
    two.update_state(y_true, y_pred)
    assert _value(two) == pytest.approx(1.0)
    tie = metrics.top_k_categorical_accuracy([[0, 1, 0]], [[0.5, 0.5, 0.5]], k=1)
    assert np.asarray(tie).tolist() == [1.0]  # a tie with the k-th score counts
    default = metrics.TopKCategoricalAccuracy()  # k=5 with 3 classes: everything is a hit
    default.update_state(y_true, y_pred)
    assert _value(default) == 1.0


def test_sparse_top_k_categorical_accuracy():
    y_pred = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    m = metrics.SparseTopKCategoricalAccuracy(k=1)
    m.update_state([2, 1], y_pred)
    m.update_state([[2], [1]], y_pred, sample_weight=[0.7, 0.3])
    assert _value(m) == pytest.approx((1 + 0.3) / 3)
    sorted_ids = metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    sorted_ids.update_state([2, 0, 1], [[1, 2, 0], [1, 2, 0], [0, 1, 2]])
    assert _value(sorted_ids) == pytest.approx(2 / 3)
    assert sorted_ids.get_config()["from_sorted_ids"] is True
    out_of_range = metrics.sparse_top_k_categorical_accuracy([7], [[0.1, 0.2, 0.3]], k=3)
    assert np.asarray(out_of_range).tolist() == [0.0]


def test_accuracy_with_prediction_mask():
    y_pred = ops.convert_to_tensor([[[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]])
    y_pred._keras_mask = ops.convert_to_tensor([[True, True, False]])
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([[0, 0, 0]], y_pred)
    assert _value(m) == pytest.approx(0.5)


def test_accuracy_errors_name_the_function_and_shapes():
    with pytest.raises(ValueError, match=r"categorical_accuracy.*\(2, 3\).*\(2, 2\)"):
        metrics.CategoricalAccuracy().update_state(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy.*\(3,\).*\(2, 4\)"):
        metrics.SparseCategoricalAccuracy().update_state([0, 1, 2], np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"binary_accuracy.*\(2, 3\).*\(2, 2\)"):
        metrics.binary_accuracy(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"TopKCategoricalAccuracy.*`k`.*0"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match=r"BinaryAccuracy.*threshold"):
        metrics.BinaryAccuracy(threshold="high")


@pytest.mark.parametrize("metric", [
    metrics.Accuracy(name="a", dtype="float64"), metrics.BinaryAccuracy(threshold=0.3),
    metrics.CategoricalAccuracy(), metrics.SparseCategoricalAccuracy(),
    metrics.TopKCategoricalAccuracy(k=3), metrics.SparseTopKCategoricalAccuracy(k=2),
], ids=lambda m: type(m).__name__)
def test_accuracy_configs_round_trip(metric):
    config = metric.get_config()
    assert "fn" not in config
    assert type(metric).from_config(config).get_config() == config
    restored = metrics.deserialize(metrics.serialize(metric))
    assert type(restored) is type(metric) and restored.get_config() == config
