"""Pooling layers: Max/AveragePooling1D/2D/3D and GlobalMax/GlobalAveragePooling1D/2D/3D.

Values are checked against a plain loop written here (every window, padded cells left out),
shapes against Keras's closed form, and every class against Keras 3 itself.
"""

import itertools

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import layers
from gpulayers.autodiff import Tensor
from gpulayers.backend import to_device
from gpulayers.testing import run_layer_test

WINDOWED = {
    ("max", 1): layers.MaxPooling1D, ("max", 2): layers.MaxPooling2D,
    ("max", 3): layers.MaxPooling3D, ("average", 1): layers.AveragePooling1D,
    ("average", 2): layers.AveragePooling2D, ("average", 3): layers.AveragePooling3D,
}
GLOBAL = {
    ("max", 1): layers.GlobalMaxPooling1D, ("max", 2): layers.GlobalMaxPooling2D,
    ("max", 3): layers.GlobalMaxPooling3D, ("average", 1): layers.GlobalAveragePooling1D,
    ("average", 2): layers.GlobalAveragePooling2D, ("average", 3): layers.GlobalAveragePooling3D,
}
SPATIAL = {1: (7,), 2: (5, 4), 3: (4, 3, 5)}
# Keras's torch backend converts outputs with np.array(torch_tensor), which NumPy 2 flags
# (torch's __array__ has no `copy` keyword): a peer's warning, not ours.


def reference_pool(x, pool, strides, padding, data_format, mode):
    """Loop over every output cell; the window is clipped to the real (unpadded) cells."""
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    spatial = x.shape[1:-1]
    starts, out_sizes = [], []
    for n, k, s in zip(spatial, pool, strides):
        if padding == "valid":
            out, before = (n - k) // s + 1, 0
        else:
            out = -(-n // s)
            before = max((out - 1) * s + k - n, 0) // 2
        out_sizes.append(out)
        starts.append([i * s - before for i in range(out)])
    result = np.zeros((x.shape[0], *out_sizes, x.shape[-1]), x.dtype)
    for index in itertools.product(*[range(o) for o in out_sizes]):
        window = tuple(slice(max(starts[d][i], 0), min(starts[d][i] + pool[d], spatial[d]))
                       for d, i in enumerate(index))
        cells = x[(slice(None), *window, slice(None))].reshape(x.shape[0], -1, x.shape[-1])
        result[(slice(None), *index, slice(None))] = (
            cells.max(axis=1) if mode == "max" else cells.mean(axis=1))
    return np.moveaxis(result, -1, 1) if data_format == "channels_first" else result


def _input(rank, data_format, seed=0, batch=2, channels=3):
    shape = (batch, *SPATIAL[rank], channels) if data_format == "channels_last" else (
        batch, channels, *SPATIAL[rank])
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


# -- windowed pooling: values -------------------------------------------------------------
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("pool, strides", [(2, None), (3, 1), (3, 2), (2, 3)])
def test_windowed_pooling_matches_the_loop(mode, rank, padding, data_format, pool, strides):
    x = _input(rank, data_format)
    layer = WINDOWED[mode, rank](pool_size=pool, strides=strides, padding=padding,
                                 data_format=data_format)
    y = layer(x)
    steps = (strides or pool,) * rank
    expected = reference_pool(x, (pool,) * rank, steps, padding, data_format, mode)
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-6, atol=1e-6)
    assert tuple(y.shape) == layer.compute_output_shape(x.shape)


@pytest.mark.parametrize("cls, pool, strides", [
    (layers.MaxPooling2D, (2, 3), (1, 2)), (layers.AveragePooling2D, (3, 1), (2, 1)),
    (layers.AveragePooling3D, (1, 2, 3), (2, 1, 2)), (layers.MaxPooling3D, (2, 1, 2), None),
])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_anisotropic_windows_match_the_loop(cls, pool, strides, padding):
    rank = len(pool)
    x = _input(rank, "channels_last", seed=1)
    y = cls(pool_size=pool, strides=strides, padding=padding)(x)
    mode = "max" if "Max" in cls.__name__ else "average"
    expected = reference_pool(x, pool, strides or pool, padding, "channels_last", mode)
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-6, atol=1e-6)


def test_same_average_divides_by_the_valid_cells_only():
    x = np.array([1.0, 2, 3, 4, 5], "float32").reshape(1, 5, 1)
    y = layers.AveragePooling1D(pool_size=2, strides=1, padding="same")(x)
    np.testing.assert_allclose(np.asarray(y).ravel(), [1.5, 2.5, 3.5, 4.5, 5.0])


# -- windowed pooling: the standard layer checks ------------------------------------------
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("rank, kwargs, input_shape, output_shape", [
    (1, {"pool_size": 2}, (2, 5, 3), (2, 2, 3)),
    (1, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 6, 2), (2, 3, 2)),
    (1, {"pool_size": 2, "data_format": "channels_first"}, (2, 3, 4), (2, 3, 2)),
    (2, {"pool_size": (2, 2)}, (1, 4, 5, 2), (1, 2, 2, 2)),
    (2, {"pool_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"},
     (1, 2, 5, 4), (1, 2, 3, 2)),
    (3, {"pool_size": 2}, (1, 4, 2, 3, 2), (1, 2, 1, 1, 2)),
    (3, {"pool_size": (2, 1, 2), "strides": 1, "padding": "same",
         "data_format": "channels_first"}, (1, 2, 3, 2, 3), (1, 2, 3, 2, 3)),
])
def test_run_layer_test_windowed(mode, rank, kwargs, input_shape, output_shape):
    run_layer_test(WINDOWED[mode, rank], kwargs, input_shape=input_shape,
                   expected_output_shape=output_shape, expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=False)


def test_defaults_and_config_as_keras():
    assert layers.MaxPooling1D().pool_size == (2,)
    assert layers.MaxPooling2D().pool_size == (2, 2)
    assert layers.MaxPooling3D().pool_size == (2, 2, 2)
    layer = layers.AveragePooling2D(3, padding="SAME")
    assert layer.strides == (3, 3) and layer.padding == "same"
    config = layer.get_config()
    assert {k: config[k] for k in ("pool_size", "padding", "strides", "data_format")} == {
        "pool_size": (3, 3), "padding": "same", "strides": (3, 3),
        "data_format": "channels_last"}
    with pytest.raises(TypeError):
        layers.AveragePooling1D()  # pool_size is required, as in Keras


def test_data_format_defaults_to_the_global_setting():
    from gpulayers import backend

    backend.set_image_data_format("channels_first")
    assert layers.MaxPooling2D().data_format == "channels_first"
    assert layers.GlobalMaxPooling2D().data_format == "channels_first"


def test_aliases_are_the_same_classes():
    assert layers.MaxPool1D is layers.MaxPooling1D and layers.MaxPool3D is layers.MaxPooling3D
    assert layers.AvgPool2D is layers.AveragePooling2D
    assert layers.GlobalMaxPool2D is layers.GlobalMaxPooling2D
    assert layers.GlobalAvgPool1D is layers.GlobalAveragePooling1D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    from gpulayers.layers.pooling import max_pooling2d

    assert max_pooling2d.MaxPooling2D is layers.MaxPooling2D


def test_output_shape_with_unknown_sizes():
    layer = layers.MaxPooling2D(3, strides=2, padding="same")
    assert layer.compute_output_shape((None, None, 7, 4)) == (None, None, 4, 4)
    symbolic = layers.AveragePooling1D(2)(layers.Input(shape=(None, 3)))
    assert symbolic.shape == (None, None, 3)


# -- bad arguments and inputs ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs, words", [
    ({"padding": "bogus"}, ["max_pooling2d", "padding", "'bogus'"]),
    ({"padding": "causal"}, ["padding", "'causal'"]),
    ({"pool_size": 0}, ["pool_size", "0"]),
    ({"pool_size": (2, 2, 2)}, ["pool_size", "(2, 2, 2)"]),
    ({"strides": -1}, ["strides", "-1"]),
    ({"pool_size": 2.5}, ["pool_size", "2.5"]),
    ({"data_format": "NHWC"}, ["data_format", "NHWC"]),
])
def test_bad_arguments_raise_naming_the_layer_and_value(kwargs, words):
    with pytest.raises(ValueError) as error:
        layers.MaxPooling2D(**kwargs)
    assert all(word in str(error.value) for word in words), str(error.value)


def test_wrong_rank_names_the_layer_and_both_ranks():
    layer = layers.MaxPooling2D(name="pool_a")
    with pytest.raises(ValueError, match=r"pool_a.*ndim=4.*ndim=3"):
        layer(np.zeros((2, 4, 3), "float32"))
    with pytest.raises(ValueError, match="pool_b"):
        layers.GlobalAveragePooling3D(name="pool_b")(np.zeros((2, 4, 4, 3), "float32"))
    with pytest.raises(ValueError, match=r"pool_c.*rank 3.*rank 4"):
        layers.AveragePooling1D(2, name="pool_c").compute_output_shape((2, 4, 4, 3))


def test_window_larger_than_the_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"pool_d.*\(1, 3, 3, 2\)"):
        layers.MaxPooling2D(4, name="pool_d")(np.zeros((1, 3, 3, 2), "float32"))
    assert layers.MaxPooling2D(4, padding="same")(np.zeros((1, 3, 3, 2), "float32")).shape == (
        1, 1, 1, 2)


# -- global pooling --------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling(mode, rank, data_format, keepdims):
    x = _input(rank, data_format, batch=2, channels=2)
    axes = tuple(range(1, rank + 1)) if data_format == "channels_last" else tuple(
        range(2, rank + 2))
    reduce = np.max if mode == "max" else np.mean
    expected = reduce(x, axis=axes, keepdims=keepdims)
    output = run_layer_test(GLOBAL[mode, rank], {"data_format": data_format,
                                                 "keepdims": keepdims},
                            input_data=x, expected_output_shape=expected.shape,
                            expected_output=expected, expected_num_trainable_weights=0,
                            supports_masking=(mode, rank) == ("average", 1))
    assert output.shape == expected.shape


def test_global_average_pooling1d_leaves_masked_steps_out():
    x = np.random.default_rng(2).normal(size=(3, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0], [0, 0, 0, 0]], bool)
    y = np.asarray(layers.GlobalAveragePooling1D()(x, mask=mask))
    np.testing.assert_allclose(y[0], x[0, [0, 1, 3]].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(y[1], x[1, 0], rtol=1e-6)
    np.testing.assert_array_equal(y[2], 0)  # all masked: 0 (Keras: NaN)
    first = layers.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)
    y_first = np.asarray(first(np.moveaxis(x, 1, 2), mask=mask))
    assert y_first.shape == (3, 2, 1)
    np.testing.assert_allclose(y_first[..., 0], y, rtol=1e-6)


def test_global_average_pooling1d_reads_the_mask_carried_by_its_input_and_drops_it():
    x = np.random.default_rng(3).normal(size=(2, 3, 2)).astype("float32")
    tensor = Tensor(to_device(x))
    tensor._keras_mask = Tensor(to_device(np.array([[1, 0, 0], [1, 1, 0]], bool)))
    y = layers.GlobalAveragePooling1D()(tensor)
    np.testing.assert_allclose(np.asarray(y), [x[0, 0], x[1, :2].mean(axis=0)], rtol=1e-6)
    assert y._keras_mask is None


def test_masked_global_average_gradient_skips_masked_steps():
    from gpulayers.testing import check_gradients

    layer = layers.GlobalAveragePooling1D(dtype="float64")
    mask = np.array([[1, 0, 1], [0, 1, 1]], bool)
    check_gradients(lambda x: layer(x, mask=mask),
                    [np.random.default_rng(4).normal(size=(2, 3, 2))])


def test_global_average_pooling1d_rejects_a_mask_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"global_avg.*\(2, 3\).*\(2, 4\)"):
        layers.GlobalAveragePooling1D(name="global_avg")(np.zeros((2, 3, 2), "float32"),
                                                          mask=np.ones((2, 4), bool))


# -- Keras parity ----------------------------------------------------------------------------
# Average pooling with padding='same' is compared where the padding is symmetric: Keras's
# torch backend pads asymmetric cases by replicating edge values and counts them in the mean,
# while Keras on TensorFlow/JAX (and gpulayers, checked against the loop above) leaves
# padded cells out.
@pytest.mark.parametrize("name, kwargs, shape", [
    ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 3)),
    ("MaxPooling2D", {"pool_size": (2, 3), "padding": "valid"}, (2, 5, 7, 3)),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same",
                      "data_format": "channels_first"}, (2, 3, 5, 6)),
    ("MaxPooling3D", {"pool_size": 2, "padding": "same"}, (1, 3, 4, 5, 2)),
    ("AveragePooling1D", {"pool_size": 2, "strides": 1, "padding": "same"}, (2, 5, 3)),
    ("AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 5, 3)),
    ("AveragePooling2D", {"pool_size": 2, "data_format": "channels_first"}, (2, 3, 4, 6)),
    ("AveragePooling3D", {"pool_size": (3, 1, 3), "strides": 1, "padding": "same"},
     (1, 4, 4, 3, 2)),
    ("GlobalMaxPooling1D", {}, (2, 5, 3)),
    ("GlobalMaxPooling2D", {"data_format": "channels_first", "keepdims": True}, (2, 3, 4, 5)),
    ("GlobalMaxPooling3D", {}, (2, 3, 4, 2, 3)),
    ("GlobalAveragePooling1D", {"keepdims": True}, (2, 5, 3)),
    ("GlobalAveragePooling2D", {}, (2, 4, 5, 3)),
    ("GlobalAveragePooling3D", {"data_format": "channels_first"}, (2, 3, 2, 3, 4)),
])
def test_keras_parity(name, kwargs, shape):
    keras = keras_or_skip()
    x = np.random.default_rng(5).normal(size=shape).astype("float32")
    assert_keras_parity(getattr(layers, name), getattr(keras.layers, name), kwargs, x)


def test_keras_parity_masked_global_average_pooling1d():
    keras = keras_or_skip()
    x = np.random.default_rng(6).normal(size=(3, 5, 2)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 0, 1], [1, 1, 1, 1, 1]], bool)
    assert_keras_parity(layers.GlobalAveragePooling1D, keras.layers.GlobalAveragePooling1D, {},
                        x, call_kwargs={"mask": mask})


def test_keras_aliases_exist_here_too():
    keras = keras_or_skip()
    for name in ["MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
                 "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D",
                 "GlobalAvgPool2D", "GlobalAvgPool3D"]:
        assert getattr(keras.layers, name).__name__ == getattr(layers, name).__name__
