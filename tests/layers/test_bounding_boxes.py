"""gpulayers' bounding-box utilities against Keras 3.15's ``keras.utils.bounding_boxes`` on
the same inputs, plus hand-computed cases and the MaxNumBoundingBoxes layer."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.layers.preprocessing import bounding_boxes as bb
from gpulayers.layers.preprocessing.max_num_bounding_boxes import MaxNumBoundingBoxes

FORMATS = bb.SUPPORTED_FORMATS


def _boxes(shape=(2, 5), seed=0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 40, size=shape + (2,))
    wh = rng.uniform(1, 30, size=shape + (2,))
    return np.concatenate([xy, xy + wh], axis=-1).astype("float32")      # xyxy


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("source", FORMATS)
@pytest.mark.parametrize("target", FORMATS)
def test_convert_format_matches_keras(source, target):
    keras = keras_or_skip()
    # Express the same boxes in `source` first (through Keras), then convert both ways.
    boxes = to_numpy(keras.utils.bounding_boxes.convert_format(
        _boxes(), "xyxy", source, height=50, width=70))
    expected = to_numpy(keras.utils.bounding_boxes.convert_format(
        boxes.copy(), source, target, height=50, width=70))
    got = _np(bb.convert_format(boxes, source, target, height=50, width=70))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-5)
    assert got.dtype == np.float32


def test_convert_format_hand_values():
    boxes = np.array([[10, 20, 30, 40]], "float32")
    np.testing.assert_allclose(_np(bb.convert_format(boxes, "xyxy", "xywh")), [[10, 20, 20, 20]])
    np.testing.assert_allclose(_np(bb.convert_format(boxes, "XYXY", "center_yxhw")),
                               [[30, 20, 20, 20]])
    np.testing.assert_allclose(
        _np(bb.convert_format(boxes, "xyxy", "rel_yxyx", height=200, width=100)),
        [[0.1, 0.1, 0.2, 0.3]], rtol=1e-6)
    d = {"boxes": boxes, "labels": np.array([3])}
    out = bb.convert_format(d, "xyxy", "yxyx")
    np.testing.assert_allclose(_np(out["boxes"]), [[20, 10, 40, 30]])


def test_convert_format_errors():
    with pytest.raises(ValueError, match="last dimension of 4"):
        bb.convert_format(np.zeros((2, 3)), "xyxy", "xywh")
    with pytest.raises(ValueError, match="bogus"):
        bb.convert_format(np.zeros((2, 4)), "xyxy", "bogus")
    with pytest.raises(ValueError, match="height"):
        bb.convert_format(np.zeros((2, 4)), "xyxy", "rel_xyxy")


@pytest.mark.parametrize("fmt", ["xyxy", "rel_xyxy"])
def test_clip_to_image_size_matches_keras(fmt):
    keras = keras_or_skip()
    boxes = np.array([[[-10, -20, 150, 160], [50, 40, 70, 80], [130, 5, 140, 9]]], "float32")
    if fmt == "rel_xyxy":
        boxes = boxes / np.array([120, 100, 120, 100], "float32")
    labels = np.array([[0, 1, 2]], "int32")
    expected = keras.utils.bounding_boxes.clip_to_image_size(
        {"boxes": boxes.copy(), "labels": labels.copy()}, height=100, width=120,
        bounding_box_format=fmt)
    got = bb.clip_to_image_size({"boxes": boxes, "labels": labels}, height=100, width=120,
                                bounding_box_format=fmt)
    np.testing.assert_allclose(_np(got["boxes"]), to_numpy(expected["boxes"]), rtol=1e-6)
    np.testing.assert_array_equal(_np(got["labels"]), to_numpy(expected["labels"]))
    assert _np(got["labels"]).tolist() == [[0, 1, -1]]        # the third box lies outside


def test_clip_requires_size():
    with pytest.raises(ValueError, match="height"):
        bb.clip_to_image_size({"boxes": np.zeros((1, 4))})


def test_crop_and_pad_match_keras():
    keras = keras_or_skip()
    boxes = _boxes()
    np.testing.assert_allclose(
        _np(bb.crop(boxes, top=10, left=20, height=40, width=30)),
        to_numpy(keras.utils.bounding_boxes.crop(boxes.copy(), top=10, left=20, height=40,
                                                 width=30)), rtol=1e-6)
    np.testing.assert_allclose(_np(bb.pad(boxes, top=3, left=7)),
                               to_numpy(keras.utils.bounding_boxes.pad(boxes.copy(), 3, 7)))
    np.testing.assert_allclose(_np(bb.crop([[10, 20, 50, 60]], 10, 20, 40, 30)),
                               [[0, 10, 30, 40]])


@pytest.mark.parametrize("params", [
    dict(angle=[30.0, -45.0], translate_x=[0.1, -0.2], translate_y=[0.0, 0.3],
         scale=[1.0, 1.0], shear_x=[0.0, 0.0], shear_y=[0.0, 0.0]),
    dict(angle=[0.0, 10.0], translate_x=[0.0, 0.0], translate_y=[0.0, 0.0],
         scale=[0.8, 1.3], shear_x=[20.0, -15.0], shear_y=[-10.0, 5.0]),
])
def test_affine_transform_matches_keras(params):
    keras = keras_or_skip()
    boxes = _boxes()
    args = {k: np.array(v, "float32") for k, v in params.items()}
    import torch
    expected = keras.utils.bounding_boxes.affine_transform(
        torch.tensor(boxes), **{k: torch.tensor(v) for k, v in args.items()},
        height=50, width=70)
    got = bb.affine_transform(boxes, **args, height=50, width=70)
    np.testing.assert_allclose(_np(got), to_numpy(expected), rtol=1e-5, atol=1e-3)


def test_affine_transform_pure_translation_by_hand():
    boxes = np.array([[[10, 20, 30, 40]]], "float32")
    z = np.zeros(1, "float32")
    got = bb.affine_transform(boxes, z, np.array([0.5], "float32"), z, np.ones(1, "float32"),
                              z, z, height=11, width=21)
    np.testing.assert_allclose(_np(got), [[[20, 20, 40, 40]]], atol=1e-4)   # 0.5 * (21 - 1)


@pytest.mark.parametrize("variance", [None, [0.1, 0.1, 0.2, 0.2]])
@pytest.mark.parametrize("encoding", ["center_yxhw", "center_xywh"])
def test_deltas_match_keras(variance, encoding):
    keras = keras_or_skip()
    anchors, boxes = _boxes((6,), seed=1), _boxes((2, 6), seed=2)
    kb = keras.utils.bounding_boxes
    expected = kb.encode_box_to_deltas(anchors.copy(), boxes.copy(), "xyxy", "xyxy",
                                       encoding, variance=variance)
    got = bb.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", encoding, variance=variance)
    np.testing.assert_allclose(_np(got), to_numpy(expected), rtol=1e-5, atol=1e-6)
    decoded = bb.decode_deltas_to_boxes(anchors, _np(got), "xyxy", "xyxy", encoding,
                                        variance=variance)
    np.testing.assert_allclose(_np(decoded), boxes, rtol=1e-5, atol=1e-4)
    import torch
    expected_dec = kb.decode_deltas_to_boxes(anchors.copy(), torch.tensor(_np(got)), "xyxy",
                                             "rel_xyxy",
                                             encoding, variance=variance,
                                             image_shape=(50, 70, 3))
    got_dec = bb.decode_deltas_to_boxes({"p3": anchors}, {"p3": _np(got)}, "xyxy", "rel_xyxy",
                                        encoding, variance=variance, image_shape=(50, 70, 3))
    np.testing.assert_allclose(_np(got_dec["p3"]), to_numpy(expected_dec), rtol=1e-5,
                               atol=1e-6)


def test_delta_errors():
    with pytest.raises(ValueError, match="variance"):
        bb.encode_box_to_deltas(_boxes((2,)), _boxes((2,)), "xyxy", "xyxy", variance=[1, 2])
    with pytest.raises(ValueError, match="encoding_format"):
        bb.encode_box_to_deltas(_boxes((2,)), _boxes((2,)), "xyxy", "xyxy", "xyxy")


def test_densify_ragged_lists_and_validation():
    out = bb.densify_bounding_boxes(
        {"boxes": [[[1, 2, 3, 4]], [[5, 6, 7, 8], [1, 1, 2, 2]]], "labels": [[1], [2, 3]]},
        is_batched=True)
    np.testing.assert_array_equal(_np(out["boxes"]),
                                  [[[1, 2, 3, 4], [0, 0, 0, 0]], [[5, 6, 7, 8], [1, 1, 2, 2]]])
    np.testing.assert_array_equal(_np(out["labels"]), [[1, -1], [2, 3]])
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        bb.validate_bounding_boxes({"boxes": np.zeros((1, 4))})
    with pytest.raises(ValueError, match="must have shape"):
        bb.validate_bounding_boxes({"boxes": np.zeros((2, 1, 1, 4)), "labels": np.zeros(2)})
    with pytest.raises(ValueError, match="rank 1 or 2"):
        bb.validate_bounding_boxes({"boxes": np.zeros((2, 4)), "labels": np.zeros((1, 1, 2))})


def _box_input(batch=2, n=5, single=False):
    images = np.random.default_rng(0).uniform(0, 255, (batch, 6, 5, 3)).astype("float32")
    boxes = _boxes((batch, n))
    labels = np.arange(batch * n, dtype="int64").reshape(batch, n)
    if single:
        images, boxes, labels = images[0], boxes[0], labels[0]
    return {"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}}


@pytest.mark.parametrize("max_number", [3, 5, 8])
@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("training", [True, False])
def test_max_num_bounding_boxes_matches_keras(max_number, single, training):
    keras = keras_or_skip()
    ours = MaxNumBoundingBoxes(max_number, fill_value=-2, bounding_box_format="xyxy")
    theirs = keras.layers.MaxNumBoundingBoxes(max_number, fill_value=-2,
                                              bounding_box_format="xyxy")
    data = _box_input(single=single)
    expected = theirs({"images": data["images"].copy(),
                       "bounding_boxes": {k: v.copy() for k, v in
                                          data["bounding_boxes"].items()}}, training=training)
    got = ours(data, training=training)
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(_np(got["bounding_boxes"][key]),
                                      to_numpy(expected["bounding_boxes"][key]))
    np.testing.assert_array_equal(_np(got["images"]), data["images"])
    n = min(max_number, 5)
    assert _np(got["bounding_boxes"]["boxes"]).shape[-2] == max_number
    np.testing.assert_array_equal(_np(got["bounding_boxes"]["boxes"])[..., n:, :], -2)


def test_max_num_bounding_boxes_by_hand_and_config():
    layer = MaxNumBoundingBoxes(4, bounding_box_format="xyxy", name="mnb")
    boxes = np.array([[[1, 2, 3, 4], [5, 6, 7, 8]]], "float32")
    out = layer({"images": np.zeros((1, 4, 4, 3), "uint8"),
                 "bounding_boxes": {"boxes": boxes, "labels": np.array([[7, 9]])}})
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["boxes"]),
                                  [[[1, 2, 3, 4], [5, 6, 7, 8], [-1] * 4, [-1] * 4]])
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["labels"]), [[7, 9, -1, -1]])
    assert _np(out["images"]).dtype == np.uint8            # images pass untouched
    config = layer.get_config()
    assert config["max_number"] == 4 and config["bounding_box_format"] == "xyxy"
    clone = MaxNumBoundingBoxes.from_config(config)
    assert clone.get_config() == config
    shape = layer.compute_output_shape({"images": (2, 4, 4, 3), "bounding_boxes": {
        "boxes": (2, 7, 4), "labels": (2, 7)}})
    assert shape["bounding_boxes"] == {"boxes": [2, 4, 4], "labels": [2, 4]}


def test_max_num_bounding_boxes_errors():
    with pytest.raises(ValueError, match="MaxNumBoundingBoxes.*max_number"):
        MaxNumBoundingBoxes(0)
    with pytest.raises(ValueError, match="bounding_box_format"):
        MaxNumBoundingBoxes(3, bounding_box_format="bogus")
    with pytest.raises(ValueError, match="bounding_box_format"):
        MaxNumBoundingBoxes(3)({"images": np.zeros((1, 4, 4, 3)), "bounding_boxes": {
            "boxes": np.zeros((1, 2, 4)), "labels": np.zeros((1, 2))}})
    with pytest.raises(KeyError, match="extra"):
        MaxNumBoundingBoxes(3).compute_output_shape({"bounding_boxes": {
            "boxes": (1, 2, 4), "labels": (1, 2), "extra": (1,)}})
