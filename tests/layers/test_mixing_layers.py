"""MixUp, CutMix (with Keras's ``{"images": ..., "labels": ...}`` input) and Pipeline: Keras 3
parity with scripted draws (see test_geometric_augmentation.py), hand-computed mixes, the Beta
sampler's distribution, inference identity, seeding, configs, gradients and errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from test_geometric_augmentation import keras_and_ours, script_ours

from gpulayers import ops
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing import RandomRotation, Rescaling
from gpulayers.layers.preprocessing.cut_mix import CutMix
from gpulayers.layers.preprocessing.mix_up import MixUp, sample_beta
from gpulayers.layers.preprocessing.pipeline import Pipeline
from gpulayers.layers.preprocessing.random_shear import RandomShear
from gpulayers.testing.gradient_check import check_gradients


def _x(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


def _np(value):
    return ops.convert_to_numpy(value)


def _one_hot(n, classes=5, seed=0):
    return np.eye(classes, dtype="float32")[np.random.default_rng(seed).integers(0, classes, n)]


# -- MixUp -------------------------------------------------------------------------------------
def test_mixup_two_images_by_hand(monkeypatch):
    a, b = np.full((2, 2, 1), 10.0, "float32"), np.full((2, 2, 1), 50.0, "float32")
    labels = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    script_ours(monkeypatch, 0, {"beta": [[0.3, 0.8]], "permutation": [[1, 0]]})
    out = MixUp()({"images": np.stack([a, b]), "labels": labels}, training=True)
    # image 0: 0.3 * 10 + 0.7 * 50 = 38; image 1: 0.8 * 50 + 0.2 * 10 = 42
    np.testing.assert_allclose(_np(out["images"])[..., 0], [[[38, 38], [38, 38]],
                                                            [[42, 42], [42, 42]]], rtol=1e-6)
    np.testing.assert_allclose(_np(out["labels"]), [[0.3, 0.7], [0.2, 0.8]], rtol=1e-6)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("with_labels", [True, False])
def test_mixup_matches_keras(monkeypatch, data_format, with_labels):
    keras = keras_or_skip()
    x = _x(4, 5, 6, 3)
    if data_format == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    labels = _one_hot(4)

    def data():
        return {"images": x, "labels": labels} if with_labels else x

    theirs, ours = keras_and_ours(monkeypatch, keras.layers.MixUp(data_format=data_format),
                                  MixUp(data_format=data_format), data())
    if with_labels:
        np.testing.assert_allclose(_np(ours["labels"]), to_numpy(theirs["labels"]),
                                   rtol=1e-6, atol=1e-6)
        theirs, ours = theirs["images"], ours["images"]
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), rtol=1e-5, atol=1e-3)


def test_mixup_single_image_and_integer_labels():
    x = _x(5, 6, 3)
    out = MixUp(seed=1)({"images": x, "labels": np.array([0, 1, 0])}, training=True)
    np.testing.assert_allclose(_np(out["images"]), x, rtol=1e-5)    # mixed with itself
    np.testing.assert_allclose(_np(out["labels"]), [0, 1, 0], atol=1e-6)
    assert out["labels"].dtype == "float32"


# -- CutMix ------------------------------------------------------------------------------------
def test_cutmix_box_by_hand(monkeypatch):
    images = np.stack([np.zeros((4, 4, 1), "float32"), np.ones((4, 4, 1), "float32")])
    labels = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    # lam = 0.75: box sides sqrt(0.25) * 4 = 2; starts u * (4 - 2): x0 = (1, 0), y0 = (0, 2)
    script_ours(monkeypatch, 0, {"uniform": [0.5, [0.5, 0.0], [0.0, 1.0]],
                                 "beta": [[0.75, 0.75]], "permutation": [[1, 0]]})
    out = CutMix()({"images": images, "labels": labels}, training=True)
    got = _np(out["images"])[..., 0]
    first = np.zeros((4, 4))
    first[0:2, 1:3] = 1.0
    second = np.ones((4, 4))
    second[2:4, 0:2] = 0.0
    np.testing.assert_array_equal(got, np.stack([first, second]))
    np.testing.assert_allclose(_np(out["labels"]), [[0.75, 0.25], [0.25, 0.75]], rtol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(), dict(factor=(0.3, 0.9)),
                                    dict(factor=0.5, data_format="channels_first")])
def test_cutmix_matches_keras(monkeypatch, kwargs):
    keras = keras_or_skip()
    x = _x(5, 8, 7, 3)
    if kwargs.get("data_format") == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    labels = _one_hot(5)
    theirs, ours = keras_and_ours(monkeypatch, keras.layers.CutMix(**kwargs),
                                  CutMix(**kwargs), {"images": x, "labels": labels})
    np.testing.assert_allclose(_np(ours["images"]), to_numpy(theirs["images"]), atol=1e-5)
    np.testing.assert_allclose(_np(ours["labels"]), to_numpy(theirs["labels"]), rtol=1e-5,
                               atol=1e-6)
    theirs, ours = keras_and_ours(monkeypatch, keras.layers.CutMix(**kwargs),
                                  CutMix(**kwargs), x)
    np.testing.assert_allclose(_np(ours), to_numpy(theirs), atol=1e-5)


def test_cutmix_single_image_is_cast_only():
    x = _x(6, 5, 3).astype("float64")
    out = CutMix(seed=1)(x, training=True)
    assert out.dtype == "float32"
    np.testing.assert_allclose(_np(out), x.astype("float32"))


# -- the Beta sampler --------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", [(0.2, 0.2), (2.0, 5.0), (1.0, 1.0), (3.5, 0.7)])
def test_sample_beta_distribution(a, b):
    stats = pytest.importorskip("scipy.stats")
    draws = _np(sample_beta((20000,), a, b, SeedGenerator(0), "float64"))
    assert np.all((draws >= 0) & (draws <= 1))
    np.testing.assert_allclose(draws.mean(), a / (a + b), atol=0.01)
    np.testing.assert_allclose(draws.var(), a * b / ((a + b) ** 2 * (a + b + 1)), rtol=0.05)
    assert stats.kstest(draws, stats.beta(a, b).cdf).pvalue > 1e-3


def test_sample_beta_tiny_concentration_stays_finite():
    draws = _np(sample_beta((1000,), 1e-6, 1e-6, SeedGenerator(1), "float64"))
    assert np.isfinite(draws).all()
    assert np.mean((draws < 1e-3) | (draws > 1 - 1e-3)) > 0.99   # all mass at 0 and 1
    np.testing.assert_allclose(draws.mean(), 0.5, atol=0.06)


# -- common behaviour of MixUp and CutMix --------------------------------------------------------
MIXERS = [lambda: MixUp(alpha=0.4, seed=7), lambda: CutMix(factor=(0.5, 1.0), seed=7)]


@pytest.mark.parametrize("make", MIXERS)
def test_mixers_inference_seeding_and_config(make):
    x, labels = _x(6, 8, 8, 3), _one_hot(6)
    out = make()({"images": x, "labels": labels}, training=False)
    np.testing.assert_array_equal(_np(out["images"]), x)
    np.testing.assert_array_equal(_np(out["labels"]), labels)
    first, second = make(), make()
    a1 = first({"images": x, "labels": labels})        # training defaults to True
    a2 = first({"images": x, "labels": labels})
    b1 = second({"images": x, "labels": labels})
    for key in ("images", "labels"):
        np.testing.assert_array_equal(_np(b1[key]), _np(a1[key]))
    assert not np.array_equal(_np(a1["images"]), _np(a2["images"]))
    assert not np.array_equal(_np(a1["images"]), x)
    np.testing.assert_allclose(_np(a1["labels"]).sum(axis=1), 1.0, rtol=1e-5)
    plain = make()(x, training=True)
    np.testing.assert_array_equal(_np(plain), _np(a1["images"]))
    layer = make()
    clone = deserialize(serialize(layer))
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


def test_mixer_keras_configs_load():
    keras = keras_or_skip()
    for theirs, ours, keys in [(keras.layers.MixUp(alpha=0.3, seed=2), MixUp, ("alpha", "seed")),
                               (keras.layers.CutMix(factor=0.6, seed=2), CutMix,
                                ("factor", "seed"))]:
        config = theirs.get_config()
        mine = ours.from_config(config).get_config()
        assert set(config) - {"dtype"} == set(mine) - {"dtype"}
        for key in keys:
            expected = tuple(config[key]) if isinstance(config[key], list) else config[key]
            assert mine[key] == expected


def test_mixup_gradient():
    x = _x(3, 3, 2, 2, seed=2) / 255.0
    check_gradients(lambda images: MixUp(seed=3, dtype="float64")(images, training=True), [x])


@pytest.mark.parametrize("make, data, name", [
    (lambda: MixUp(), {"pictures": np.zeros((2, 4, 4, 3))}, "images"),
    (lambda: MixUp(), {"images": np.zeros((2, 4, 4, 3)),
                       "bounding_boxes": {"boxes": np.zeros((2, 1, 4))}}, "bounding_boxes"),
    (lambda: CutMix(), {"images": np.zeros((2, 4, 4, 3)),
                        "segmentation_masks": np.zeros((2, 4, 4, 1))}, "segmentation_masks"),
    (lambda: CutMix(), np.zeros((2, 4)), "rank"),
    (lambda: MixUp(), {"images": np.zeros((1, 2, 4, 4, 3))}, "rank"),
])
def test_mixers_bad_inputs(make, data, name):
    layer = make()
    with pytest.raises(ValueError, match=f"{type(layer).__name__}.*{name}"):
        layer(data, training=True)


@pytest.mark.parametrize("make, name", [(lambda: MixUp(alpha=0), "MixUp"),
                                        (lambda: MixUp(alpha="0.2"), "MixUp"),
                                        (lambda: MixUp(seed=0.5), "MixUp"),
                                        (lambda: CutMix(factor=1.5), "CutMix"),
                                        (lambda: CutMix(data_format="nchw"), "CutMix")])
def test_mixers_bad_arguments(make, name):
    with pytest.raises(ValueError, match=name):
        make()


# -- Pipeline ----------------------------------------------------------------------------------
def _pipeline():
    return Pipeline([Rescaling(1 / 255.0), RandomShear(0.3, seed=1),
                     RandomRotation(0.2, seed=2)], name="augment")


def test_pipeline_applies_layers_in_order():
    x = _x(3, 7, 6, 3)
    rescale, shear, rotate = Rescaling(1 / 255.0), RandomShear(0.3, seed=1), RandomRotation(
        0.2, seed=2)
    expected = _np(rotate(shear(rescale(x), training=True), training=True))
    np.testing.assert_allclose(_np(_pipeline()(x)), expected, rtol=1e-6)   # training=True
    np.testing.assert_allclose(_np(_pipeline()(x, training=False)), x / 255.0, rtol=1e-6)
    assert _pipeline().compute_output_shape((None, 7, 6, 3)) == (None, 7, 6, 3)
    layer = _pipeline()
    assert [type(each).__name__ for each in layer.layers] == ["Rescaling", "RandomShear",
                                                              "RandomRotation"]


def test_pipeline_passes_dicts_through():
    x, labels = _x(4, 6, 6, 3), _one_hot(4)
    out = Pipeline([MixUp(seed=2), CutMix(seed=3)])({"images": x, "labels": labels})
    expected = CutMix(seed=3)(MixUp(seed=2)({"images": x, "labels": labels}))
    for key in ("images", "labels"):
        np.testing.assert_allclose(_np(out[key]), _np(expected[key]), rtol=1e-6)


def test_pipeline_config_round_trip():
    layer = _pipeline()
    config = layer.get_config()
    assert set(config) == {"layers", "name"}            # Keras's keys
    assert [c["class_name"] for c in config["layers"]] == ["Rescaling", "RandomShear",
                                                            "RandomRotation"]
    clone = deserialize(serialize(layer))
    assert isinstance(clone, Pipeline) and clone.get_config() == config
    x = _x(2, 7, 6, 3)
    np.testing.assert_allclose(_np(clone(x)), _np(_pipeline()(x)), rtol=1e-6)


def test_pipeline_loads_keras_config():
    keras = keras_or_skip()
    theirs = keras.layers.Pipeline([keras.layers.Rescaling(0.5),
                                    keras.layers.RandomShear(0.2, seed=3),
                                    keras.layers.MixUp(alpha=0.3, seed=4)], name="aug")
    layer = Pipeline.from_config(theirs.get_config())
    assert layer.name == "aug"
    assert [type(each).__name__ for each in layer.layers] == ["Rescaling", "RandomShear",
                                                              "MixUp"]
    assert layer.layers[1].x_factor == (-0.2, 0.2) and layer.layers[2].alpha == 0.3
    x = _x(2, 5, 5, 3)
    np.testing.assert_allclose(_np(layer(x, training=False)), to_numpy(
        theirs(x, training=False)), rtol=1e-6)


def test_pipeline_errors():
    with pytest.raises(ValueError, match="Pipeline"):
        Pipeline([Rescaling(1.0), "flip"])
    with pytest.raises(ValueError, match="Pipeline"):
        Pipeline.from_config({"name": "p"})
