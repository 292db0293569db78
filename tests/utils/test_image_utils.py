"""array_to_img / img_to_array / load_img / save_img against Keras 3's own functions (both
on Pillow), and the ImportError without Pillow."""

import io
import sys

import numpy as np
import pytest
from keras_available import keras_or_skip

from gpulayers.utils.image_utils import array_to_img, img_to_array, load_img, save_img

RNG = np.random.default_rng(0)


def _pil():
    return pytest.importorskip("PIL.Image", reason="Pillow (optional dependency) is not "
                                                   "installed")


@pytest.mark.parametrize("shape, data_format", [
    ((6, 5, 3), "channels_last"), ((6, 5, 4), "channels_last"), ((6, 5, 1), "channels_last"),
    ((3, 6, 5), "channels_first"),
])
@pytest.mark.parametrize("scale", [True, False])
def test_array_to_img_and_back_match_keras(shape, data_format, scale):
    _pil()
    keras = keras_or_skip()
    x = RNG.uniform(0, 255, size=shape).astype("float32")
    ours = array_to_img(x, data_format=data_format, scale=scale)
    theirs = keras.utils.array_to_img(x, data_format=data_format, scale=scale)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    back = img_to_array(ours, data_format=data_format)
    np.testing.assert_array_equal(back, keras.utils.img_to_array(theirs,
                                                                 data_format=data_format))
    assert back.dtype == np.float32 and back.shape == shape


def test_large_grayscale_values_give_32_bit_image():
    _pil()
    keras = keras_or_skip()
    x = np.arange(12, dtype="float32").reshape(3, 4, 1) * 100
    ours = array_to_img(x, scale=False)
    assert ours.mode == keras.utils.array_to_img(x, scale=False).mode == "I"
    np.testing.assert_array_equal(img_to_array(ours, dtype="int32")[..., 0], x[..., 0])


@pytest.mark.parametrize("color_mode", ["rgb", "rgba", "grayscale"])
@pytest.mark.parametrize("target_size, interpolation, keep", [
    (None, "nearest", False), ((4, 7), "bilinear", False), ((5, 5), "nearest", True),
    ((3, 8), "bicubic", True),
])
def test_save_and_load_match_keras(tmp_path, color_mode, target_size, interpolation, keep):
    _pil()
    keras = keras_or_skip()
    x = RNG.uniform(0, 255, size=(9, 12, 3)).astype("float32")
    path = str(tmp_path / "image.png")
    save_img(path, x, scale=False)
    keras_path = str(tmp_path / "keras.png")
    keras.utils.save_img(keras_path, x, scale=False)
    np.testing.assert_array_equal(np.asarray(load_img(path)), np.asarray(load_img(keras_path)))
    ours = load_img(path, color_mode=color_mode, target_size=target_size,
                    interpolation=interpolation, keep_aspect_ratio=keep)
    theirs = keras.utils.load_img(path, color_mode=color_mode, target_size=target_size,
                                  interpolation=interpolation, keep_aspect_ratio=keep)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_round_trip_through_file_object_and_jpeg_rgba(tmp_path):
    _pil()
    x = RNG.integers(0, 256, size=(4, 4, 3)).astype("float32")
    stream = io.BytesIO()
    save_img(stream, x, file_format="png", scale=False)
    stream.seek(0)
    np.testing.assert_array_equal(img_to_array(load_img(stream)), x)
    with pytest.warns(UserWarning, match="RGBA"):
        save_img(str(tmp_path / "a.jpg"), np.ones((4, 4, 4)))
    assert load_img(str(tmp_path / "a.jpg")).mode == "RGB"


def test_bad_arguments(tmp_path):
    _pil()
    with pytest.raises(ValueError, match="rank 3"):
        array_to_img(np.ones((4, 4)))
    with pytest.raises(ValueError, match="channels"):
        array_to_img(np.ones((4, 4, 2)))
    with pytest.raises(ValueError, match="unsupported image shape"):
        img_to_array(np.ones((2, 2, 2, 2)))
    save_img(str(tmp_path / "a.png"), np.ones((4, 4, 3)))
    with pytest.raises(ValueError, match="color_mode"):
        load_img(str(tmp_path / "a.png"), color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation"):
        load_img(str(tmp_path / "a.png"), target_size=(2, 2), interpolation="cubic")
    with pytest.raises(TypeError, match="path"):
        load_img(123)


def test_missing_pillow_raises_import_error_with_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        array_to_img(np.ones((2, 2, 3)))
    with pytest.raises(ImportError, match="load_img requires Pillow"):
        load_img(io.BytesIO(b""))
