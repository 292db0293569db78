"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
RMSNormalization, UnitNormalization.

Every output is checked against a NumPy reference written here (training and inference,
several axes including channels_first), the moving statistics against the update formula,
gradients against float64 finite differences (through ``run_layer_test``), weight layouts
and outputs against Keras 3 itself.
"""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import layers, ops
from gpulayers.autodiff import GradientTape, Tensor
from gpulayers.backend import to_device
from gpulayers.testing import run_layer_test

# keras.ops.convert_to_numpy calls np.array(torch_tensor), which NumPy 2 flags; Keras's own
# LayerNormalization(rms_scaling=True) warns that the option is deprecated.
RMS_WARNING = pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`:UserWarning")


def keras_warnings_ignored(test):
    """Peer-library warnings only: torch's ``__array__`` and Keras's rms_scaling notice."""
    return RMS_WARNING(test)


def _x(*shape, seed=0, loc=0.5, scale=2.0):
    return np.random.default_rng(seed).normal(loc, scale, size=shape).astype("float32")


def _np(t):
    return np.asarray(t)


def _vector_shape(ndim, axes, x_shape):
    shape = [1] * ndim
    for a in axes:
        shape[a] = x_shape[a]
    return shape


# -- NumPy references ------------------------------------------------------------------------
def np_batch_norm(x, axis, mean, variance, gamma=None, beta=None, epsilon=1e-3):
    shape = _vector_shape(x.ndim, [axis % x.ndim], x.shape)
    y = (x - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + epsilon)
    if gamma is not None:
        y = y * gamma.reshape(shape)
    return y if beta is None else y + beta.reshape(shape)


def np_batch_moments(x, axis):
    reduce = tuple(a for a in range(x.ndim) if a != axis % x.ndim)
    return x.mean(axis=reduce), x.var(axis=reduce)  # biased variance


def np_layer_norm(x, axes, gamma=None, beta=None, epsilon=1e-3, rms_scaling=False):
    axes = tuple(sorted(a % x.ndim for a in axes))
    mean = x.mean(axis=axes, keepdims=True)
    variance = x.var(axis=axes, keepdims=True)
    shape = _vector_shape(x.ndim, axes, x.shape)
    if rms_scaling:
        return x / np.sqrt(variance + epsilon) * gamma.reshape(shape)
    y = (x - mean) / np.sqrt(variance + epsilon)
    if gamma is not None:
        y = y * gamma.reshape(shape)
    return y if beta is None else y + beta.reshape(shape)


def np_group_norm(x, groups, axis, gamma=None, beta=None, epsilon=1e-3):
    """Loop over samples and groups: each group's channels and all spatial positions."""
    x_cl = np.moveaxis(x, axis % x.ndim, -1)  # channels last
    channels = x_cl.shape[-1]
    groups = channels if groups == -1 else groups
    size = channels // groups
    y = np.empty_like(x_cl)
    for n in range(x_cl.shape[0]):
        for g in range(groups):
            block = x_cl[n, ..., g * size:(g + 1) * size]
            y[n, ..., g * size:(g + 1) * size] = (block - block.mean()) / np.sqrt(
                block.var() + epsilon)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return np.moveaxis(y, -1, axis % x.ndim)


# -- BatchNormalization ----------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, trainable", [
    ({}, (4, 3), 2), ({"axis": 1}, (3, 2, 2, 2), 2), ({"center": False}, (4, 2, 3), 1),
    ({"scale": False}, (4, 3), 1), ({"center": False, "scale": False}, (4, 3), 0),
    ({"axis": -2, "momentum": 0.9, "epsilon": 1e-2}, (3, 2, 2), 2),
    ({"synchronized": True}, (4, 3), 2),
])
@pytest.mark.parametrize("training", [False, True])
def test_batch_normalization_layer_test(kwargs, input_shape, trainable, training):
    run_layer_test(layers.BatchNormalization, kwargs, input_shape=input_shape,
                   expected_output_shape=input_shape, call_kwargs={"training": training},
                   expected_num_trainable_weights=trainable,
                   expected_num_non_trainable_weights=2, supports_masking=True)


@pytest.mark.parametrize("axis, shape", [(-1, (6, 4)), (1, (5, 3, 4, 2)), (-1, (3, 4, 2, 3)),
                                         (2, (4, 2, 3)), (0, (3, 5))])
def test_batch_normalization_training_and_inference_against_numpy(axis, shape):
    x = _x(*shape)
    layer = layers.BatchNormalization(axis=axis, momentum=0.8, epsilon=1e-3,
                                      gamma_initializer="random_normal",
                                      beta_initializer="random_uniform")
    layer.build(shape)
    gamma, beta, moving_mean, moving_variance = layer.get_weights()
    np.testing.assert_array_equal(moving_mean, 0.0)
    np.testing.assert_array_equal(moving_variance, 1.0)

    y = _np(layer(x, training=True))
    mean, variance = np_batch_moments(x.astype("float64"), axis)
    np.testing.assert_allclose(y, np_batch_norm(x, axis, mean, variance, gamma, beta),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[2], 0.0 * 0.8 + mean * 0.2, rtol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[3], 1.0 * 0.8 + variance * 0.2, rtol=1e-5)

    # A second training step moves the statistics again, from where they are.
    x2 = _x(*shape, seed=1)
    _, _, mm, mv = layer.get_weights()
    layer(x2, training=True)
    mean2, variance2 = np_batch_moments(x2.astype("float64"), axis)
    np.testing.assert_allclose(layer.get_weights()[2], mm * 0.8 + mean2 * 0.2, rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(layer.get_weights()[3], mv * 0.8 + variance2 * 0.2, rtol=1e-5)

    # Inference uses (and leaves) the moving statistics.
    before = layer.get_weights()
    for training in (None, False):
        y = _np(layer(x, training=training))
        np.testing.assert_allclose(y, np_batch_norm(x, axis, before[2], before[3], gamma,
                                                    beta), rtol=1e-5, atol=1e-5)
    for got, expected in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(got, expected)


def test_batch_normalization_defaults_match_keras():
    layer = layers.BatchNormalization()
    assert (layer.axis, layer.momentum, layer.epsilon, layer.center, layer.scale) == (
        -1, 0.99, 1e-3, True, True)
    layer(_x(8, 3), training=True)
    assert [w.name.split("/")[-1] for w in layer.weights] == [
        "gamma", "beta", "moving_mean", "moving_variance"]
    mean, variance = np_batch_moments(_x(8, 3).astype("float64"), -1)
    np.testing.assert_allclose(layer.get_weights()[2], 0.01 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[3], 0.99 + 0.01 * variance, rtol=1e-5)


def test_frozen_batch_normalization_runs_in_inference_mode():
    x = _x(6, 3)
    layer = layers.BatchNormalization(momentum=0.5)
    layer(x, training=True)  # move the statistics away from 0 / 1
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    before = layer.get_weights()
    y = _np(layer(x, training=True))
    np.testing.assert_allclose(y, np_batch_norm(x, -1, before[2], before[3], before[0],
                                                before[1]), rtol=1e-5, atol=1e-5)
    for got, expected in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(got, expected)


def test_batch_normalization_training_is_inherited_from_an_outer_call():
    class Block(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.bn = layers.BatchNormalization()

        def call(self, inputs, training=None):
            return self.bn(inputs)

    block, x = Block(), _x(8, 2)
    block(x)
    np.testing.assert_array_equal(block.bn.get_weights()[2], 0.0)
    block(x, training=True)
    assert np.abs(block.bn.get_weights()[2]).min() > 0


def test_batch_normalization_gradients_in_training_match_the_formula():
    # d/dx of sum(y * r) for y = BN_train(x): gamma/sigma * (r - mean(r) - xhat * mean(r xhat))
    x = _x(5, 3).astype("float64")
    r = _x(5, 3, seed=3).astype("float64")
    layer = layers.BatchNormalization(dtype="float64", gamma_initializer="random_normal")
    layer.build(x.shape)
    gamma = layer.get_weights()[0]
    xt = Tensor(to_device(x))
    with GradientTape() as tape:
        tape.watch(xt)
        loss = ops.sum(layer(xt, training=True) * Tensor(to_device(r)))
    grad = _np(tape.gradient(loss, xt))
    sigma = np.sqrt(x.var(axis=0) + 1e-3)
    xhat = (x - x.mean(axis=0)) / sigma
    expected = gamma / sigma * (r - r.mean(axis=0) - xhat * (r * xhat).mean(axis=0))
    np.testing.assert_allclose(grad, expected, rtol=1e-8, atol=1e-10)


def test_batch_normalization_masked_statistics():
    x = _x(3, 5, 2)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)
    layer = layers.BatchNormalization(momentum=0.0)
    y = _np(layer(x, training=True, mask=Tensor(to_device(mask))))
    kept = x[mask].astype("float64")  # (positions, channels)
    mean, variance = kept.mean(axis=0), kept.var(axis=0)
    np.testing.assert_allclose(layer.get_weights()[2], mean, rtol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[3], variance, rtol=1e-5)
    np.testing.assert_allclose(y, np_batch_norm(x, -1, mean, variance), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="mask"):
        layer(x, training=True, mask=Tensor(to_device(np.ones((3,), dtype=bool))))


def np_renorm(x, renorm_mean, renorm_stddev, gamma, beta, epsilon, clipping):
    mean, variance = np_batch_moments(x.astype("float64"), -1)
    stddev = np.sqrt(variance + epsilon)
    r = stddev / np.maximum(renorm_stddev, np.sqrt(epsilon))
    d = (mean - renorm_mean) / np.maximum(renorm_stddev, np.sqrt(epsilon))
    r = np.clip(r, clipping.get("rmin", -np.inf), clipping.get("rmax", np.inf))
    d = np.clip(d, -clipping.get("dmax", np.inf), clipping.get("dmax", np.inf))
    return np_batch_norm(x, -1, mean, variance, r * gamma, d * gamma + beta, epsilon)


def test_batch_renormalization():
    clipping = {"rmin": 0.5, "rmax": 1.5, "dmax": 0.3}
    kwargs = {"renorm": True, "renorm_clipping": clipping, "renorm_momentum": 0.5,
              "momentum": 0.9}
    # Training with renorm updates r and d on every call, and they are constants for the
    # tape (as Keras), so finite differences apply only at inference.
    for training in (False, True):
        run_layer_test(layers.BatchNormalization, kwargs, input_shape=(5, 3),
                       call_kwargs={"training": training}, expected_num_trainable_weights=2,
                       expected_num_non_trainable_weights=5, run_gradient_check=not training)
    layer = layers.BatchNormalization(**kwargs)
    x = _x(8, 3)
    layer.build(x.shape)
    names = [w.name.split("/")[-1] for w in layer.weights]
    assert names == ["gamma", "beta", "moving_mean", "moving_variance", "moving_stddev",
                     "renorm_mean", "renorm_stddev"]
    layer(x, training=True)  # move renorm statistics off their initial values
    gamma, beta, _, _, moving_stddev, renorm_mean, renorm_stddev = layer.get_weights()
    x2 = _x(8, 3, seed=5, loc=1.0)
    y = _np(layer(x2, training=True))
    np.testing.assert_allclose(y, np_renorm(x2, renorm_mean, renorm_stddev, gamma, beta, 1e-3,
                                            clipping), rtol=1e-5, atol=1e-5)
    mean, variance = np_batch_moments(x2.astype("float64"), -1)
    stddev = np.sqrt(variance + 1e-3)
    new = layer.get_weights()
    np.testing.assert_allclose(new[5], renorm_mean * 0.5 + mean * 0.5, rtol=1e-5)
    np.testing.assert_allclose(new[6], renorm_stddev * 0.5 + stddev * 0.5, rtol=1e-5)
    np.testing.assert_allclose(new[4], moving_stddev * 0.9 + stddev * 0.1, rtol=1e-5)
    np.testing.assert_allclose(new[3], np.maximum(new[4] ** 2 - 1e-3, 0), rtol=1e-5)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.BatchNormalization(axis="x", name="bn_a"), "bn_a.*axis"),
    (lambda: layers.BatchNormalization(axis=[1, 2], name="bn_b"), "bn_b.*axis"),
    (lambda: layers.BatchNormalization(momentum=1.5, name="bn_c"), "bn_c.*momentum"),
    (lambda: layers.BatchNormalization(epsilon=-1, name="bn_d"), "bn_d.*epsilon"),
    (lambda: layers.BatchNormalization(renorm=True, renorm_clipping={"rmaxx": 2},
                                       name="bn_e"), "bn_e.*rmaxx"),
    (lambda: layers.BatchNormalization(renorm=True, renorm_clipping={"rmin": 2, "rmax": 1},
                                       name="bn_f"), "bn_f.*rmax"),
])
def test_batch_normalization_rejects_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_batch_normalization_rejects_bad_inputs():
    layer = layers.BatchNormalization(name="bn_in")
    layer(_x(4, 3))
    with pytest.raises(ValueError, match=r"bn_in.*axis -1.*value 3.*\(4, 5\)"):
        layer(_x(4, 5))
    with pytest.raises(ValueError, match=r"bn_in.*ndim=2"):
        layer(_x(4, 2, 3))
    with pytest.raises(ValueError, match=r"bn_out.*axis 3.*rank 2"):
        layers.BatchNormalization(axis=3, name="bn_out")(_x(4, 3))


# -- LayerNormalization ----------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, trainable", [
    ({}, (3, 4), 2), ({"axis": 1}, (2, 3, 2, 2), 2), ({"axis": [1, 2]}, (2, 3, 2), 2),
    ({"axis": [-2, -1], "epsilon": 1e-2}, (2, 2, 3), 2), ({"center": False}, (3, 4), 1),
    ({"scale": False}, (3, 4), 1), ({"center": False, "scale": False}, (3, 4), 0),
    ({"gamma_initializer": "random_normal", "beta_initializer": "random_normal"}, (3, 4), 2),
])
def test_layer_normalization_layer_test(kwargs, input_shape, trainable):
    run_layer_test(layers.LayerNormalization, kwargs, input_shape=input_shape,
                   expected_output_shape=input_shape, expected_num_trainable_weights=trainable,
                   expected_num_non_trainable_weights=0, supports_masking=True)


@pytest.mark.parametrize("axis, shape", [(-1, (4, 6)), (1, (2, 3, 4, 4)), ([1, 2], (2, 3, 4, 2)),
                                         ([-1, -3], (2, 3, 2, 4)), (2, (3, 2, 5))])
@pytest.mark.parametrize("training", [None, True])
def test_layer_normalization_against_numpy(axis, shape, training):
    x = _x(*shape)
    layer = layers.LayerNormalization(axis=axis, gamma_initializer="random_normal",
                                      beta_initializer="random_normal")
    y = _np(layer(x, training=training))
    gamma, beta = layer.get_weights()
    axes = [axis] if isinstance(axis, int) else axis
    assert gamma.shape == tuple(shape[a] for a in sorted(a % len(shape) for a in axes))
    np.testing.assert_allclose(y, np_layer_norm(x.astype("float64"), axes, gamma, beta),
                               rtol=1e-4, atol=1e-5)


@RMS_WARNING
def test_layer_normalization_rms_scaling():
    with pytest.warns(UserWarning, match="rms_scaling"):
        layers.LayerNormalization(rms_scaling=True)
    x = _x(3, 5)
    layer = layers.LayerNormalization(rms_scaling=True, gamma_initializer="random_normal")
    y = _np(layer(x))
    assert len(layer.get_weights()) == 1  # gamma only: no beta with rms_scaling
    np.testing.assert_allclose(y, np_layer_norm(x.astype("float64"), [-1],
                                                layer.get_weights()[0], rms_scaling=True),
                               rtol=1e-4, atol=1e-5)
    run_layer_test(layers.LayerNormalization, {"rms_scaling": True, "scale": False},
                   input_shape=(3, 4), expected_num_trainable_weights=1)


def test_layer_normalization_float16_input_reduces_in_float32():
    x = (_x(2, 8) * 300).astype("float16")
    y = layers.LayerNormalization(dtype="float16")(x)
    assert y.dtype == "float16"
    expected = np_layer_norm(x.astype("float64"), [-1])
    np.testing.assert_allclose(_np(y).astype("float64"), expected, rtol=1e-2, atol=1e-2)


def test_layer_normalization_rejects_bad_arguments_and_inputs():
    with pytest.raises(TypeError, match="ln_a.*axis"):
        layers.LayerNormalization(axis="last", name="ln_a")
    with pytest.raises(ValueError, match="ln_b.*epsilon"):
        layers.LayerNormalization(epsilon=float("nan"), name="ln_b")
    with pytest.raises(ValueError, match=r"ln_c.*axis 2.*rank 2"):
        layers.LayerNormalization(axis=2, name="ln_c")(_x(3, 4))
    with pytest.raises(ValueError, match="ln_d.*twice"):
        layers.LayerNormalization(axis=[1, -1], name="ln_d")(_x(3, 4))
    layer = layers.LayerNormalization(name="ln_e")
    layer(_x(3, 4))
    with pytest.raises(ValueError, match=r"ln_e.*value 4.*\(3, 5\)"):
        layer(_x(3, 5))


# -- GroupNormalization ----------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, trainable", [
    ({"groups": 2}, (2, 4), 2), ({"groups": 2, "axis": 1}, (2, 4, 3), 2),
    ({"groups": -1}, (2, 3, 3), 2), ({"groups": 1, "center": False}, (2, 2, 4), 1),
    ({"groups": 3, "scale": False, "epsilon": 1e-2}, (2, 2, 2, 3), 1),
])
def test_group_normalization_layer_test(kwargs, input_shape, trainable):
    run_layer_test(layers.GroupNormalization, kwargs, input_shape=input_shape,
                   expected_output_shape=input_shape, expected_num_trainable_weights=trainable,
                   expected_num_non_trainable_weights=0, supports_masking=True)


@pytest.mark.parametrize("groups, axis, shape", [
    (2, -1, (3, 8)), (4, -1, (2, 3, 3, 8)), (1, -1, (2, 5, 6)), (-1, -1, (2, 4, 4, 3)),
    (3, 1, (2, 6, 4, 3)), (2, 1, (2, 4, 5)), (32, -1, (2, 2, 64)),
])
def test_group_normalization_against_numpy(groups, axis, shape):
    x = _x(*shape)
    layer = layers.GroupNormalization(groups=groups, axis=axis,
                                      gamma_initializer="random_normal",
                                      beta_initializer="random_normal")
    y = _np(layer(x))
    gamma, beta = layer.get_weights()
    np.testing.assert_allclose(y, np_group_norm(x.astype("float64"), groups, axis, gamma, beta),
                               rtol=1e-4, atol=1e-5)


def test_group_normalization_defaults_and_errors():
    layer = layers.GroupNormalization()
    assert (layer.groups, layer.axis, layer.epsilon) == (32, -1, 1e-3)
    assert layer.get_config()["groups"] == 32
    with pytest.raises(ValueError, match=r"gn_a.*groups.*Received: groups=0"):
        layers.GroupNormalization(groups=0, name="gn_a")
    with pytest.raises(ValueError, match=r"gn_b.*channels \(6\).*multiple.*groups=4"):
        layers.GroupNormalization(groups=4, name="gn_b")(_x(2, 6))
    with pytest.raises(ValueError, match=r"gn_c.*groups \(8\).*more than.*channels \(4\)"):
        layers.GroupNormalization(groups=8, name="gn_c")(_x(2, 4))
    with pytest.raises(ValueError, match="gn_d.*batch axis"):
        layers.GroupNormalization(groups=1, axis=0, name="gn_d")(_x(2, 4))
    gn = layers.GroupNormalization(groups=2, name="gn_e")
    gn(_x(2, 4))
    with pytest.raises(ValueError, match=r"gn_e.*value 4"):
        gn(_x(2, 6))


# -- RMSNormalization / UnitNormalization ----------------------------------------------------
@pytest.mark.parametrize("kwargs, shape", [({}, (3, 4)), ({"axis": [1, 2]}, (2, 3, 2)),
                                           ({"axis": 1, "epsilon": 1e-3}, (2, 3, 2))])
def test_rms_normalization(kwargs, shape):
    run_layer_test(layers.RMSNormalization, kwargs, input_shape=shape,
                   expected_output_shape=shape, expected_num_trainable_weights=1)
    x = _x(*shape)
    layer = layers.RMSNormalization(**kwargs)
    layer.build(shape)
    scale = np.random.default_rng(2).normal(size=layer.get_weights()[0].shape)
    layer.set_weights([scale.astype("float32")])
    axis = kwargs.get("axis", -1)
    axes = tuple(sorted(a % len(shape) for a in ([axis] if isinstance(axis, int) else axis)))
    x64 = x.astype("float64")
    expected = x64 / np.sqrt((x64 ** 2).mean(axis=axes, keepdims=True) + kwargs.get(
        "epsilon", 1e-6)) * scale.reshape(_vector_shape(len(shape), axes, shape))
    np.testing.assert_allclose(_np(layer(x)), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("axis, shape", [(-1, (3, 4)), (1, (2, 3, 4)), ([1, 2], (2, 3, 4)),
                                         ([-1, 1], (2, 2, 2, 3))])
def test_unit_normalization(axis, shape):
    run_layer_test(layers.UnitNormalization, {"axis": axis}, input_shape=shape,
                   expected_output_shape=shape, expected_num_trainable_weights=0,
                   supports_masking=True)
    x = _x(*shape)
    axes = tuple(a % len(shape) for a in ([axis] if isinstance(axis, int) else axis))
    y = _np(layers.UnitNormalization(axis=axis)(x))
    np.testing.assert_allclose(y, x / np.sqrt((x.astype("float64") ** 2).sum(
        axis=axes, keepdims=True)), rtol=1e-5)
    np.testing.assert_allclose(np.sqrt((y.astype("float64") ** 2).sum(axis=axes)), 1.0,
                               rtol=1e-5)


def test_unit_normalization_zero_input_and_errors():
    y = _np(layers.UnitNormalization()(np.zeros((2, 3), "float32")))
    np.testing.assert_array_equal(y, 0.0)
    with pytest.raises(TypeError, match="un_a.*axis"):
        layers.UnitNormalization(axis=1.5, name="un_a")
    with pytest.raises(ValueError, match=r"un_b.*axis 3.*rank 2"):
        layers.UnitNormalization(axis=3, name="un_b")(_x(2, 3))
    with pytest.raises(ValueError, match=r"un_c.*axis 3"):
        layers.UnitNormalization(axis=3, name="un_c").compute_output_shape((2, 3))


@keras_warnings_ignored
# -- Keras 3 parity --------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, shape", [
    ({}, (6, 4)), ({"axis": 1}, (4, 3, 5, 5)), ({"center": False, "momentum": 0.5}, (5, 2, 3)),
    ({"scale": False, "epsilon": 1e-2}, (4, 3)),
])
@pytest.mark.parametrize("training", [False, True])
def test_batch_normalization_keras_parity(kwargs, shape, training):
    keras = keras_or_skip()
    assert_keras_parity(layers.BatchNormalization, keras.layers.BatchNormalization, kwargs,
                        _x(*shape), call_kwargs={"training": training}, rtol=1e-4,
                        atol=1e-4)
    assert set(layers.BatchNormalization(**kwargs).get_config()) == set(
        keras.layers.BatchNormalization(**kwargs).get_config())


@keras_warnings_ignored
@pytest.mark.parametrize("kwargs", [
    {"momentum": 0.7},
    {"renorm": True, "renorm_clipping": {"rmax": 1.2, "rmin": 0.9, "dmax": 0.5},
     "renorm_momentum": 0.6, "momentum": 0.8},
    {"renorm": True, "center": False, "scale": False},
])
def test_batch_normalization_training_steps_match_keras(kwargs):
    """Outputs and every (moving / renorm) statistic after each of three training steps."""
    keras = keras_or_skip()
    theirs, ours = keras.layers.BatchNormalization(**kwargs), layers.BatchNormalization(
        **kwargs)
    theirs.build((16, 3))
    ours.build((16, 3))
    ours.set_weights([keras.ops.convert_to_numpy(w) for w in theirs.get_weights()])
    for step in range(3):
        x = _x(16, 3, seed=step, loc=step)
        np.testing.assert_allclose(_np(ours(x, training=True)), keras.ops.convert_to_numpy(
            theirs(x, training=True)), rtol=1e-4, atol=1e-5)
        for got, expected in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(got, keras.ops.convert_to_numpy(expected), rtol=1e-5,
                                       atol=1e-7)
    x = _x(16, 3, seed=9)
    np.testing.assert_allclose(_np(ours(x)), keras.ops.convert_to_numpy(theirs(x)), rtol=1e-4,
                               atol=1e-5)


@keras_warnings_ignored
@pytest.mark.parametrize("cls_name, kwargs, shape", [
    ("LayerNormalization", {}, (3, 5)),
    # Keras's torch backend mis-handles non-trailing axes (F.layer_norm), so parity uses
    # trailing ones; the NumPy reference covers the others.
    ("LayerNormalization", {"axis": [2, 3], "epsilon": 1e-2}, (2, 3, 4, 2)),
    ("LayerNormalization", {"axis": [-1, -2], "center": False}, (2, 3, 4)),
    ("LayerNormalization", {"axis": 1, "scale": False}, (2, 3)),
    ("LayerNormalization", {"rms_scaling": True}, (3, 5)),
    ("GroupNormalization", {"groups": 2}, (2, 4, 4)),
    ("GroupNormalization", {"groups": 3, "axis": 1}, (2, 6, 3, 2)),
    ("GroupNormalization", {"groups": -1, "scale": False}, (2, 3, 3)),
    ("RMSNormalization", {}, (3, 5)),
    ("RMSNormalization", {"axis": [1, 2], "epsilon": 1e-3}, (2, 3, 4)),
    ("UnitNormalization", {}, (3, 5)),
    ("UnitNormalization", {"axis": [1, 2]}, (2, 3, 4)),
])
def test_normalization_keras_parity(cls_name, kwargs, shape):
    keras = keras_or_skip()
    their_cls = getattr(keras.layers, cls_name)
    ours_cls = getattr(layers, cls_name)
    theirs = their_cls(**kwargs)
    theirs.build(shape)
    if theirs.weights:  # non-trivial gamma/beta so the comparison tests the affine part
        rng = np.random.default_rng(7)
        theirs.set_weights([rng.normal(size=w.shape).astype("float32")
                            for w in theirs.get_weights()])
    x = _x(*shape)
    expected = keras.ops.convert_to_numpy(theirs(x))
    ours = ours_cls(**kwargs)
    ours(x)
    their_weights = [keras.ops.convert_to_numpy(w) for w in theirs.get_weights()]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in their_weights]
    ours.set_weights(their_weights)
    np.testing.assert_allclose(_np(ours(x)), expected, rtol=1e-4, atol=1e-5)
    # the default-initialized path too, through the shared helper
    assert_keras_parity(ours_cls, their_cls, kwargs, x, rtol=1e-4, atol=1e-5)
    assert set(ours.get_config()) == set(theirs.get_config())



@keras_warnings_ignored
@pytest.mark.parametrize("cls_name, kwargs", [
    ("BatchNormalization", {"axis": 1, "renorm": True, "gamma_regularizer": "l2",
                            "beta_constraint": "non_neg", "moving_variance_initializer": "zeros"}),
    ("LayerNormalization", {"axis": [1, 2], "gamma_initializer": "random_normal"}),
    ("GroupNormalization", {"groups": 2, "epsilon": 1e-4}),
    ("RMSNormalization", {"epsilon": 1e-5}), ("UnitNormalization", {"axis": [1, 2]}),
])
def test_configs_move_between_keras_and_gpulayers(cls_name, kwargs):
    keras = keras_or_skip()
    theirs = getattr(keras.layers, cls_name)(**kwargs)
    theirs.build((2, 4, 4))
    ours = getattr(layers, cls_name).from_config(theirs.get_config())
    back = getattr(keras.layers, cls_name).from_config(ours.get_config())
    for key in kwargs:
        expected = _comparable(theirs.get_config()[key])
        assert _comparable(ours.get_config()[key]) == expected
        assert _comparable(back.get_config()[key]) == expected


def _comparable(value):
    """A serialized object as (class_name, config): the 'module' differs between libraries."""
    if isinstance(value, dict) and "class_name" in value:
        return value["class_name"], value["config"]
    return value
