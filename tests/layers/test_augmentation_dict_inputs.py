"""Keras 3's dict inputs to the image augmentation layers: ``{"images", "labels",
"bounding_boxes", "segmentation_masks"}`` routed through one drawn transformation.

* the boxes and masks of RandomFlip, RandomTranslation, RandomZoom, RandomRotation and
  RandomShear against Keras 3.15 given the *same* transformation (drawn by Keras's layer and
  by ours, passed as NumPy copies to both layers' ``transform_bounding_boxes`` /
  ``transform_segmentation_masks``), in several box formats;
* ``call`` on a dict equals the split methods with one draw, plain tensors are unchanged,
  colour layers leave boxes and masks alone, inference passes everything through;
* hand-computed boxes for a flip and a translation; config and error cases.
"""

import copy

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.layers.preprocessing import (
    RandomBrightness,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from gpulayers.layers.preprocessing.bounding_boxes import convert_format
from gpulayers.layers.preprocessing.random_shear import RandomShear

OURS = {"RandomFlip": RandomFlip, "RandomTranslation": RandomTranslation,
        "RandomZoom": RandomZoom, "RandomRotation": RandomRotation, "RandomShear": RandomShear}

CASES = [
    ("RandomFlip", dict(mode="horizontal")),
    ("RandomFlip", dict(mode="vertical", data_format="channels_first")),
    ("RandomFlip", dict()),
    ("RandomTranslation", dict(height_factor=0.3, width_factor=(-0.4, 0.4))),
    ("RandomTranslation", dict(height_factor=0.2, width_factor=0.3,
                               data_format="channels_first")),
    ("RandomZoom", dict(height_factor=(-0.4, 0.3))),
    ("RandomZoom", dict(height_factor=0.3, width_factor=(-0.3, 0.5))),
    ("RandomRotation", dict(factor=0.2)),
    ("RandomRotation", dict(factor=(-0.3, 0.1), data_format="channels_first")),
    ("RandomShear", dict(x_factor=0.3, y_factor=(0.1, 0.4))),
    ("RandomShear", dict(x_factor=0.5, y_factor=0.5, data_format="channels_first")),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]
H, W = 30, 40


def _np(value):
    return ops.convert_to_numpy(value)


def _images(kwargs, batch=6, seed=0):
    x = np.random.default_rng(seed).uniform(0, 255, (batch, H, W, 3)).astype("float32")
    if kwargs.get("data_format") == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return x


def _boxes(batch=6, n=4, seed=1):
    """xyxy boxes, some touching or crossing the border, plus one padding row per image."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform([-3, -3], [W - 5, H - 5], size=(batch, n, 2))
    wh = rng.uniform(2, 15, size=(batch, n, 2))
    boxes = np.concatenate([xy, xy + wh], -1).astype("float32")
    boxes[:, -1] = -1.0
    labels = rng.integers(0, 5, size=(batch, n)).astype("int64")
    labels[:, -1] = -1
    return boxes, labels


def _masks(kwargs, batch=6, seed=2):
    m = np.random.default_rng(seed).integers(0, 4, (batch, H, W, 1)).astype("float32")
    if kwargs.get("data_format") == "channels_first":
        m = np.ascontiguousarray(m.transpose(0, 3, 1, 2))
    return m


def _numpy_tree(value):
    if isinstance(value, dict):
        return {key: _numpy_tree(item) for key, item in value.items()}
    if isinstance(value, tuple) and not all(isinstance(v, int) for v in value):
        return tuple(_numpy_tree(item) for item in value)
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy().copy()
    if hasattr(value, "shape") and not isinstance(value, (np.ndarray, tuple)):
        return _np(value).copy()
    return copy.deepcopy(value)


def _for_keras(keras, transformation):
    def convert(value):
        if isinstance(value, np.ndarray):
            return keras.ops.convert_to_tensor(value)
        return value
    return {key: convert(value) for key, value in _numpy_tree(transformation).items()}


def _pair(keras, name, kwargs, fmt, drawn_by):
    theirs = getattr(keras.layers, name)(**kwargs, seed=11, bounding_box_format=fmt)
    ours = OURS[name](**kwargs, seed=11, bounding_box_format=fmt)
    x = _images(kwargs)
    drawer = theirs if drawn_by == "keras" else ours
    transformation = _numpy_tree(drawer.get_random_transformation(x.copy(), training=True))
    return theirs, ours, transformation


# Keras 3.15's RandomRotation reads boxes of any format as xyxy; ours converts first, so it
# is compared in xyxy only (other formats: test_rotation_boxes_in_other_formats).
BOX_CASES = [(name, kwargs, fmt) for name, kwargs in CASES
             for fmt in ("xyxy", "rel_xyxy", "center_xywh")
             if name != "RandomRotation" or fmt == "xyxy"]
BOX_IDS = [f"{name}-{i}-{fmt}" for i, (name, _, fmt) in enumerate(BOX_CASES)]


@pytest.mark.parametrize("name, kwargs, fmt", BOX_CASES, ids=BOX_IDS)
@pytest.mark.parametrize("drawn_by", ["keras", "ours"])
def test_boxes_match_keras_given_the_same_transformation(name, kwargs, fmt, drawn_by):
    keras = keras_or_skip()
    theirs, ours, transformation = _pair(keras, name, kwargs, fmt, drawn_by)
    boxes, labels = _boxes()
    boxes = _np(convert_format(boxes, "xyxy", fmt, height=H, width=W))
    expected = theirs.transform_bounding_boxes(
        {"boxes": keras.ops.convert_to_tensor(boxes.copy()),
         "labels": keras.ops.convert_to_tensor(labels.copy())},
        _for_keras(keras, transformation))
    got = ours.transform_bounding_boxes({"boxes": boxes, "labels": labels},
                                        _numpy_tree(transformation))
    scale = 1.0 if fmt.startswith("rel") else 40.0
    np.testing.assert_allclose(_np(got["boxes"]), to_numpy(expected["boxes"]), rtol=1e-5,
                               atol=2e-6 * scale)
    np.testing.assert_array_equal(_np(got["labels"]), to_numpy(expected["labels"]))
    assert not np.allclose(_np(got["boxes"]), boxes)                 # the draw moved them


def test_rotation_boxes_in_other_formats():
    # Our RandomRotation converts from its format first (Keras 3.15 skips that step).
    boxes, labels = _boxes()
    xyxy = RandomRotation(0.2, seed=3, bounding_box_format="xyxy")
    cxy = RandomRotation(0.2, seed=3, bounding_box_format="center_xywh")
    transformation = xyxy.get_random_transformation(_images({}))
    want = xyxy.transform_bounding_boxes({"boxes": boxes, "labels": labels}, transformation)
    got = cxy.transform_bounding_boxes(
        {"boxes": convert_format(boxes, "xyxy", "center_xywh"), "labels": labels},
        transformation)
    np.testing.assert_allclose(_np(got["boxes"]),
                               _np(convert_format(want["boxes"], "xyxy", "center_xywh")),
                               rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_segmentation_masks_match_keras(name, kwargs):
    keras = keras_or_skip()
    theirs, ours, transformation = _pair(keras, name, kwargs, "xyxy", "ours")
    masks = _masks(kwargs)
    expected = to_numpy(theirs.transform_segmentation_masks(
        keras.ops.convert_to_tensor(masks.copy()), _for_keras(keras, transformation)))
    got = _np(ours.transform_segmentation_masks(masks, _numpy_tree(transformation)))
    np.testing.assert_array_equal(got, expected)
    assert set(np.unique(got)) <= {0.0, 1.0, 2.0, 3.0}               # nearest: ids stay ids


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("single", [False, True])
def test_dict_call_is_one_draw_through_the_split_methods(name, kwargs, single):
    boxes, labels = _boxes()
    x, masks = _images(kwargs), _masks(kwargs)
    onehot = np.eye(3, dtype="float32")[np.arange(6) % 3]
    if single:
        x, masks, boxes, labels, onehot = x[0], masks[0], boxes[0], labels[0], onehot[0]
    called = OURS[name](**kwargs, seed=5, bounding_box_format="xyxy")
    split = OURS[name](**kwargs, seed=5, bounding_box_format="xyxy")
    out = called({"images": x, "labels": onehot, "segmentation_masks": masks,
                  "bounding_boxes": {"boxes": boxes, "labels": labels}}, training=True)
    batch = x[None] if single else x
    t = split.get_random_transformation(batch)
    add = (lambda v: v[None]) if single else (lambda v: v)
    drop = (lambda v: _np(v)[0]) if single else _np
    np.testing.assert_array_equal(_np(out["images"]), drop(split.transform_images(add(x), t)))
    np.testing.assert_array_equal(_np(out["segmentation_masks"]),
                                  drop(split.transform_segmentation_masks(add(masks), t)))
    want = split.transform_bounding_boxes({"boxes": add(boxes), "labels": add(labels)}, t)
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["boxes"]), drop(want["boxes"]))
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["labels"]), drop(want["labels"]))
    np.testing.assert_array_equal(_np(out["labels"]), onehot)
    # the same layer on a plain tensor still gives the plain result (same stream position)
    twin = OURS[name](**kwargs, seed=5)
    np.testing.assert_array_equal(_np(twin(x, training=True)), _np(out["images"]))


@pytest.mark.parametrize("name, kwargs", [CASES[0], CASES[3], CASES[7]],
                         ids=[IDS[0], IDS[3], IDS[7]])
def test_dict_inference_passes_through(name, kwargs):
    boxes, labels = _boxes()
    x, masks = _images(kwargs), _masks(kwargs)
    layer = OURS[name](**kwargs, bounding_box_format="xyxy")
    out = layer({"images": x, "segmentation_masks": masks,
                 "bounding_boxes": {"boxes": boxes, "labels": labels}}, training=False)
    np.testing.assert_array_equal(_np(out["images"]), x)
    np.testing.assert_array_equal(_np(out["segmentation_masks"]), masks)
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["boxes"]), boxes)
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["labels"]), labels)


def test_colour_layer_leaves_boxes_and_masks():
    boxes, labels = _boxes()
    x, masks = _images({}), _masks({})
    layer = RandomBrightness(0.3, seed=1, bounding_box_format="xyxy")
    out = layer({"images": x, "segmentation_masks": masks,
                 "bounding_boxes": {"boxes": boxes, "labels": labels}}, training=True)
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["boxes"]), boxes)
    np.testing.assert_array_equal(_np(out["segmentation_masks"]), masks)
    twin = RandomBrightness(0.3, seed=1)
    np.testing.assert_allclose(_np(out["images"]), _np(twin(x, training=True)))
    assert not np.allclose(_np(out["images"]), x)


def test_flip_and_translation_boxes_by_hand():
    boxes = np.array([[[4, 2, 10, 8]]], "float32")
    labels = np.array([[1]])
    flip = RandomFlip("horizontal", bounding_box_format="xyxy")
    out = flip.transform_bounding_boxes(
        {"boxes": boxes, "labels": labels},
        {"flips": np.array([True]).reshape(1, 1, 1, 1), "input_shape": (1, 20, 40, 3)})
    np.testing.assert_allclose(_np(out["boxes"]), [[[30, 2, 36, 8]]], atol=1e-5)  # 40 - x
    shift = RandomTranslation(0.1, 0.1, bounding_box_format="xyxy")
    out = shift.transform_bounding_boxes(
        {"boxes": boxes, "labels": labels},
        {"translations": np.array([[35.0, -1.0]], "float32"), "input_shape": (1, 20, 40, 3)})
    np.testing.assert_allclose(_np(out["boxes"]), [[[39, 1, 40, 7]]])   # clipped at x=40
    out = shift.transform_bounding_boxes(
        {"boxes": boxes, "labels": labels},
        {"translations": np.array([[0.0, -30.0]], "float32"), "input_shape": (1, 20, 40, 3)})
    assert _np(out["labels"]).tolist() == [[-1]]                      # pushed off the image


def test_config_and_errors():
    layer = RandomFlip(bounding_box_format="rel_xyxy", name="f")
    config = layer.get_config()
    assert config["bounding_box_format"] == "rel_xyxy"
    assert RandomFlip.from_config(config).get_config() == config
    assert "bounding_box_format" not in RandomFlip().get_config()        # as Keras
    with pytest.raises(ValueError, match="RandomFlip.*bounding_box_format.*bogus"):
        RandomFlip(bounding_box_format="bogus")
    with pytest.raises(ValueError, match="RandomFlip 'g'.*bounding_box_format"):
        RandomFlip(name="g")({"images": np.zeros((1, 4, 4, 3), "float32"), "bounding_boxes": {
            "boxes": np.zeros((1, 2, 4)), "labels": np.zeros((1, 2))}})
    with pytest.raises(ValueError, match="RandomFlip 'g'.*'images'"):
        RandomFlip(name="g")({"labels": np.zeros((1, 2))})
    with pytest.raises(ValueError, match="RandomFlip 'g'.*'boxes' and 'labels'"):
        RandomFlip(name="g", bounding_box_format="xyxy")(
            {"images": np.zeros((1, 4, 4, 3), "float32"), "bounding_boxes": {"boxes": 1}})
