"""Bounding boxes and segmentation masks through RandomCrop (Keras 3 dict inputs).

Keras 3.15 shifts the x coordinates by the row offset and y by the column offset and
neither clips nor scales the boxes, so these tests hold RandomCrop to the pixels instead:

* a filled rectangle drawn into each image: after the crop its pixel extent is exactly the
  returned box (random windows, both data formats, boxes cut by or outside the window);
* hand-computed boxes for the crop-and-resize branch (images smaller than the target);
* relative formats against the absolute result rescaled by hand;
* masks against Keras's ``transform_segmentation_masks`` for the same window;
* inference, single images, config and errors.
"""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing import RandomCrop


def _drawn(boxes, height, width):
    """(B, H, W, 1) images with each sample's xyxy integer box filled with ones."""
    images = np.zeros((len(boxes), height, width, 1), "float32")
    for image, (x1, y1, x2, y2) in zip(images, boxes.astype(int)):
        image[y1:y2, x1:x2] = 1.0
    return images


def _extent(image):
    """The xyxy box of the nonzero pixels of an (H, W) image."""
    rows, cols = np.nonzero(image)
    return [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_boxes_follow_the_pixels(seed, data_format):
    rng = np.random.default_rng(seed)
    height, width, batch = 20, 24, 6
    corner = rng.integers(0, [width - 2, height - 2], (batch, 2))
    size = rng.integers(1, 12, (batch, 2))
    boxes = np.concatenate([corner, np.minimum(corner + size, [width, height])], -1)
    images = _drawn(boxes.astype("float32"), height, width)
    if data_format == "channels_first":
        images = np.ascontiguousarray(np.moveaxis(images, -1, 1))
    layer = RandomCrop(9, 11, seed=seed, data_format=data_format, bounding_box_format="xyxy")
    out = layer({"images": images,
                 "bounding_boxes": {"boxes": boxes[:, None].astype("float32"),
                                    "labels": np.arange(batch, dtype="int32")[:, None]}},
                training=True)
    cropped = ops.convert_to_numpy(out["images"])
    cropped = cropped[:, 0] if data_format == "channels_first" else cropped[..., 0]
    moved = ops.convert_to_numpy(out["bounding_boxes"]["boxes"])[:, 0]
    labels = ops.convert_to_numpy(out["bounding_boxes"]["labels"])[:, 0]
    for index in range(batch):
        if cropped[index].any():
            np.testing.assert_allclose(moved[index], _extent(cropped[index]))
            assert labels[index] == index
        else:  # cut away: clipped to an empty box on the window's edge, label -1
            x1, y1, x2, y2 = moved[index]
            assert (x2 - x1) * (y2 - y1) == 0 and labels[index] == -1


def _through(layer, image_shape, boxes, labels=None, fmt_images=None):
    labels = np.arange(len(boxes), dtype="int32") if labels is None else labels
    out = layer({"images": np.zeros(image_shape, "float32"),
                 "bounding_boxes": {"boxes": np.array(boxes, "float32"),
                                    "labels": np.array(labels, "int32")}}, training=True)
    return (ops.convert_to_numpy(out["bounding_boxes"]["boxes"]),
            ops.convert_to_numpy(out["bounding_boxes"]["labels"]))


def test_crop_and_resize_branch_by_hand():
    # 4x8 image, 8x8 target: the aspect box starts at column 2, the slice keeps rows 0..3
    # and columns 2..7 (4x6), resized to 8x8: x scales by 8/6, y by 2.
    layer = RandomCrop(8, 8, seed=0, bounding_box_format="xyxy")
    boxes, labels = _through(layer, (4, 8, 1), [[2, 0, 5, 2], [0, 1, 2, 3], [0, 0, 1, 4]])
    np.testing.assert_allclose(boxes, [[0, 0, 4, 4], [0, 2, 0, 6], [0, 0, 0, 8]], atol=1e-5)
    np.testing.assert_array_equal(labels, [0, -1, -1])     # left of the window: no area


def test_relative_formats_are_relative_to_each_image():
    rng = np.random.default_rng(5)
    xyxy = np.sort(rng.uniform(0, 1, (2, 3, 4)), -1)[..., [0, 2, 1, 3]] * [30, 20, 30, 20]
    images = np.zeros((2, 20, 30, 3), "float32")
    absolute = RandomCrop(12, 16, seed=9, bounding_box_format="xyxy")
    relative = RandomCrop(12, 16, seed=9, bounding_box_format="rel_xyxy")
    labels = np.zeros((2, 3), "int32")
    out_abs = absolute({"images": images, "bounding_boxes": {
        "boxes": xyxy.astype("float32"), "labels": labels}})["bounding_boxes"]["boxes"]
    out_rel = relative({"images": images, "bounding_boxes": {
        "boxes": (xyxy / [30, 20, 30, 20]).astype("float32"),
        "labels": labels}})["bounding_boxes"]["boxes"]
    np.testing.assert_allclose(ops.convert_to_numpy(out_rel) * [16, 12, 16, 12],
                               ops.convert_to_numpy(out_abs), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("image_shape, target", [((2, 10, 12, 1), (6, 5)),
                                                 ((2, 4, 8, 1), (8, 8))])
def test_masks_match_keras_for_the_same_window(image_shape, target):
    keras = keras_or_skip()
    masks = np.random.default_rng(3).integers(0, 4, image_shape).astype("float32")
    ours = RandomCrop(*target, seed=2)
    window = ours.get_random_transformation(masks)
    theirs = keras.layers.RandomCrop(*target)
    expected = theirs.transform_segmentation_masks(keras.ops.convert_to_tensor(masks),
                                                   tuple(window))
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours.transform_segmentation_masks(masks, window)),
        to_numpy(expected), atol=1e-4)


def test_masks_move_with_the_images_in_a_dict_call():
    images = np.random.default_rng(4).uniform(0, 1, (3, 14, 15, 3)).astype("float32")
    out = RandomCrop(7, 9, seed=1)({"images": images, "segmentation_masks": images[..., :1]})
    np.testing.assert_array_equal(ops.convert_to_numpy(out["segmentation_masks"]),
                                  ops.convert_to_numpy(out["images"])[..., :1])


def test_single_image_and_inference():
    layer = RandomCrop(3, 3, seed=0, bounding_box_format="xyxy")
    boxes, labels = _through(layer, (3, 3, 1), [[1, 1, 2, 2], [-1, -1, -1, -1]], [4, 5])
    np.testing.assert_allclose(boxes, [[1, 1, 2, 2], [0, 0, 0, 0]])   # whole image kept
    np.testing.assert_array_equal(labels, [4, -1])
    data = {"images": np.zeros((6, 6, 1), "float32"),
            "bounding_boxes": {"boxes": np.array([[1, 1, 5, 5]], "float32"),
                               "labels": np.array([2], "int32")}}
    out = layer(data, training=False)
    assert out["images"].shape == (6, 6, 1)
    np.testing.assert_array_equal(ops.convert_to_numpy(out["bounding_boxes"]["boxes"]),
                                  [[1, 1, 5, 5]])


def test_transformation_unpacks_like_keras_and_config_keeps_the_format():
    layer = RandomCrop(4, 4, seed=3, bounding_box_format="center_xywh")
    h_start, w_start = layer.get_random_transformation(np.zeros((1, 10, 9, 3), "float32"))
    assert 0 <= h_start <= 6 and 0 <= w_start <= 5
    clone = deserialize(serialize(layer))
    assert clone.get_config() == layer.get_config()
    assert clone.bounding_box_format == "center_xywh"


def test_errors_name_the_layer():
    layer = RandomCrop(2, 2, bounding_box_format="xyxy")
    boxes = {"boxes": np.zeros((1, 1, 4), "float32"), "labels": np.zeros((1, 1), "int32")}
    with pytest.raises(ValueError, match="RandomCrop"):
        layer.transform_bounding_boxes(boxes, (0, 0))
    with pytest.raises(ValueError, match="RandomCrop"):
        RandomCrop(2, 2)({"images": np.zeros((4, 4, 3), "float32"), "bounding_boxes": boxes})
