"""Masks (``y_pred._keras_mask`` and ignore_class), errors, gradients and custom losses."""

import loss_reference as ref
import numpy as np
import pytest

from gpulayers import GradientTape, Variable, losses, ops
from gpulayers.autodiff import Tensor
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(3)
Y_TRUE = RNG.normal(size=(3, 4, 2))
Y_PRED = RNG.normal(size=(3, 4, 2))
MASK = np.array([[1, 1, 0, 0], [1, 1, 1, 1], [0, 1, 0, 1]], dtype=bool)


def _masked(values, mask):
    tensor = ops.convert_to_tensor(values)
    tensor._keras_mask = ops.convert_to_tensor(mask)
    return tensor


@pytest.mark.parametrize("reduction",
                         ["sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", None])
@pytest.mark.parametrize("with_weights", [False, True])
def test_prediction_mask_weights_like_keras(reduction, with_weights):
    weights = RNG.uniform(0.5, 2.0, size=3) if with_weights else None
    loss = losses.MeanSquaredError(reduction=reduction)
    result = loss(Y_TRUE, _masked(Y_PRED, MASK), sample_weight=weights)
    expected = ref.reduce(ref.mse(Y_TRUE, Y_PRED), reduction, weights, MASK)
    np.testing.assert_allclose(np.asarray(result), expected, rtol=1e-5, atol=1e-6)


def test_masked_mean_is_the_mean_over_kept_steps():
    result = losses.MeanAbsoluteError()(Y_TRUE, _masked(Y_PRED, MASK))
    np.testing.assert_allclose(np.asarray(result), ref.mae(Y_TRUE, Y_PRED)[MASK].mean(),
                               rtol=1e-5)


def test_fully_masked_batch_gives_zero():
    result = losses.MeanSquaredError()(Y_TRUE, _masked(Y_PRED, np.zeros((3, 4), bool)))
    assert float(result) == 0.0


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_ignore_class_is_left_out_of_the_mean(reduction):
    labels = np.array([[0, 2, -1], [1, -1, -1]])
    logits = RNG.normal(size=(2, 3, 3))
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                reduction=reduction)
    result = np.asarray(loss(labels, logits))
    kept = labels != -1
    values = np.where(kept, ref.scce(np.where(kept, labels, 0), logits, True), 0.0)
    expected = {"sum_over_batch_size": values.sum() / kept.sum(), "sum": values.sum(),
                None: values}[reduction]
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-7)


def test_ignore_class_combines_with_a_prediction_mask():
    labels = np.array([[0, 2, 255], [1, 1, 0]])
    probs = np.full((2, 3, 3), 1 / 3)
    mask = np.array([[True, False, True], [True, True, False]])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=255)
    result = loss(labels, _masked(probs, mask))
    np.testing.assert_allclose(np.asarray(result), np.log(3.0), rtol=1e-5)


def test_losses_are_differentiable_through_call_reduction_weights_and_mask():
    weights = np.array([0.5, 1.0, 2.0])

    def weighted_mse(y_true, y_pred):
        y_pred._keras_mask = ops.convert_to_tensor(MASK)
        return losses.MeanSquaredError(dtype="float64")(y_true, y_pred, sample_weight=weights)

    check_gradients(weighted_mse, [Y_TRUE, Y_PRED])

    labels = np.eye(3)[RNG.integers(0, 3, size=4)]
    logits = RNG.normal(size=(4, 3))
    cce = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1, dtype="float64",
                                         reduction="sum")
    check_gradients(lambda p: cce(labels, p, sample_weight=[1.0, 0.0, 2.0, 0.5]), [logits])
    huber = losses.Huber(delta=0.5, dtype="float64")
    check_gradients(lambda t, p: huber(t, p), [Y_TRUE[0], Y_PRED[0]])


def test_gradient_reaches_a_variable_prediction():
    w = Variable(np.ones((2, 1), dtype="float32"))
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    with GradientTape() as tape:
        value = losses.MeanSquaredError()([[1.0], [2.0]], ops.matmul(x, w))
    grad = np.asarray(tape.gradient(value, w))
    residual = x @ np.ones((2, 1)) - np.array([[1.0], [2.0]])
    np.testing.assert_allclose(grad, x.T @ residual, rtol=1e-5)  # d mean(r^2) = 2/2 x^T r


def test_custom_subclass_and_wrapper():
    class MeanCubedError(losses.Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.absolute(y_pred - y_true) ** 3, axis=-1)

    loss = MeanCubedError(reduction="sum")
    assert loss.name.startswith("mean_cubed_error")
    np.testing.assert_allclose(float(loss([[0.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [2.0, 0.0]])),
                               4.5, rtol=1e-6)
    wrapper = losses.LossFunctionWrapper(losses.huber, delta=0.5, name="h")
    np.testing.assert_allclose(float(wrapper([[0.0]], [[3.0]])), 0.5 * 3.0 - 0.125, rtol=1e-6)
    with pytest.raises(NotImplementedError, match="Loss must implement call"):
        losses.Loss()([1.0], [1.0])


def test_result_is_a_tensor_on_the_device():
    result = losses.MeanSquaredError()([[1.0]], [[0.0]])
    assert isinstance(result, Tensor) and result.shape == ()


@pytest.mark.parametrize("reduction", ["avg", "SUM", 3])
def test_unknown_reduction_names_the_loss(reduction):
    with pytest.raises(ValueError, match=r"MeanSquaredError 'mse_loss'.*reduction.*Received"):
        losses.MeanSquaredError(reduction=reduction, name="mse_loss")


def test_shape_mismatch_names_the_loss_and_both_shapes():
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(2, 3\).*\(2, 4\)"):
        losses.MeanSquaredError()(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(2, 3\).*\(2, 2\)"):
        losses.CategoricalCrossentropy()(np.zeros((2, 3)), np.ones((2, 2)) / 2)


def test_bad_sample_weight_shape_names_the_loss():
    with pytest.raises(ValueError, match=r"MeanAbsoluteError 'mae'.*sample_weight.*\(3,\).*"
                                         r"\(2,\)"):
        losses.MeanAbsoluteError(name="mae")(np.zeros((2, 4)), np.zeros((2, 4)),
                                             sample_weight=[1.0, 2.0, 3.0])


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match=r"BinaryCrossentropy.*label_smoothing.*1\.5"):
        losses.BinaryCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"CategoricalCrossentropy.*label_smoothing"):
        losses.CategoricalCrossentropy(label_smoothing=-0.1)
    with pytest.raises(ValueError, match=r"SparseCategoricalCrossentropy.*ignore_class"):
        losses.SparseCategoricalCrossentropy(ignore_class=0.5)
    with pytest.raises(ValueError, match="huber.*delta"):
        losses.Huber(delta=-1.0)([[0.0]], [[1.0]])
    with pytest.raises(TypeError, match="LossFunctionWrapper.*callable"):
        losses.LossFunctionWrapper("mse")
    with pytest.raises(TypeError, match="dtype"):
        losses.MeanSquaredError(dtype="float9")
