"""metrics.get / serialize / deserialize for every metric, names, aliases and errors."""

import json

import numpy as np
import pytest

from gpulayers import losses, metrics

ALL = [
    metrics.Mean(), metrics.Sum(), metrics.MeanSquaredError(), metrics.RootMeanSquaredError(),
    metrics.MeanAbsoluteError(), metrics.MeanAbsolutePercentageError(),
    metrics.MeanSquaredLogarithmicError(), metrics.CosineSimilarity(axis=1),
    metrics.LogCoshError(), metrics.AUC(curve="PR"), metrics.FalseNegatives(),
    metrics.FalsePositives(), metrics.Precision(top_k=2), metrics.Recall(class_id=0),
    metrics.TrueNegatives(), metrics.TruePositives(thresholds=[0.1, 0.9]), metrics.Hinge(),
    metrics.SquaredHinge(), metrics.CategoricalHinge(), metrics.KLDivergence(),
    metrics.Poisson(), metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    metrics.CategoricalCrossentropy(axis=1), metrics.SparseCategoricalCrossentropy(
        ignore_class=3), metrics.Accuracy(), metrics.BinaryAccuracy(threshold=0.2),
    metrics.CategoricalAccuracy(), metrics.SparseCategoricalAccuracy(),
    metrics.TopKCategoricalAccuracy(k=2), metrics.SparseTopKCategoricalAccuracy(k=3),
    metrics.MeanMetricWrapper(losses.huber, name="huber", delta=0.5),
    metrics.MeanMetricWrapper(metrics.cosine_similarity, name="cos"),
]


@pytest.mark.parametrize("metric", ALL, ids=lambda m: type(m).__name__)
def test_every_metric_round_trips(metric):
    serialized = metrics.serialize(metric)
    assert json.loads(json.dumps(serialized)) == serialized
    restored = metrics.deserialize(serialized)
    assert type(restored) is type(metric)
    assert restored.get_config() == metric.get_config()
    assert restored.name == metric.name and restored.dtype == metric.dtype
    assert all(not v.trainable for v in restored.variables)


def test_wrapper_functions_keep_their_identity():
    cos = metrics.deserialize(metrics.serialize(ALL[-1]))
    assert cos._fn is metrics.cosine_similarity  # the metric's, not the loss's (negative) one
    loss_cos = metrics.MeanMetricWrapper(losses.cosine_similarity, name="neg_cos")
    assert metrics.deserialize(metrics.serialize(loss_cos))._fn is losses.cosine_similarity
    huber = metrics.deserialize(metrics.serialize(ALL[-2]))
    assert huber._fn is losses.huber and huber._fn_kwargs == {"delta": 0.5}
    with pytest.raises(ValueError, match=r"Unknown metric function: 'mystery'.*custom_objects"):
        metrics.deserialize({"class_name": "function", "config": "mystery"})


@pytest.mark.parametrize(("name", "cls"), [
    ("accuracy", metrics.Accuracy), ("acc", metrics.Accuracy), ("Accuracy", metrics.Accuracy),
    ("binary_accuracy", metrics.BinaryAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
    ("mse", metrics.MeanSquaredError), ("MSE", metrics.MeanSquaredError),
    ("mean_squared_error", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("mape", metrics.MeanAbsolutePercentageError), ("msle", metrics.MeanSquaredLogarithmicError),
    ("bce", metrics.BinaryCrossentropy), ("auc", metrics.AUC), ("AUC", metrics.AUC),
    ("precision", metrics.Precision), ("recall", metrics.Recall),
    ("root_mean_squared_error", metrics.RootMeanSquaredError),
    ("logcosh", metrics.LogCoshError), ("log_cosh_error", metrics.LogCoshError),
    ("kl_divergence", metrics.KLDivergence), ("true_positives", metrics.TruePositives),
])
def test_get_names_give_instances(name, cls):
    assert type(metrics.get(name)) is cls


def test_get_other_identifiers_and_errors():
    assert metrics.get(None) is None
    instance = metrics.AUC()
    assert metrics.get(instance) is instance
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    config = {"class_name": "BinaryAccuracy", "config": {"threshold": 0.9}}
    assert metrics.get(config).threshold == 0.9
    with pytest.raises(ValueError, match=r"Unknown metric: 'precison'.*Did you mean "
                                         r"'precision'.*Valid names:.*accuracy"):
        metrics.get("precison")
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get(3.5)


def test_custom_metric_deserializes_by_class_name():
    class Counter(metrics.Metric):
        def __init__(self, name="counter", dtype=None):
            super().__init__(name=name, dtype=dtype)
            self.n = self.add_variable((), "zeros", name="n")

        def update_state(self, values):
            self.n.assign_add(np.size(values))

        def result(self):
            return self.n + 0

    restored = metrics.deserialize(metrics.serialize(Counter(name="c")))
    assert type(restored).__name__ == "Counter" and restored.name == "c"
    custom = metrics.deserialize({"class_name": "Mine", "config": {"name": "x"}},
                                 custom_objects={"Mine": Counter})
    assert custom.name == "x"
