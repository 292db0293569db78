"""Metric updates and loss calls never read a Tensor back to the host (no per-batch sync)."""

import numpy as np
import pytest

from gpulayers import losses, metrics, ops
from gpulayers.autodiff import Tensor

RNG = np.random.default_rng(2)


@pytest.fixture
def no_host_reads(monkeypatch):
    """Make every Tensor-to-host conversion fail while the test body runs."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("a Tensor was read back to the host")

    for method in ("__bool__", "__float__", "__int__", "__index__", "item", "numpy",
                   "__array__"):
        monkeypatch.setattr(Tensor, method, refuse)


def _inputs():
    y_true = ops.convert_to_tensor((RNG.random((8, 3)) > 0.5).astype("float32"))
    y_pred = ops.convert_to_tensor(RNG.random((8, 3)).astype("float32"))
    weights = ops.convert_to_tensor(RNG.uniform(0, 2, 8).astype("float32"))
    return y_true, y_pred, weights


@pytest.mark.parametrize("make", [
    metrics.AUC, lambda: metrics.AUC(multi_label=True, curve="PR"), metrics.Precision,
    lambda: metrics.Recall(thresholds=[0.2, 0.7], top_k=2), metrics.TruePositives,
    metrics.BinaryAccuracy, metrics.CategoricalAccuracy, metrics.TopKCategoricalAccuracy,
    metrics.MeanSquaredError, metrics.RootMeanSquaredError, metrics.BinaryCrossentropy,
    metrics.CategoricalCrossentropy, metrics.CosineSimilarity,
])
def test_metric_updates_and_results_stay_on_the_device(make, no_host_reads):
    metric = make()
    y_true, y_pred, weights = _inputs()
    metric.update_state(y_true, y_pred)
    metric.update_state(y_true, y_pred, sample_weight=weights)
    assert isinstance(metric.result(), Tensor)


def test_sparse_top_k_and_losses_stay_on_the_device(no_host_reads):
    labels = ops.convert_to_tensor(RNG.integers(0, 3, 8).astype("int32"))
    _, y_pred, weights = _inputs()
    metric = metrics.SparseTopKCategoricalAccuracy(k=2)
    metric.update_state(labels, y_pred, sample_weight=weights)
    y_true, y_pred, weights = _inputs()
    y_pred._keras_mask = ops.greater(weights, 0.5)[:, None]
    for loss in (losses.MeanSquaredError(), losses.CategoricalCrossentropy(from_logits=True),
                 losses.Huber(reduction="mean_with_sample_weight")):
        assert isinstance(loss(y_true, y_pred, sample_weight=weights), Tensor)
