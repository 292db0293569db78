"""Regularization layers: Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
AlphaDropout, ActivityRegularization.

Random layers are checked by their statistics on large inputs (fraction dropped, scaling,
noise moments as Keras defines them), by exact identity at inference, by seeded
reproducibility, and against Keras 3 (config keys, inference, the values a training call
can produce). ActivityRegularization's penalty is checked by hand.
"""

import math

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import layers, ops
from gpulayers.autodiff import GradientTape, Tensor
from gpulayers.backend import to_device
from gpulayers.testing import run_layer_test

SELU_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _np(t):
    return np.asarray(t)


# -- run_layer_test for every layer ----------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, shape", [
    (layers.Dropout, {"rate": 0.5}, (3, 4)),
    (layers.Dropout, {"rate": 0.2, "noise_shape": (None, 1, 3), "seed": 1}, (2, 2, 3)),
    (layers.Dropout, {"rate": 0.0}, (2, 3)),
    (layers.SpatialDropout1D, {"rate": 0.3, "seed": 2}, (2, 3, 2)),
    (layers.SpatialDropout2D, {"rate": 0.3}, (2, 2, 2, 3)),
    (layers.SpatialDropout2D, {"rate": 0.3, "data_format": "channels_first"}, (2, 3, 2, 2)),
    (layers.SpatialDropout3D, {"rate": 0.4, "seed": 3}, (2, 2, 1, 2, 2)),
    (layers.SpatialDropout3D, {"rate": 0.4, "data_format": "channels_first"}, (2, 2, 1, 2, 2)),
    (layers.GaussianNoise, {"stddev": 0.3, "seed": 4}, (3, 4)),
    (layers.GaussianDropout, {"rate": 0.3}, (3, 4)),
    (layers.AlphaDropout, {"rate": 0.2, "seed": 5}, (3, 4)),
    (layers.AlphaDropout, {"rate": 0.2, "noise_shape": (3, 1)}, (3, 4)),
    (layers.ActivityRegularization, {"l1": 0.1, "l2": 0.2}, (3, 4)),
])
@pytest.mark.parametrize("training", [False, True])
def test_layer_test(cls, kwargs, shape, training):
    x = _x(*shape)
    # A training call draws fresh noise each time, so finite differences (many calls) only
    # apply at inference; training gradients are checked by hand below.
    out = run_layer_test(cls, kwargs, input_data=x, expected_output_shape=shape,
                         call_kwargs={"training": training}, expected_num_trainable_weights=0,
                         expected_num_non_trainable_weights=0, supports_masking=True,
                         run_gradient_check=not training)
    if not training or cls is layers.ActivityRegularization or kwargs.get("rate") == 0.0:
        np.testing.assert_array_equal(_np(out), x)


@pytest.mark.parametrize("layer", [
    layers.Dropout(0.5), layers.SpatialDropout1D(0.5), layers.GaussianNoise(0.5),
    layers.GaussianDropout(0.5), layers.AlphaDropout(0.5),
    layers.ActivityRegularization(l1=0.1),
])
def test_identity_at_inference(layer):
    x = _x(4, 5, 6)
    for training in (None, False):
        np.testing.assert_array_equal(_np(layer(x, training=training)), x)
    np.testing.assert_array_equal(_np(layer(x)), x)


# -- Dropout ---------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_statistics(rate):
    x = np.ones((500, 1000), "float32")
    y = _np(layers.Dropout(rate, seed=0)(x, training=True))
    dropped = (y == 0).mean()
    assert abs(dropped - rate) < 0.005, dropped
    np.testing.assert_allclose(y[y != 0], 1 / (1 - rate), rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_dropout_gradient_is_the_mask_times_the_scale():
    x = Tensor(to_device(_x(50, 40) + 5.0))  # no zeros in x, so the mask reads off y
    layer = layers.Dropout(0.3, seed=1)
    with GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = ops.sum(y)
    grad = _np(tape.gradient(loss, x))
    kept = _np(y) != 0
    np.testing.assert_allclose(grad, np.where(kept, 1 / 0.7, 0.0), rtol=1e-6)


def test_dropout_seeded_layers_are_reproducible_streams():
    x = np.ones((20, 30), "float32")
    a, b = layers.Dropout(0.5, seed=42), layers.Dropout(0.5, seed=42)
    first_a, first_b = _np(a(x, training=True)), _np(b(x, training=True))
    np.testing.assert_array_equal(first_a, first_b)
    second_a = _np(a(x, training=True))
    assert not np.array_equal(first_a, second_a)  # a new mask every call
    np.testing.assert_array_equal(second_a, _np(b(x, training=True)))
    other = _np(layers.Dropout(0.5, seed=43)(x, training=True))
    assert not np.array_equal(first_a, other)


def test_dropout_noise_shape_shares_the_mask():
    x = np.ones((8, 5, 200), "float32")
    y = _np(layers.Dropout(0.5, noise_shape=(None, 1, None), seed=0)(x, training=True))
    assert (y == y[:, :1, :]).all()  # the same mask at every step of axis 1
    y = _np(layers.Dropout(0.5, noise_shape=[8, 5, 1], seed=0)(x, training=True))
    assert (y == y[:, :, :1]).all()
    assert abs((y[:, :, 0] == 0).mean() - 0.5) < 0.3


def test_dropout_training_is_inherited_and_masks_pass_through():
    class Block(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.drop = layers.Dropout(0.5, seed=0)

        def call(self, inputs, training=None):
            return self.drop(inputs)

    x = np.ones((10, 20), "float32")
    np.testing.assert_array_equal(_np(Block()(x)), x)
    assert (_np(Block()(x, training=True)) == 0).any()
    masked = Tensor(to_device(x))
    masked._keras_mask = Tensor(to_device(np.ones((10,), dtype=bool)))
    for layer in (layers.Dropout(0.5), layers.GaussianNoise(0.1), layers.AlphaDropout(0.1)):
        assert layer(masked, training=True)._keras_mask is masked._keras_mask


# -- SpatialDropout --------------------------------------------------------------------------
@pytest.mark.parametrize("cls, shape, data_format, channel_axis", [
    (layers.SpatialDropout1D, (40, 6, 50), None, 2),
    (layers.SpatialDropout2D, (40, 3, 4, 50), "channels_last", 3),
    (layers.SpatialDropout2D, (40, 50, 3, 4), "channels_first", 1),
    (layers.SpatialDropout3D, (40, 2, 3, 2, 50), "channels_last", 4),
    (layers.SpatialDropout3D, (40, 50, 2, 3, 2), "channels_first", 1),
])
def test_spatial_dropout_drops_whole_channels(cls, shape, data_format, channel_axis):
    kwargs = {} if data_format is None else {"data_format": data_format}
    rate = 0.4
    y = _np(cls(rate, seed=0, **kwargs)(np.ones(shape, "float32"), training=True))
    maps = np.moveaxis(y, channel_axis, 1).reshape(shape[0], shape[channel_axis], -1)
    assert ((maps == 0).all(axis=2) | (maps == maps[:, :, :1]).all(axis=2)).all()
    np.testing.assert_allclose(maps[maps != 0], 1 / (1 - rate), rtol=1e-6)
    dropped_channels = (maps[:, :, 0] == 0).mean()  # 2000 independent (sample, channel) draws
    assert abs(dropped_channels - rate) < 0.05, dropped_channels


def test_spatial_dropout_default_data_format_follows_the_backend_setting():
    from gpulayers import backend

    backend.set_image_data_format("channels_first")
    layer = layers.SpatialDropout2D(0.5)
    assert layer.data_format == "channels_first"
    backend.set_image_data_format("channels_last")
    assert layers.SpatialDropout2D.from_config(layer.get_config()).data_format == (
        "channels_first")
    assert "data_format" not in layers.SpatialDropout1D(0.5).get_config()
    y = _np(layer(np.ones((30, 40, 2, 2), "float32"), training=True))
    assert (y == y[:, :, :1, :1]).all()


# -- GaussianNoise / GaussianDropout / AlphaDropout ------------------------------------------
def test_gaussian_noise_statistics_and_gradient():
    x = _x(400, 500)
    xt = Tensor(to_device(x))
    with GradientTape() as tape:
        tape.watch(xt)
        y = layers.GaussianNoise(0.3, seed=0)(xt, training=True)
        loss = ops.sum(y * 2.0)
    noise = _np(y).astype("float64") - x
    assert abs(noise.mean()) < 0.003 and abs(noise.std() - 0.3) < 0.003
    np.testing.assert_allclose(_np(tape.gradient(loss, xt)), 2.0)
    seeded = [_np(layers.GaussianNoise(0.3, seed=5)(x, training=True)) for _ in range(2)]
    np.testing.assert_array_equal(*seeded)


@pytest.mark.parametrize("rate", [0.1, 0.5])
def test_gaussian_dropout_statistics(rate):
    x = np.full((400, 500), 2.0, "float32")
    xt = Tensor(to_device(x))
    with GradientTape() as tape:
        tape.watch(xt)
        y = layers.GaussianDropout(rate, seed=0)(xt, training=True)
        loss = ops.sum(y)
    factor = _np(y).astype("float64") / 2.0
    expected_std = math.sqrt(rate / (1 - rate))  # Keras: N(1, rate / (1 - rate))
    assert abs(factor.mean() - 1.0) < 0.01 * max(1, expected_std)
    assert abs(factor.std() - expected_std) / expected_std < 0.01
    np.testing.assert_allclose(_np(tape.gradient(loss, xt)), factor, rtol=1e-6)


@pytest.mark.parametrize("rate", [0.05, 0.2, 0.5])
def test_alpha_dropout_formula_and_statistics(rate):
    x = _x(500, 600)
    y = _np(layers.AlphaDropout(rate, seed=0)(x, training=True)).astype("float64")
    a = ((1 - rate) * (1 + rate * SELU_ALPHA_P ** 2)) ** -0.5
    b = -a * SELU_ALPHA_P * rate
    dropped_value = a * SELU_ALPHA_P + b
    dropped = np.isclose(y, dropped_value, rtol=0, atol=1e-6) & ~np.isclose(
        x * a + b, dropped_value, rtol=0, atol=1e-6)
    assert abs(dropped.mean() - rate) < 0.005
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)
    # standard-normal inputs keep zero mean and unit variance (the point of alpha dropout)
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1.0) < 0.01


def test_alpha_dropout_noise_shape_and_gradient():
    x = _x(6, 300)
    xt = Tensor(to_device(x))
    with GradientTape() as tape:
        tape.watch(xt)
        y = layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=3)(xt, training=True)
        loss = ops.sum(y)
    a = ((1 - 0.5) * (1 + 0.5 * SELU_ALPHA_P ** 2)) ** -0.5
    grad = _np(tape.gradient(loss, xt))
    rows_kept = grad[:, 0] != 0
    assert ((grad == grad[:, :1]).all(axis=1)).all()  # one decision per row
    np.testing.assert_allclose(grad[rows_kept], a, rtol=1e-6)
    np.testing.assert_allclose(_np(y)[~rows_kept], a * SELU_ALPHA_P + (-a * SELU_ALPHA_P * 0.5),
                               rtol=1e-5)


# -- ActivityRegularization ------------------------------------------------------------------
def test_activity_regularization_penalty_by_hand():
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], "float32")
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    xt = Tensor(to_device(x))
    with GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        (loss,) = layer.losses
    np.testing.assert_array_equal(_np(y), x)
    # (0.1 * 7.5 + 0.01 * 15.25) / batch of 2
    assert float(_np(loss)) == pytest.approx((0.1 * 7.5 + 0.01 * 15.25) / 2, rel=1e-6)
    grad = _np(tape.gradient(loss, xt))
    np.testing.assert_allclose(grad, (0.1 * np.sign(x) + 0.02 * x) / 2, rtol=1e-6)
    layer(xt)
    assert len(layer.losses) == 1  # one penalty per call, not accumulated
    assert float(_np(layers.ActivityRegularization()(xt) * 0 + 0).sum()) == 0.0
    config = layer.get_config()
    assert (config["l1"], config["l2"]) == (0.1, 0.01) and "activity_regularizer" not in config


# -- bad arguments and inputs ----------------------------------------------------------------
@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.Dropout(1.0, name="d_a"), ValueError, r"d_a.*rate.*\[0, 1\).*1.0"),
    (lambda: layers.Dropout(-0.1, name="d_b"), ValueError, "d_b.*rate"),
    (lambda: layers.Dropout("0.5", name="d_c"), ValueError, "d_c.*rate"),
    (lambda: layers.Dropout(0.5, noise_shape="abc", name="d_d"), ValueError, "d_d.*noise_sh"),
    (lambda: layers.Dropout(0.5, noise_shape=(0, 1), name="d_e"), ValueError, "d_e.*noise"),
    (lambda: layers.Dropout(0.5, seed=1.5, name="d_f"), TypeError, "d_f.*seed"),
    (lambda: layers.SpatialDropout2D(0.5, data_format="nhwc", name="d_g"), ValueError,
     "d_g.*data_format"),
    (lambda: layers.GaussianNoise(-1.0, name="d_h"), ValueError, "d_h.*stddev"),
    (lambda: layers.GaussianDropout(1.5, name="d_i"), ValueError, "d_i.*rate"),
    (lambda: layers.AlphaDropout(1.0, name="d_j"), ValueError, "d_j.*rate"),
    (lambda: layers.ActivityRegularization(l1=-0.1, name="d_k"), ValueError, "d_k.*l1"),
    (lambda: layers.ActivityRegularization(activity_regularizer="l2"), TypeError, "l1"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_bad_inputs_name_the_layer():
    with pytest.raises(ValueError, match=r"sd_a.*ndim=4.*ndim=3"):
        layers.SpatialDropout2D(0.5, name="sd_a")(_x(2, 3, 4), training=True)
    with pytest.raises(ValueError, match=r"sd_b.*ndim=3"):
        layers.SpatialDropout1D(0.5, name="sd_b")(_x(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"dr_a.*noise_shape=\(None, 2\).*\(3, 4\)"):
        layers.Dropout(0.5, noise_shape=(None, 2), name="dr_a")(_x(3, 4), training=True)
    with pytest.raises(ValueError, match=r"dr_b.*noise_shape"):
        layers.AlphaDropout(0.5, noise_shape=(3,), name="dr_b")(_x(3, 4), training=True)


# -- Keras 3 parity --------------------------------------------------------------------------
PARITY_CASES = [
    ("Dropout", {"rate": 0.3}), ("Dropout", {"rate": 0.3, "noise_shape": (None, 1, 4)}),
    ("SpatialDropout1D", {"rate": 0.3}), ("GaussianNoise", {"stddev": 0.5, "seed": 1}),
    ("GaussianDropout", {"rate": 0.3}), ("AlphaDropout", {"rate": 0.3}),
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.2}),
]


@pytest.mark.parametrize("cls_name, kwargs", PARITY_CASES + [
    ("SpatialDropout2D", {"rate": 0.3, "data_format": "channels_first"}),
    ("SpatialDropout3D", {"rate": 0.3, "data_format": "channels_last"}),
])
def test_keras_parity_config_and_inference(cls_name, kwargs):
    keras = keras_or_skip()
    rank = {"SpatialDropout2D": 4, "SpatialDropout3D": 5}.get(cls_name, 3)
    x = _x(*(2, 3, 4, 2, 2)[:rank])
    ours_cls, their_cls = getattr(layers, cls_name), getattr(keras.layers, cls_name)
    assert_keras_parity(ours_cls, their_cls, kwargs, x, call_kwargs={"training": False})
    assert set(ours_cls(**kwargs).get_config()) == set(their_cls(**kwargs).get_config())
    if cls_name == "ActivityRegularization":
        ours, theirs = ours_cls(**kwargs), their_cls(**kwargs)
        ours(x)
        theirs(x)
        assert float(_np(ours.losses[0])) == pytest.approx(
            float(keras.ops.convert_to_numpy(theirs.losses[0])), rel=1e-5)


@pytest.mark.parametrize("cls_name, kwargs", [
    ("Dropout", {"rate": 0.3}), ("SpatialDropout1D", {"rate": 0.3}),
    ("AlphaDropout", {"rate": 0.3}),
])
def test_keras_parity_training_values(cls_name, kwargs):
    """Masks are random, but the set of values a training call produces must be Keras's."""
    keras = keras_or_skip()
    x = np.full((64, 8, 16), 1.5, "float32")
    ours = np.unique(_np(getattr(layers, cls_name)(**kwargs)(x, training=True)))
    theirs = np.unique(keras.ops.convert_to_numpy(getattr(keras.layers, cls_name)(**kwargs)(
        x, training=True)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("cls_name, kwargs", [
    ("GaussianNoise", {"stddev": 0.4}), ("GaussianDropout", {"rate": 0.4}),
    ("AlphaDropout", {"rate": 0.4}),
])
def test_keras_parity_training_moments(cls_name, kwargs):
    keras = keras_or_skip()
    x = _x(200, 300)
    ours = _np(getattr(layers, cls_name)(**kwargs)(x, training=True)).astype("float64")
    theirs = keras.ops.convert_to_numpy(getattr(keras.layers, cls_name)(**kwargs)(
        x, training=True)).astype("float64")
    assert abs(ours.mean() - theirs.mean()) < 0.02
    assert abs(ours.std() - theirs.std()) / theirs.std() < 0.02


@pytest.mark.parametrize("cls_name, kwargs", PARITY_CASES + [
    ("SpatialDropout2D", {"rate": 0.3, "data_format": "channels_first", "seed": 3}),
    ("SpatialDropout3D", {"rate": 0.1}),
])
def test_configs_move_between_keras_and_gpulayers(cls_name, kwargs):
    keras = keras_or_skip()
    theirs = getattr(keras.layers, cls_name)(**kwargs)
    ours = getattr(layers, cls_name).from_config(theirs.get_config())
    back = getattr(keras.layers, cls_name).from_config(ours.get_config())
    for key in kwargs:
        assert ours.get_config()[key] == theirs.get_config()[key] == back.get_config()[key]
