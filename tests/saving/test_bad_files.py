"""Missing, foreign, truncated or mismatched files give a ValueError that names the file and
says what is wrong; a mismatched weights file assigns nothing."""

import json
import sys
import zipfile

import numpy as np
import pytest
from saving_fixtures import RNG, sequential_model

from gpulayers import layers as L
from gpulayers.models import Sequential, load_model

X = RNG.normal(size=(3, 6)).astype("float32")


def _weights_member(archive):
    """The weights member: HDF5 when h5py is installed, else .npz."""
    return next(name for name in archive.namelist() if name.startswith("model.weights."))


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.keras"
    sequential_model().save(path)
    return path


def test_missing_file(tmp_path):
    missing = tmp_path / "nothing.keras"
    with pytest.raises(ValueError, match=r"no such file: .*nothing\.keras"):
        load_model(missing)
    with pytest.raises(ValueError, match=r"no such file: .*nothing\.weights\.npz"):
        sequential_model().load_weights(tmp_path / "nothing.weights.npz")


def test_a_directory_is_not_a_model(tmp_path):
    (tmp_path / "folder.keras").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        load_model(tmp_path / "folder.keras")


def test_text_file(tmp_path):
    path = tmp_path / "notes.keras"
    path.write_text("just some text\n")
    with pytest.raises(ValueError, match=r"notes\.keras.* is not a valid \.keras model file"):
        load_model(path)


def test_zip_of_something_else(tmp_path):
    path = tmp_path / "photos.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday.jpg", b"\xff\xd8 not really")
    with pytest.raises(ValueError, match=r"photos\.keras.* has no config\.json"):
        load_model(path)


def test_archive_without_weights(tmp_path, good_file):
    path = tmp_path / "no_weights.keras"
    with zipfile.ZipFile(good_file) as source, zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", source.read("config.json"))
    with pytest.raises(ValueError, match=r"no_weights\.keras.* has no model\.weights\.npz"):
        load_model(path)


def test_config_that_is_not_json(tmp_path, good_file):
    path = tmp_path / "bad_config.keras"
    with zipfile.ZipFile(good_file) as source, zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", b"{not json")
        member = _weights_member(source)
        archive.writestr(member, source.read(member))
    with pytest.raises(ValueError, match=r"bad_config\.keras.*config\.json is not valid JSON"):
        load_model(path)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_truncated_file(tmp_path, good_file, fraction):
    data = good_file.read_bytes()
    path = tmp_path / "cut.keras"
    path.write_bytes(data[:int(len(data) * fraction)])
    with pytest.raises(ValueError,
                       match=r"cut\.keras.* (is not a valid \.keras model file|is damaged)"):
        load_model(path)


def test_corrupted_bytes_in_the_weights(tmp_path, good_file):
    data = bytearray(good_file.read_bytes())
    with zipfile.ZipFile(good_file) as archive:
        info = archive.getinfo(_weights_member(archive))
    middle = info.header_offset + 100 + info.compress_size // 2
    data[middle] ^= 0xFF
    path = tmp_path / "flipped.keras"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"flipped\.keras"):
        load_model(path)


@pytest.mark.parametrize("name", ["model.h5", "model.weights.h5", "model"])
def test_load_model_needs_the_keras_suffix(tmp_path, name):
    with pytest.raises(ValueError, match="expected a `.keras` extension"):
        load_model(tmp_path / name)


def test_save_needs_the_keras_suffix(tmp_path):
    with pytest.raises(ValueError, match="expected a `.keras` extension"):
        sequential_model().save(tmp_path / "model.h5")


@pytest.mark.parametrize("name", ["w.h5", "w.npz", "w.weights", "w.keras"])
def test_save_weights_lists_the_allowed_suffixes(tmp_path, name):
    with pytest.raises(ValueError, match=r"\['\.weights\.h5', '\.weights\.npz'\]"):
        sequential_model().save_weights(tmp_path / name)


def test_load_weights_suffix_and_foreign_content(tmp_path):
    model = sequential_model()
    with pytest.raises(ValueError, match="must end in one of"):
        model.load_weights(tmp_path / "w.bin")
    fake = tmp_path / "fake.weights.npz"
    fake.write_text("hello")
    with pytest.raises(ValueError, match=r"fake\.weights\.npz.* is not a valid \.weights\.npz"):
        model.load_weights(fake)


def test_foreign_h5_content(tmp_path):
    pytest.importorskip("h5py")
    fake = tmp_path / "fake.weights.h5"
    fake.write_text("hello")
    with pytest.raises(ValueError, match=r"fake\.weights\.h5.* is not a valid \.weights\.h5"):
        sequential_model().load_weights(fake)


def test_h5_without_h5py_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)  # makes `import h5py` fail
    with pytest.raises(ImportError, match=r'pip install "gpulayers\[h5\]"'):
        sequential_model().save_weights(tmp_path / "w.weights.h5")
    assert not (tmp_path / "w.weights.h5").exists()


def _dense_stack(*units):
    return Sequential([L.Input((6,))] + [L.Dense(u) for u in units])


def _weights(model):
    return [w.copy() for w in model.get_weights()]


@pytest.mark.parametrize(("saved", "loading", "message"), [
    ((4, 3), (5, 3), r"layer 'dense_\d+' \(weights path 'layers/dense'\): variable 0 "
                     r"'dense_\d+/kernel' has shape \(6, 5\), but the file's value has shape "
                     r"\(6, 4\)"),
    ((4, 3), (4,), r"the file has weights for objects this model does not have: "
                   r"\['layers/dense_1'\]"),
    ((4,), (4, 3), r"layer 'dense_\d+' \(weights path 'layers/dense_1'\) has 2 variables with "
                   r"shapes \[\(4, 3\), \(3,\)\], but the file has 0"),
])
def test_mismatched_weights_name_the_layer_and_assign_nothing(tmp_path, saved, loading,
                                                              message):
    _dense_stack(*saved).save_weights(tmp_path / "w.weights.npz")
    model = _dense_stack(*loading)
    before = _weights(model)
    with pytest.raises(ValueError, match=message) as error:
        model.load_weights(tmp_path / "w.weights.npz")
    assert "nothing was loaded" in str(error.value) and "w.weights.npz" in str(error.value)
    for old, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, now)


def test_skip_mismatch_loads_the_layers_that_fit(tmp_path):
    source = _dense_stack(4, 3)
    source.save_weights(tmp_path / "w.weights.npz")
    model = _dense_stack(4, 2)
    with pytest.warns(UserWarning, match=r"(?s)Skipped loading weights .*layers/dense_1"):
        model.load_weights(tmp_path / "w.weights.npz", skip_mismatch=True)
    for ours, theirs in zip(model.layers[0].get_weights(), source.layers[0].get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_load_model_with_other_weights_in_the_archive(tmp_path, good_file):
    """An archive whose weights do not fit its own config fails without a model."""
    path = tmp_path / "mixed.keras"
    other = tmp_path / "other.keras"
    _dense_stack(2).save(other)
    with zipfile.ZipFile(good_file) as config_source, zipfile.ZipFile(other) as weights_source, \
            zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", config_source.read("config.json"))
        member = _weights_member(weights_source)
        archive.writestr(member, weights_source.read(member))
    with pytest.raises(ValueError, match=r"mixed\.keras.* do not match model"):
        load_model(path)


def test_metadata_is_optional_and_unknown_class_is_named(tmp_path, good_file):
    config = json.loads(zipfile.ZipFile(good_file).read("config.json"))
    config["class_name"] = "NoSuchModel"
    path = tmp_path / "unknown.keras"
    with zipfile.ZipFile(good_file) as source, zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        member = _weights_member(source)
        archive.writestr(member, source.read(member))
    with pytest.raises(ValueError, match="unknown model class 'NoSuchModel'.*custom_objects"):
        load_model(path)
