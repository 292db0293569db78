"""Every loss class against a plain-NumPy formula, for every reduction and sample weighting."""

import loss_reference as ref
import numpy as np
import pytest

from gpulayers import losses

RNG = np.random.default_rng(7)
BATCH, STEPS, FEATURES = 4, 5, 3


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _data(kind, shape):
    """(y_true, y_pred) of the given leading shape for one kind of loss."""
    full = (*shape, FEATURES)
    if kind == "real":
        return RNG.normal(size=full), RNG.normal(size=full)
    if kind == "positive":
        return RNG.uniform(0.2, 3.0, size=full), RNG.uniform(0.2, 3.0, size=full)
    if kind == "binary":
        return (RNG.random(full) > 0.5).astype(float), RNG.uniform(0.05, 0.95, size=full)
    if kind == "binary_logits":
        return (RNG.random(full) > 0.5).astype(float), RNG.normal(scale=3.0, size=full)
    if kind == "signs":
        return np.where(RNG.random(full) > 0.5, 1.0, -1.0), RNG.normal(size=full)
    labels = RNG.integers(0, FEATURES, size=shape)
    logits = RNG.normal(scale=2.0, size=full)
    if kind == "sparse":
        return labels.astype(float), _softmax(logits)
    if kind == "sparse_logits":
        return labels.astype(float), logits
    one_hot = np.eye(FEATURES)[labels]
    if kind == "onehot":
        return one_hot, _softmax(logits)
    if kind == "distribution":
        return _softmax(RNG.normal(size=full)), _softmax(logits)
    return one_hot, logits  # "onehot_logits"


CASES = [
    (losses.MeanSquaredError, {}, ref.mse, "real"),
    (losses.MeanAbsoluteError, {}, ref.mae, "real"),
    (losses.MeanAbsolutePercentageError, {}, ref.mape, "positive"),
    (losses.MeanSquaredLogarithmicError, {}, ref.msle, "positive"),
    (losses.Huber, {"delta": 0.7}, lambda t, p: ref.huber(t, p, 0.7), "real"),
    (losses.LogCosh, {}, ref.log_cosh, "real"),
    (losses.CosineSimilarity, {}, ref.cosine, "real"),
    (losses.BinaryCrossentropy, {}, ref.bce, "binary"),
    (losses.BinaryCrossentropy, {"from_logits": True, "label_smoothing": 0.1},
     lambda t, p: ref.bce(t, p, True, 0.1), "binary_logits"),
    (losses.CategoricalCrossentropy, {}, ref.cce, "onehot"),
    (losses.CategoricalCrossentropy, {"from_logits": True, "label_smoothing": 0.2},
     lambda t, p: ref.cce(t, p, True, 0.2), "onehot_logits"),
    (losses.SparseCategoricalCrossentropy, {}, ref.scce, "sparse"),
    (losses.SparseCategoricalCrossentropy, {"from_logits": True},
     lambda t, p: ref.scce(t, p, True), "sparse_logits"),
    (losses.KLDivergence, {}, ref.kld, "distribution"),
    (losses.Poisson, {}, ref.poisson, "positive"),
    (losses.Hinge, {}, ref.hinge, "signs"),
    (losses.SquaredHinge, {}, ref.squared_hinge, "signs"),
    (losses.CategoricalHinge, {}, ref.categorical_hinge, "onehot_logits"),
]
IDS = [f"{cls.__name__}{'-' + '-'.join(kw) if kw else ''}" for cls, kw, _, _ in CASES]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]
PER_SAMPLE_WEIGHTS = {
    "none": None,
    "scalar": 2.5,
    "per_sample": RNG.uniform(0.0, 2.0, size=BATCH),
    "per_sample_column": RNG.uniform(0.0, 2.0, size=(BATCH, 1)),
}


def _check(loss, y_true, y_pred, reference, reduction, sample_weight, rtol=2e-5):
    values = reference(y_true, y_pred)
    expected = ref.reduce(values, reduction, sample_weight)
    result = loss(y_true, y_pred, sample_weight=sample_weight)
    assert result.dtype == "float32"
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(np.asarray(result), expected, rtol=rtol, atol=1e-5)


@pytest.mark.parametrize(("cls", "kwargs", "reference", "kind"), CASES, ids=IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_matches_numpy_per_sample_weights(cls, kwargs, reference, kind, reduction):
    y_true, y_pred = _data(kind, (BATCH,))
    loss = cls(reduction=reduction, **kwargs)
    for weight in PER_SAMPLE_WEIGHTS.values():
        _check(loss, y_true, y_pred, reference, reduction, weight)


@pytest.mark.parametrize(("cls", "kwargs", "reference", "kind"), CASES, ids=IDS)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_loss_matches_numpy_per_timestep_weights(cls, kwargs, reference, kind, reduction):
    """Sequence outputs: one loss per (sample, step); weights per sample or per step."""
    y_true, y_pred = _data(kind, (BATCH, STEPS))
    loss = cls(reduction=reduction, **kwargs)
    per_step = RNG.uniform(0.0, 2.0, size=(BATCH, STEPS))
    per_sample = RNG.uniform(0.0, 2.0, size=BATCH)
    for weight in (None, per_step, per_sample):
        _check(loss, y_true, y_pred, reference, reduction, weight)


def test_keras_documented_values():
    y_true, y_pred = np.array([[0, 1], [0, 0]]), np.array([[-18.6, 0.51], [2.94, -12.8]])
    bce = losses.BinaryCrossentropy(from_logits=True)
    np.testing.assert_allclose(np.asarray(bce(y_true, y_pred)), 0.8654, atol=1e-4)
    np.testing.assert_allclose(np.asarray(bce(y_true, y_pred, sample_weight=[0.8, 0.2])),
                               0.2436, atol=1e-4)
    none = losses.BinaryCrossentropy(from_logits=True, reduction=None)(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(none), [0.2352, 1.4958], atol=1e-4)
    scce = losses.SparseCategoricalCrossentropy()
    probs = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    np.testing.assert_allclose(np.asarray(scce([1, 2], probs)), 1.1769, atol=1e-4)
    np.testing.assert_allclose(np.asarray(scce([1, 2], probs, sample_weight=[0.3, 0.7])),
                               0.8136, atol=1e-4)
    mse = losses.MeanSquaredError()
    np.testing.assert_allclose(np.asarray(mse([1.0, 0.0, 1.0], [0.9, 0.1, 0.8])), 0.02,
                               rtol=1e-5)


def test_rank_one_targets_meet_column_predictions():
    """(batch,) labels with (batch, 1) predictions: one value per sample, as in Keras."""
    y_true = np.array([0.0, 1.0, 1.0])
    y_pred = np.array([[0.2], [0.6], [0.9]])
    result = losses.BinaryCrossentropy(reduction=None)(y_true, y_pred)
    assert result.shape == (3,)
    np.testing.assert_allclose(np.asarray(result), ref.bce(y_true[:, None], y_pred), rtol=1e-5)
    labels = np.array([[2], [0]])
    sparse = losses.SparseCategoricalCrossentropy(reduction=None)(labels, [[0.2, 0.3, 0.5],
                                                                          [0.6, 0.3, 0.1]])
    np.testing.assert_allclose(np.asarray(sparse), -np.log([0.5, 0.6]), rtol=1e-5)


def test_dtype_argument_sets_the_computation_dtype():
    y_true, y_pred = _data("real", (BATCH,))
    result = losses.MeanSquaredError(dtype="float64")(y_true, y_pred)
    assert result.dtype == "float64"
    np.testing.assert_allclose(np.asarray(result), ref.mse(y_true, y_pred).mean(), rtol=1e-12)


def test_empty_batch_gives_zero_not_nan():
    result = losses.MeanSquaredError()(np.zeros((0, 3)), np.zeros((0, 3)))
    assert np.asarray(result).size == 0 or float(np.asarray(result).sum()) == 0.0
    weighted = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    assert float(weighted([[1.0]], [[2.0]], sample_weight=[0.0])) == 0.0
