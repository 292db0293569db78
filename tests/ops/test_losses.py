"""Loss ops: hand-computed 2x3 cases, gradients, extreme logits, errors, CuPy agreement."""

import math

import numpy as np
import pytest

import gpulayers
from gpulayers import backend, ops
from gpulayers.testing import check_gradients, requires_gpu

ONE_HOT = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
PROBS = np.array([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]])
LOGITS = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
Y_TRUE = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
Y_PRED = np.array([[1.5, 1.0, 3.5], [0.0, -2.5, 2.5]])  # errors [[.5, -1, .5], [-.5, -1.5, .5]]
POSITIVE_TRUE = np.array([[1.0, 2.0, 3.0], [0.5, 4.0, 2.0]])
POSITIVE_PRED = np.array([[1.5, 1.0, 3.5], [0.25, 3.0, 2.5]])
SIGNS = np.array([[-1.0, 1.0, 1.0], [1.0, -1.0, -1.0]])
SCORES = np.array([[0.3, -0.6, 2.0], [0.8, 0.2, -1.5]])
EPSILON = 1e-7


def _close(tensor, expected, rtol=1e-10):
    np.testing.assert_allclose(np.asarray(tensor), expected, rtol=rtol, atol=1e-12)


def test_regression_losses_hand_computed():
    _close(ops.mean_squared_error(Y_TRUE, Y_PRED), [1.5 / 3, 2.75 / 3])
    _close(ops.mean_absolute_error(Y_TRUE, Y_PRED), [2.0 / 3, 2.5 / 3])
    _close(ops.mean_absolute_percentage_error(Y_TRUE, Y_PRED),
           [100 * (0.5 + 0.5 + 0.5 / 3) / 3, 100 * (1.0 + 1.5 + 0.25) / 3])
    _close(ops.huber(Y_TRUE, Y_PRED), [(0.125 + 0.5 + 0.125) / 3, (0.125 + 1.0 + 0.125) / 3])
    _close(ops.huber(Y_TRUE, Y_PRED, delta=0.5),
           [(0.125 + 0.375 + 0.125) / 3, (0.125 + 0.625 + 0.125) / 3])
    log_cosh = [sum(math.log(math.cosh(e)) for e in row) / 3 for row in Y_PRED - Y_TRUE]
    _close(ops.log_cosh(Y_TRUE, Y_PRED), log_cosh)


def test_logarithmic_and_count_losses_hand_computed():
    msle = [sum((math.log(p + 1) - math.log(t + 1)) ** 2 for t, p in zip(ts, ps)) / 3
            for ts, ps in zip(POSITIVE_TRUE, POSITIVE_PRED)]
    _close(ops.mean_squared_logarithmic_error(POSITIVE_TRUE, POSITIVE_PRED), msle)
    poisson = [sum(p - t * math.log(p + EPSILON) for t, p in zip(ts, ps)) / 3
               for ts, ps in zip(POSITIVE_TRUE, POSITIVE_PRED)]
    _close(ops.poisson(POSITIVE_TRUE, POSITIVE_PRED), poisson)
    target = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    kl = [sum(t * math.log(t / p) for t, p in zip(ts, ps)) for ts, ps in zip(target, PROBS)]
    _close(ops.kl_divergence(target, PROBS), kl)


def test_hinge_losses_hand_computed():
    _close(ops.hinge(SIGNS, SCORES), [2.9 / 3, 1.4 / 3])
    _close(ops.hinge((SIGNS + 1) / 2, SCORES), [2.9 / 3, 1.4 / 3])  # 0/1 labels become -1/1
    _close(ops.squared_hinge(SIGNS, SCORES), [(1.69 + 2.56) / 3, (0.04 + 1.44) / 3])
    _close(ops.categorical_hinge(ONE_HOT, SCORES), [2.0 + 0.6 + 1.0, 0.8 + 1.5 + 1.0])


def test_cosine_similarity_keras_example():
    _close(ops.cosine_similarity([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]],
                                 [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]]), [0.0, -1.0, 1.0],
           rtol=1e-6)


def test_crossentropies_hand_computed():
    expected = [-math.log(0.7), -math.log(0.4)]
    _close(ops.categorical_crossentropy(ONE_HOT, PROBS), expected)
    _close(ops.sparse_categorical_crossentropy([1, 2], PROBS), expected)
    _close(ops.sparse_categorical_crossentropy([[1], [2]], PROBS), expected)
    log_softmax = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
    from_logits = [-log_softmax[0, 1], -log_softmax[1, 2]]
    _close(ops.categorical_crossentropy(ONE_HOT, LOGITS, from_logits=True), from_logits)
    _close(ops.sparse_categorical_crossentropy([1, 2], LOGITS, from_logits=True), from_logits)
    smoothed = -(0.1 * math.log(0.2) + 0.8 * math.log(0.7) + 0.1 * math.log(0.1))
    _close(ops.categorical_crossentropy(ONE_HOT, PROBS, label_smoothing=0.3)[0], smoothed)


def test_categorical_crossentropy_rescales_unnormalized_probabilities():
    _close(ops.categorical_crossentropy(ONE_HOT, PROBS * 4.0), [-math.log(0.7), -math.log(0.4)])


def test_binary_crossentropy_hand_computed():
    _close(ops.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]),
           [(-math.log(0.4) - math.log(0.4)) / 2, (-math.log(0.6) - math.log(0.4)) / 2],
           rtol=1e-6)  # Python lists become float32

    def bce_logit(t, x):
        p = 1 / (1 + math.exp(-x))
        return -(t * math.log(p) + (1 - t) * math.log(1 - p))

    expected = [sum(bce_logit(t, x) for t, x in zip(ts, xs)) / 3
                for ts, xs in zip(ONE_HOT, LOGITS)]
    _close(ops.binary_crossentropy(ONE_HOT, LOGITS, from_logits=True), expected)
    smoothed = [sum(bce_logit(t * 0.8 + 0.1, x) for t, x in zip(ts, xs)) / 3
                for ts, xs in zip(ONE_HOT, LOGITS)]
    _close(ops.binary_crossentropy(ONE_HOT, LOGITS, from_logits=True, label_smoothing=0.2),
           smoothed)


def test_sparse_ignore_class_and_axis():
    _close(ops.sparse_categorical_crossentropy([1, 2], PROBS, ignore_class=2),
           [-math.log(0.7), 0.0])
    _close(ops.sparse_categorical_crossentropy([1, 2], PROBS.T, axis=0),
           [-math.log(0.7), -math.log(0.4)])


PAIRWISE = {
    "mean_squared_error": (Y_TRUE, Y_PRED), "mean_absolute_error": (Y_TRUE, Y_PRED),
    "mean_absolute_percentage_error": (Y_TRUE, Y_PRED), "huber": (Y_TRUE, Y_PRED * 1.1),
    "log_cosh": (Y_TRUE, Y_PRED), "mean_squared_logarithmic_error": (POSITIVE_TRUE,
                                                                     POSITIVE_PRED),
    "poisson": (POSITIVE_TRUE, POSITIVE_PRED), "kl_divergence": (PROBS[::-1], PROBS),
    "hinge": (SIGNS * 0.9, SCORES), "squared_hinge": (SIGNS * 0.9, SCORES),
    "categorical_hinge": (PROBS[::-1], SCORES), "cosine_similarity": (Y_TRUE, Y_PRED),
    "binary_crossentropy": (PROBS[::-1], PROBS),
    "categorical_crossentropy": (PROBS[::-1], PROBS),
}


@pytest.mark.parametrize("name", sorted(PAIRWISE))
def test_gradients_for_target_and_output(name):
    check_gradients(getattr(ops, name), list(PAIRWISE[name]))


@pytest.mark.parametrize("options", [{"from_logits": True}, {"label_smoothing": 0.2},
                                     {"from_logits": True, "label_smoothing": 0.1},
                                     {"axis": 0}])
@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy"])
def test_crossentropy_option_gradients(name, options):
    output = LOGITS if options.get("from_logits") else PROBS
    check_gradients(lambda t, o: getattr(ops, name)(t, o, **options), [PROBS[::-1], output])


@pytest.mark.parametrize("options", [{}, {"from_logits": True}, {"ignore_class": 2},
                                     {"axis": 0, "from_logits": True}])
def test_sparse_categorical_gradients(options):
    output = LOGITS if options.get("from_logits") else PROBS
    output = output.T if options.get("axis") == 0 else output
    check_gradients(lambda o: ops.sparse_categorical_crossentropy([1, 2], o, **options),
                    [output])


def test_binary_hinge_label_gradient():
    check_gradients(lambda o: ops.hinge((SIGNS + 1) / 2, o), [SCORES])


EXTREME = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 5.0]], np.float32)


@pytest.mark.parametrize("loss", [
    lambda o: ops.categorical_crossentropy(ONE_HOT, o, from_logits=True),
    lambda o: ops.sparse_categorical_crossentropy([1, 2], o, from_logits=True),
    lambda o: ops.binary_crossentropy(ONE_HOT, o, from_logits=True),
    lambda o: ops.categorical_crossentropy(ONE_HOT, ops.softmax(o)),
    lambda o: ops.binary_crossentropy(ONE_HOT, ops.sigmoid(o)),
    lambda o: ops.log_cosh(ONE_HOT, o),
])
def test_extreme_logits_give_finite_losses_and_gradients(loss):
    logits = gpulayers.Variable(EXTREME)
    with gpulayers.GradientTape() as tape:
        value = loss(logits)
    grad = tape.gradient(value, logits)
    assert np.all(np.isfinite(np.asarray(value))) and np.all(np.isfinite(np.asarray(grad)))


def test_extreme_logits_values():
    _close(ops.categorical_crossentropy(ONE_HOT, EXTREME, from_logits=True), [2000.0, 995.0],
           rtol=1e-6)


def test_rank_alignment_and_integer_targets():
    loss = ops.mean_squared_error(np.array([[1.0], [2.0]]), np.array([1.5, 2.0]))
    assert loss.shape == (2,)
    _close(loss, [0.25, 0.0])
    check_gradients(ops.mean_squared_error, [np.array([[1.0], [2.0]]), np.array([1.5, 2.2])])
    value = gpulayers.Variable(PROBS)
    with gpulayers.GradientTape() as tape:
        result = ops.categorical_crossentropy(ONE_HOT.astype(np.int32), value)
    assert tape.gradient(result, value).shape == (2, 3)


def test_errors_name_the_loss_and_the_shapes():
    with pytest.raises(ValueError, match=r"categorical_crossentropy: `target` and `output` "
                                         r"must have the same shape.*\(2, 3\).*\(2, 2\)"):
        ops.categorical_crossentropy(ONE_HOT, PROBS[:, :2])
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: `target`.*"
                                         r"target.shape=\(3,\), output.shape=\(2, 3\)"):
        ops.sparse_categorical_crossentropy([0, 1, 2], PROBS)
    with pytest.raises(ValueError, match=r"class indices must be in \[0, 3\)"):
        ops.sparse_categorical_crossentropy([0, 3], PROBS)
    with pytest.raises(ValueError, match="label_smoothing"):
        ops.binary_crossentropy(ONE_HOT, PROBS, label_smoothing=1.5)
    with pytest.raises(ValueError, match="huber: `delta`"):
        ops.huber(Y_TRUE, Y_PRED, delta=0.0)
    with pytest.raises(ValueError, match="mean_squared_error"):
        ops.mean_squared_error(Y_TRUE, Y_PRED[:, :2])


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("name", sorted(PAIRWISE) + ["sparse_categorical_crossentropy"])
def test_cupy_matches_numpy(name):
    target, output = PAIRWISE.get(name, (np.array([1, 2]), PROBS))
    results = {}
    for which in ("numpy", "cupy"):
        with backend.use_backend(which):
            variable = gpulayers.Variable(output.astype(np.float32))
            with gpulayers.GradientTape() as tape:
                loss = getattr(ops, name)(target, variable)
            results[which] = (np.asarray(loss), np.asarray(tape.gradient(loss, variable)))
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-6)
