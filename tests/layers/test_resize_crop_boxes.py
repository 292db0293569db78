"""Bounding boxes and segmentation masks through Resizing and CenterCrop (Keras 3 dict inputs).

* ``transform_bounding_boxes`` / ``transform_segmentation_masks`` against Keras 3.15 given
  each layer's own (deterministic) transformation, in several box formats, both data
  formats, with ``crop_to_aspect_ratio`` and CenterCrop's smaller-than-target resize;
* a whole dict call (batched and single image) against Keras's;
* hand-computed boxes for each layer; inference, config and error cases.
"""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing import CenterCrop, Resizing

FORMATS = ["xyxy", "rel_xyxy", "center_xywh"]
CASES = [
    ("Resizing", dict(height=12, width=20)),
    ("Resizing", dict(height=35, width=18, data_format="channels_first")),
    ("Resizing", dict(height=10, width=10, crop_to_aspect_ratio=True)),
    ("Resizing", dict(height=24, width=9, interpolation="nearest", crop_to_aspect_ratio=True,
                      data_format="channels_first")),
    ("CenterCrop", dict(height=20, width=25)),
    ("CenterCrop", dict(height=14, width=30, data_format="channels_first")),
    ("CenterCrop", dict(height=40, width=20)),                      # taller: crop + resize
    ("CenterCrop", dict(height=12, width=50, data_format="channels_first")),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]
OURS = {"Resizing": Resizing, "CenterCrop": CenterCrop}
H, W = 30, 40


def _channels_first(x, kwargs):
    if kwargs.get("data_format") == "channels_first":
        return np.ascontiguousarray(np.moveaxis(x, -1, -3))
    return x


def _data(kwargs, batch=3, seed=0):
    rng = np.random.default_rng(seed)
    images = _channels_first(rng.uniform(0, 255, (batch, H, W, 3)).astype("float32"), kwargs)
    masks = _channels_first(rng.integers(0, 4, (batch, H, W, 1)).astype("float32"), kwargs)
    corner = rng.uniform([0, 0], [W - 5, H - 5], (batch, 5, 2))
    size = rng.uniform(1, 20, (batch, 5, 2))
    boxes = np.concatenate([corner, corner + size], -1)       # some reach past the edges
    boxes[:, 3] = -1.0                                          # Keras's padding rows
    boxes[:, 4] = 0.0
    labels = rng.integers(0, 5, (batch, 5)).astype("int32")
    return images, masks, boxes.astype("float32"), labels


def _in_format(keras, boxes, fmt):
    """xyxy boxes in ``fmt`` through Keras's own converter (padding rows kept as they are)."""
    converted = to_numpy(keras.utils.bounding_boxes.convert_format(
        boxes, source="xyxy", target=fmt, height=H, width=W))
    padding = np.all(boxes == -1, -1) | np.all(boxes == 0, -1)
    return np.where(padding[..., None], boxes, converted).astype("float32")


def _pair(name, kwargs, fmt="xyxy"):
    keras = keras_or_skip()
    theirs = getattr(keras.layers, name)(bounding_box_format=fmt, **kwargs)
    return keras, theirs, OURS[name](bounding_box_format=fmt, **kwargs)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_boxes_match_keras(name, kwargs, fmt):
    keras, theirs, ours = _pair(name, kwargs, fmt)
    images, _, boxes, labels = _data(kwargs)
    boxes = _in_format(keras, boxes, fmt)
    expected = theirs.transform_bounding_boxes(
        {"boxes": keras.ops.convert_to_tensor(boxes),
         "labels": keras.ops.convert_to_tensor(labels)},
        theirs.get_random_transformation(keras.ops.convert_to_tensor(images)))
    out = ours.transform_bounding_boxes(
        {"boxes": ops.convert_to_tensor(boxes), "labels": ops.convert_to_tensor(labels)},
        ours.get_random_transformation(ops.convert_to_tensor(images)))
    np.testing.assert_allclose(ops.convert_to_numpy(out["boxes"]),
                               to_numpy(expected["boxes"]), rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(ops.convert_to_numpy(out["labels"]),
                                  to_numpy(expected["labels"]))


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_masks_match_keras(name, kwargs):
    keras, theirs, ours = _pair(name, kwargs)
    images, masks, _, _ = _data(kwargs)
    expected = theirs.transform_segmentation_masks(
        keras.ops.convert_to_tensor(masks),
        theirs.get_random_transformation(keras.ops.convert_to_tensor(images)))
    out = ours.transform_segmentation_masks(
        ops.convert_to_tensor(masks), ours.get_random_transformation(ops.convert_to_tensor(images)))
    np.testing.assert_allclose(ops.convert_to_numpy(out), to_numpy(expected), atol=1e-4)


@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("name, kwargs", CASES[::3] + CASES[7:], ids=IDS[::3] + IDS[7:])
def test_dict_call_matches_keras(name, kwargs, single):
    keras, theirs, ours = _pair(name, kwargs, "rel_xyxy")
    images, masks, boxes, labels = _data(kwargs, seed=1)
    boxes = _in_format(keras, boxes, "rel_xyxy")
    class_labels = np.arange(3, dtype="float32")
    data = {"images": images, "labels": class_labels, "segmentation_masks": masks,
            "bounding_boxes": {"boxes": boxes, "labels": labels}}
    if single:
        data = {"images": images[0], "labels": class_labels[:1], "segmentation_masks": masks[0],
                "bounding_boxes": {"boxes": boxes[0], "labels": labels[0]}}
    expected = theirs({k: v if k != "bounding_boxes" else
                       {b: keras.ops.convert_to_tensor(a) for b, a in v.items()}
                       for k, v in data.items()})
    out = ours(data)
    for key in ("images", "labels", "segmentation_masks"):
        np.testing.assert_allclose(ops.convert_to_numpy(out[key]), to_numpy(expected[key]),
                                   rtol=1e-5, atol=1e-3, err_msg=key)
    for key in ("boxes", "labels"):
        np.testing.assert_allclose(ops.convert_to_numpy(out["bounding_boxes"][key]),
                                   to_numpy(expected["bounding_boxes"][key]), atol=1e-5)
    # Not random: inference gives the same dict.
    again = ours(data, training=False)
    np.testing.assert_array_equal(ops.convert_to_numpy(again["bounding_boxes"]["boxes"]),
                                  ops.convert_to_numpy(out["bounding_boxes"]["boxes"]))


def _boxes_through(layer, image_shape, boxes, labels):
    data = {"images": np.zeros(image_shape, "float32"),
            "bounding_boxes": {"boxes": np.array(boxes, "float32"),
                               "labels": np.array(labels, "int32")}}
    out = layer(data)["bounding_boxes"]
    return ops.convert_to_numpy(out["boxes"]), ops.convert_to_numpy(out["labels"])


def test_resizing_boxes_by_hand():
    # 8x12 -> 4x6 halves every coordinate; the padding row stays zeros.
    boxes, labels = _boxes_through(Resizing(4, 6, bounding_box_format="xyxy"), (8, 12, 1),
                                   [[3, 2, 9, 6], [-1, -1, -1, -1]], [1, 2])
    np.testing.assert_allclose(boxes, [[1.5, 1, 4.5, 3], [0, 0, 0, 0]])
    np.testing.assert_array_equal(labels, [1, -1])
    # 8x16 -> 4x4 with crop_to_aspect_ratio: scale 1/2 (to 4x8), then 2 columns cut left.
    boxes, labels = _boxes_through(
        Resizing(4, 4, crop_to_aspect_ratio=True, bounding_box_format="xyxy"), (8, 16, 1),
        [[4, 2, 12, 6], [0, 0, 2, 2]], [3, 4])
    np.testing.assert_allclose(boxes, [[0, 1, 4, 3], [0, 0, 0, 1]])
    np.testing.assert_array_equal(labels, [3, -1])              # cut away: no area left


def test_center_crop_boxes_by_hand():
    # 8x10 -> 4x6: the window starts at row 2, column 2.
    boxes, labels = _boxes_through(CenterCrop(4, 6, bounding_box_format="xyxy"), (8, 10, 1),
                                   [[1, 1, 5, 5], [0, 0, 1, 1]], [1, 2])
    np.testing.assert_allclose(boxes, [[0, 0, 3, 3], [0, 0, 0, 0]])
    np.testing.assert_array_equal(labels, [1, -1])
    # 4x4 -> 8x4: crop columns 1..3 (aspect 2:1), then resize x2 in both directions.
    boxes, _ = _boxes_through(CenterCrop(8, 4, bounding_box_format="xyxy",
                                         data_format="channels_first"), (1, 4, 4),
                              [[1, 0, 3, 2]], [0])
    np.testing.assert_allclose(boxes, [[0, 0, 4, 4]])


def test_plain_images_unchanged_by_box_support():
    x = np.random.default_rng(2).uniform(0, 1, (2, 6, 8, 2)).astype("float32")
    for layer in (Resizing(3, 5), CenterCrop(4, 4)):
        np.testing.assert_array_equal(ops.convert_to_numpy(layer(x, training=False)),
                                      ops.convert_to_numpy(layer(x)))


@pytest.mark.parametrize("layer", [Resizing(3, 4, bounding_box_format="center_xywh"),
                                   CenterCrop(2, 2, bounding_box_format="rel_xyxy")])
def test_config_round_trip_keeps_box_format(layer):
    clone = deserialize(serialize(layer))
    assert clone.get_config() == layer.get_config()
    assert clone.bounding_box_format == layer.bounding_box_format


@pytest.mark.parametrize("cls", [Resizing, CenterCrop])
def test_errors_name_the_layer(cls):
    with pytest.raises(ValueError, match=cls.__name__):
        cls(2, 2, bounding_box_format="corners")
    boxes = {"boxes": np.zeros((1, 4), "float32"), "labels": np.zeros((1,), "int32")}
    with pytest.raises(ValueError, match=cls.__name__):
        cls(2, 2)({"images": np.zeros((4, 4, 3), "float32"), "bounding_boxes": boxes})
