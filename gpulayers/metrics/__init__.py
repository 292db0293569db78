"""Metrics (``keras.metrics``): stateful Metric classes, per-sample functions, get/serialize.

A metric accumulates over batches and reports a scalar Tensor::

    m = metrics.AUC()
    for x, y in batches:
        m.update_state(y, model(x))
    m.result(); m.reset_state()

``get`` resolves what ``compile(metrics=[...])`` names: a class name or its snake_case
(``'Precision'``, ``'precision'``, ``'sparse_categorical_accuracy'`` -> an instance), Keras's
short names ``'mse'``, ``'mae'``, ``'mape'``, ``'msle'``, ``'bce'`` (also upper case),
``'acc'`` / ``'accuracy'`` -> :class:`Accuracy` (exact match; ``compile`` itself picks the
binary, categorical or sparse variant from the loss), ``'logcosh'``, a config dict, or any
callable (returned unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpulayers.initializers.object_catalog import ObjectCatalog
from gpulayers.losses.focal_losses import (
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
)
from gpulayers.losses.functions import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from gpulayers.losses.functions import cosine_similarity as _loss_cosine_similarity
from gpulayers.metrics.accuracy_functions import (
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from gpulayers.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)
from gpulayers.metrics.auc import AUC
from gpulayers.metrics.confusion_metrics import (
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from gpulayers.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from gpulayers.metrics.f_score_metrics import F1Score, FBetaScore
from gpulayers.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from gpulayers.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from gpulayers.metrics.metric import Metric
from gpulayers.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from gpulayers.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from gpulayers.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    cosine_similarity,
)
from gpulayers.metrics.regression_r2 import R2Score
from gpulayers.metrics.sensitivity_specificity import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)

__all__ = [
    "AUC", "Accuracy", "BinaryIoU", "ConcordanceCorrelation", "IoU", "MeanIoU", "OneHotIoU",
    "OneHotMeanIoU", "PearsonCorrelation", "binary_focal_crossentropy",
    "categorical_focal_crossentropy", "concordance_correlation", "pearson_correlation",
    "BinaryAccuracy", "BinaryCrossentropy", "CategoricalAccuracy",
    "CategoricalCrossentropy", "CategoricalHinge", "CosineSimilarity", "F1Score",
    "FBetaScore", "FalseNegatives", "FalsePositives", "Hinge", "KLDivergence", "LogCoshError",
    "Mean", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanMetricWrapper", "MeanSquaredError",
    "MeanSquaredLogarithmicError", "Metric", "Poisson", "Precision", "PrecisionAtRecall",
    "R2Score", "Recall", "RecallAtPrecision", "RootMeanSquaredError",
    "SensitivityAtSpecificity", "SpecificityAtSensitivity", "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy", "SquaredHinge", "Sum", "TopKCategoricalAccuracy",
    "TrueNegatives", "TruePositives", "accuracy", "binary_accuracy", "binary_crossentropy",
    "categorical_accuracy", "categorical_crossentropy", "categorical_hinge",
    "cosine_similarity", "deserialize", "get", "hinge", "huber", "kl_divergence", "log_cosh",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "poisson", "serialize", "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy", "squared_hinge",
    "top_k_categorical_accuracy",
]

_CLASSES = [
    Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore, R2Score,
    PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
    PearsonCorrelation, ConcordanceCorrelation, IoU, BinaryIoU, MeanIoU, OneHotIoU,
    OneHotMeanIoU,
]
_SHORT_NAMES = {"bce": BinaryCrossentropy, "mse": MeanSquaredError, "mae": MeanAbsoluteError,
                "mape": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError}
_CATALOG = ObjectCatalog(
    "metric", "gpulayers.metrics", Metric, _CLASSES,
    aliases={**_SHORT_NAMES, **{k.upper(): v for k, v in _SHORT_NAMES.items()},
             "acc": Accuracy, "logcosh": LogCoshError},
)

# Functions a MeanMetricWrapper may hold, for deserializing its ``fn``. The metric's
# cosine_similarity (positive) and the loss's (negative) share a name: the saved module
# tells them apart.
_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy, categorical_hinge, hinge,
    squared_hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error,
    poisson, binary_focal_crossentropy, categorical_focal_crossentropy, pearson_correlation,
    concordance_correlation,
)}


def get(identifier: Any) -> Any:
    """A metric from a name, a config dict, a Metric instance or class, or a callable.

    Args:
        identifier: ``None`` (gives None); a class name or its snake_case, or a short name
            (``'mse'``, ``'acc'``): a new instance; a ``{'class_name', 'config'}`` dict; a
            Metric class (instantiated); a Metric instance or a function (unchanged).

    Raises:
        ValueError listing the valid names for an unknown name.

    Example: ``get('auc')`` -> ``AUC()``; ``get('accuracy')`` -> ``Accuracy()``.
    """
    return _CATALOG.get(identifier)


def serialize(metric: Any) -> Any:
    """The Keras 3 config dict of a Metric or of a metric/loss function.

    Example: ``serialize(Precision(thresholds=0.7))['config']['thresholds'] == 0.7``.
    """
    return _CATALOG.serialize(metric)


def deserialize(config: Any, custom_objects: Mapping[str, Any] | None = None) -> Any:
    """Rebuild a metric (or a metric function) from :func:`serialize`'s dict or a name.

    Args:
        config: the serialized metric. custom_objects: names -> your own classes/functions.

    Example: ``deserialize(serialize(AUC(curve='PR')))``.
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        name = str(config.get("registered_name") or config.get("config"))
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        if name == "cosine_similarity":
            from_losses = "losses" in str(config.get("module", ""))
            return _loss_cosine_similarity if from_losses else cosine_similarity
        if name in _FUNCTIONS:
            return _FUNCTIONS[name]
        raise ValueError(f"Unknown metric function: {name!r}. Known functions: "
                         f"{', '.join(sorted([*_FUNCTIONS, 'cosine_similarity']))}; pass your own "
                         "in `custom_objects`.")
    return _CATALOG.deserialize(config, custom_objects)
