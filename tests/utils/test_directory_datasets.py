"""image_dataset_from_directory and text_dataset_from_directory on tiny generated folders.

The file order, labels and class names are compared with Keras 3's own ``index_directory``
and ``get_training_or_validation_split`` (they run without TensorFlow); each image with
Keras's per-image loader of its non-tf.data path (Pillow decode + ``ops.image.resize``).
"""

import os

import numpy as np
import pytest
from keras_available import keras_or_skip

from gpulayers.utils import PyDataset
from gpulayers.utils.image_dataset import ALLOWLIST_FORMATS, image_dataset_from_directory
from gpulayers.utils.text_dataset import text_dataset_from_directory

CLASSES = {"cats": 3, "dogs": 4, "eels": 2}


def _pil():
    return pytest.importorskip("PIL.Image", reason="Pillow (optional dependency) is not "
                                                   "installed")


@pytest.fixture
def image_dir(tmp_path):
    image = _pil()
    rng = np.random.default_rng(1)
    for name, count in CLASSES.items():
        os.makedirs(tmp_path / name / "nested")
        for index in range(count):
            height, width = 6 + index, 9 - index        # sizes differ: resizing matters
            pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
            folder = tmp_path / name / ("nested" if index == 1 else "")
            image.fromarray(pixels).save(folder / f"img{index}.png")
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    os.makedirs(tmp_path / ".hidden")
    return tmp_path


@pytest.fixture
def text_dir(tmp_path):
    for name in ("neg", "pos"):
        os.makedirs(tmp_path / name)
        for index in range(3):
            (tmp_path / name / f"t{index}.txt").write_text(f"{name} text number {index} é")
    (tmp_path / "pos" / "skip.md").write_text("ignored")
    return tmp_path


def _keras_index(directory, formats, shuffle=True, seed=5, split=None, subset=None,
                 labels="inferred", class_names=None):
    keras_or_skip()
    from keras.src.utils import dataset_utils

    paths, labels, names = dataset_utils.index_directory(
        str(directory), labels, formats=formats, class_names=class_names, shuffle=shuffle,
        seed=seed, verbose=False)
    if split:
        paths, labels = dataset_utils.get_training_or_validation_split(paths, labels, split,
                                                                       subset)
    return paths, labels, names


def _batches(dataset):
    return [dataset[i] for i in range(len(dataset))]


@pytest.mark.parametrize("shuffle", [True, False])
def test_images_labels_and_order_match_keras(image_dir, shuffle):
    paths, labels, names = _keras_index(image_dir, ALLOWLIST_FORMATS, shuffle=shuffle)
    dataset = image_dataset_from_directory(image_dir, image_size=(5, 4), batch_size=4,
                                           shuffle=shuffle, seed=5, verbose=False)
    assert isinstance(dataset, PyDataset)
    assert dataset.class_names == names == ["cats", "dogs", "eels"]
    assert dataset.file_paths == paths
    batches = _batches(dataset)
    assert [len(x) for x, _ in batches] == [4, 4, 1]
    images = np.concatenate([x for x, _ in batches])
    ids = np.concatenate([y for _, y in batches])
    np.testing.assert_array_equal(ids, labels)
    assert images.dtype == np.float32 and ids.dtype == np.int32
    from keras.src.utils.image_dataset_utils import _load_image_grain

    for image, path in zip(images, paths):
        expected = _load_image_grain(path, (5, 4), 3, "bilinear", "channels_last")
        np.testing.assert_allclose(image, np.asarray(expected), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("options", [
    {"color_mode": "grayscale", "interpolation": "nearest"},
    {"color_mode": "rgba", "crop_to_aspect_ratio": True},
    {"color_mode": "rgb", "pad_to_aspect_ratio": True},
    {"color_mode": "rgb", "data_format": "channels_first"},
])
def test_image_options_match_keras_loader(image_dir, options):
    keras_or_skip()
    from keras.src.utils.image_dataset_utils import _load_image_grain

    dataset = image_dataset_from_directory(image_dir, image_size=(6, 3), batch_size=None,
                                           seed=2, verbose=False, **options)
    channels = {"grayscale": 1, "rgb": 3, "rgba": 4}[options["color_mode"]]
    for index in (0, 4):
        image, label = dataset[index]
        assert np.ndim(label) == 0
        expected = _load_image_grain(
            dataset.file_paths[index], (6, 3), channels,
            options.get("interpolation", "bilinear"), options.get("data_format",
                                                                  "channels_last"),
            crop_to_aspect_ratio=options.get("crop_to_aspect_ratio", False),
            pad_to_aspect_ratio=options.get("pad_to_aspect_ratio", False))
        np.testing.assert_allclose(image, np.asarray(expected), rtol=1e-5, atol=1e-3)


def test_label_modes_and_validation_split(image_dir):
    paths, labels, _ = _keras_index(image_dir, ALLOWLIST_FORMATS, seed=9, split=0.3,
                                    subset="validation")
    train, val = image_dataset_from_directory(image_dir, label_mode="categorical",
                                              image_size=4, batch_size=2, seed=9,
                                              validation_split=0.3, subset="both",
                                              verbose=False)
    assert val.file_paths == paths and len(train.file_paths) + len(paths) == 9
    assert not set(train.file_paths) & set(val.file_paths)
    one_hot = np.concatenate([y for _, y in _batches(val)])
    np.testing.assert_array_equal(one_hot, np.eye(3, dtype="float32")[labels])
    images_only = image_dataset_from_directory(image_dir, labels=None, image_size=(2, 2),
                                               batch_size=9, verbose=False)
    assert images_only[0].shape == (9, 2, 2, 3) and images_only.class_names is None
    binary = image_dataset_from_directory(image_dir, class_names=["eels", "cats"],
                                          label_mode="binary", image_size=(2, 2),
                                          shuffle=False, verbose=False)
    _, y = binary[0]
    np.testing.assert_array_equal(y, [[0.0]] * 2 + [[1.0]] * 3)  # eels first, as given


def test_explicit_labels_and_verbose_messages(image_dir, capsys):
    paths, labels, names = _keras_index(image_dir, ALLOWLIST_FORMATS, seed=4,
                                        labels=list(range(9))[::-1])
    dataset = image_dataset_from_directory(image_dir, labels=list(range(9))[::-1],
                                           image_size=(2, 2), seed=4, batch_size=9)
    assert dataset.file_paths == paths and dataset.class_names == names
    np.testing.assert_array_equal(dataset[0][1], labels)
    assert "Found 9 files belonging to 9 classes." in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, match", [
    ({"label_mode": "sparse"}, "label_mode"),
    ({"color_mode": "cmyk"}, "color_mode"),
    ({"image_size": (2, 2, 2)}, "image_size"),
    ({"interpolation": "bicubic"}, "not implemented"),
    ({"interpolation": "fancy"}, "unknown"),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "only one"),
    ({"validation_split": 0.2}, "subset"),
    ({"validation_split": 0.2, "subset": "training"}, "seed"),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, "between 0 and 1"),
    ({"label_mode": "binary"}, "exactly 2"),
    ({"class_names": ["cats", "wolves"]}, "class_names"),
    ({"labels": "folders"}, "labels"),
    ({"batch_size": 0}, "batch_size"),
])
def test_image_bad_arguments(image_dir, kwargs, match):
    with pytest.raises(ValueError, match=match):
        image_dataset_from_directory(image_dir, verbose=False, **kwargs)


def test_empty_or_missing_directory(tmp_path):
    _pil()
    with pytest.raises(ValueError, match="no files found"):
        image_dataset_from_directory(tmp_path, verbose=False)
    with pytest.raises(ValueError, match="existing folder"):
        image_dataset_from_directory(tmp_path / "absent", verbose=False)


def test_text_dataset_matches_keras_order(text_dir):
    paths, labels, names = _keras_index(text_dir, (".txt",), seed=3)
    dataset = text_dataset_from_directory(text_dir, batch_size=4, seed=3, max_length=8,
                                          verbose=False)
    assert dataset.class_names == names == ["neg", "pos"] and dataset.file_paths == paths
    texts = np.concatenate([x for x, _ in _batches(dataset)])
    expected = []
    for path in paths:
        with open(path, encoding="utf-8") as stream:
            expected.append(stream.read()[:8])
    assert list(texts) == expected and all(isinstance(t, str) for t in texts)
    np.testing.assert_array_equal(np.concatenate([y for _, y in _batches(dataset)]), labels)


def test_text_binary_labels_split_and_unbatched(text_dir):
    train = text_dataset_from_directory(text_dir, label_mode="binary", seed=1,
                                        validation_split=0.5, subset="training",
                                        verbose=False)
    assert len(train.file_paths) == 3
    _, y = train[0]
    assert y.shape == (3, 1) and y.dtype == np.float32
    single = text_dataset_from_directory(text_dir, labels=None, batch_size=None,
                                         shuffle=False, verbose=False)
    assert single[0] == "neg text number 0 é" and len(single) == 6
    with pytest.raises(ValueError, match="max_length"):
        text_dataset_from_directory(text_dir, max_length=-1)


def test_missing_pillow_raises_import_error(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        image_dataset_from_directory(tmp_path, verbose=False)
