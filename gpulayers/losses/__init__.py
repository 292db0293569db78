"""Losses (``keras.losses``): the Loss classes, the per-sample functions, get/serialize.

A loss class is called as ``loss(y_true, y_pred, sample_weight=None)`` and returns a scalar
Tensor (differentiable, on the device); the functions return one value per sample::

    loss = losses.CategoricalCrossentropy(from_logits=True)
    with GradientTape() as tape:
        value = loss(labels, model(x))
    losses.mean_squared_error(y_true, y_pred)        # shape (batch,)

``get`` resolves what ``compile(loss=...)`` accepts: a class name (``'MeanSquaredError'`` ->
an instance), a function name (``'mean_squared_error'`` -> the function), Keras's short names
``'mse'``, ``'mae'``, ``'mape'``, ``'msle'``, ``'kld'``, ``'bce'`` (also upper case), the
legacy ``'logcosh'``, ``'kullback_leibler_divergence'`` and ``'huber_loss'`` (functions), a
config dict, or any callable (returned unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpulayers.initializers.object_catalog import ObjectCatalog
from gpulayers.losses.circle_loss import Circle, circle
from gpulayers.losses.ctc_loss import CTC, ctc
from gpulayers.losses.focal_losses import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
)
from gpulayers.losses.functions import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
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
from gpulayers.losses.generalized_cross_entropy import (
    CategoricalGeneralizedCrossEntropy,
    categorical_generalized_cross_entropy,
)
from gpulayers.losses.hinge_losses import CategoricalHinge, Hinge, SquaredHinge
from gpulayers.losses.loss import Loss, standardize_reduction
from gpulayers.losses.loss_wrapper import LossFunctionWrapper
from gpulayers.losses.probabilistic_losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from gpulayers.losses.reduction import reduce_weighted_values, squeeze_or_expand_to_same_rank
from gpulayers.losses.regression_losses import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
)
from gpulayers.losses.segmentation_losses import Dice, Tversky, dice, tversky

__all__ = [
    "CTC", "KLD", "MAE", "MAPE", "MSE", "MSLE", "BinaryCrossentropy", "BinaryFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy", "Circle", "Dice", "Tversky",
    "categorical_generalized_cross_entropy", "circle", "ctc", "dice", "tversky",
    "CategoricalCrossentropy", "CategoricalFocalCrossentropy",
    "CategoricalHinge", "CosineSimilarity", "Hinge", "Huber", "KLDivergence", "LogCosh", "Loss",
    "LossFunctionWrapper", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredError", "MeanSquaredLogarithmicError", "Poisson",
    "SparseCategoricalCrossentropy", "SquaredHinge", "binary_crossentropy",
    "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
    "categorical_hinge", "cosine_similarity", "deserialize", "get",
    "hinge", "huber", "kl_divergence", "kld", "kullback_leibler_divergence", "log_cosh",
    "logcosh", "mae", "mape", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_error", "mean_squared_logarithmic_error", "mse", "msle", "poisson",
    "reduce_weighted_values", "serialize", "sparse_categorical_crossentropy", "squared_hinge",
    "squeeze_or_expand_to_same_rank", "standardize_reduction",
]

FUNCTIONS = {fn.__name__: fn for fn in (
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_hinge, cosine_similarity, hinge,
    huber, kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_error, mean_squared_logarithmic_error, poisson,
    sparse_categorical_crossentropy, squared_hinge, categorical_generalized_cross_entropy,
    circle, ctc, dice, tversky,
)}
_SHORT_NAMES = {
    "bce": binary_crossentropy, "kld": kl_divergence, "mae": mean_absolute_error,
    "mse": mean_squared_error, "mape": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error,
}
_CATALOG = ObjectCatalog(
    "loss", "gpulayers.losses", Loss,
    [LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
     MeanSquaredLogarithmicError, Huber, LogCosh, CosineSimilarity, BinaryCrossentropy,
     CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge,
     SquaredHinge, CategoricalHinge, BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
     CTC, Dice, Tversky, Circle, CategoricalGeneralizedCrossEntropy],
    # A class's snake_case name is its function's name: Keras gives the function there.
    aliases={
        **FUNCTIONS, **_SHORT_NAMES, **{k.upper(): v for k, v in _SHORT_NAMES.items()},
        "logcosh": log_cosh, "kullback_leibler_divergence": kl_divergence,
        "huber_loss": huber,
    },
)

# tf.keras's module-level short names.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


def get(identifier: Any) -> Any:
    """A loss from a name, a config dict, a Loss instance or class, or a callable.

    Args:
        identifier: ``None`` (gives None); a class name (an instance with default arguments);
            a function name or short name such as ``'mse'`` (the function); a
            ``{'class_name': ..., 'config': {...}}`` dict; a Loss class (instantiated); a Loss
            instance or any callable (returned unchanged).

    Raises:
        ValueError listing the valid names for an unknown name.

    Example: ``get('mse') is mean_squared_error``; ``get('BinaryCrossentropy')`` -> an instance.
    """
    return _CATALOG.get(identifier)


def serialize(loss: Any) -> Any:
    """The Keras 3 config dict of a Loss (``{'module', 'class_name', 'config',
    'registered_name'}``) or of a loss function (``{'class_name': 'function', ...}``).

    Example: ``serialize(Huber(delta=2.0))['config']['delta'] == 2.0``.
    """
    return _CATALOG.serialize(loss)


def deserialize(config: Any, custom_objects: Mapping[str, Any] | None = None) -> Any:
    """Rebuild a loss from :func:`serialize`'s dict, a Keras config dict or a name.

    Args:
        config: the serialized loss. custom_objects: names -> your own classes/functions.

    Example: ``deserialize(serialize(CategoricalCrossentropy(from_logits=True)))``.
    """
    return _CATALOG.deserialize(config, custom_objects)
