"""model.save -> load_model gives the same config, weights and predictions; save_weights ->
load_weights (HDF5 and npz) restores a fresh model of the same architecture."""

import json
import zipfile

import numpy as np
import pytest
from saving_fixtures import (
    RNG,
    TwoTowers,
    assert_same_outputs,
    assert_same_weights,
    conv_rnn_model,
    functional_inputs,
    functional_model,
    sequential_model,
    subclassed_model,
)

from gpulayers.models import Functional, Sequential, load_model
from gpulayers.saving.object_paths import saveable_objects

CUSTOM = {"TwoTowers": TwoTowers}


def _round_trip(model, tmp_path, custom_objects=None):
    path = tmp_path / "model.keras"
    model.save(path)
    return load_model(path, custom_objects=custom_objects)


@pytest.mark.parametrize("build", [sequential_model, conv_rnn_model])
def test_sequential_round_trip(tmp_path, build):
    model = build()
    x = RNG.normal(size=(5, *model.layers[0]._inbound_nodes[0].input_tensors[0].shape[1:]))
    x = x.astype("float32")
    loaded = _round_trip(model, tmp_path)
    assert type(loaded) is Sequential
    assert loaded.get_config() == model.get_config()
    assert_same_weights(model, loaded)
    assert_same_outputs(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


def test_functional_round_trip_with_shared_layer_nested_model_and_two_outputs(tmp_path):
    model = functional_model()
    x = functional_inputs()
    loaded = _round_trip(model, tmp_path)
    assert isinstance(loaded, Functional)
    assert loaded.get_config() == model.get_config()
    assert_same_weights(model, loaded)
    assert_same_outputs(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    # The nested model's weights live under its own path, its layers below it.
    paths = [s.path for s in saveable_objects(loaded) if s.variables]
    assert "layers/functional/layers/dense" in paths


def test_subclassed_round_trip_builds_from_build_config(tmp_path):
    model = subclassed_model()
    x = RNG.normal(size=(3, 6)).astype("float32")
    loaded = _round_trip(model, tmp_path, CUSTOM)
    assert type(loaded) is TwoTowers and loaded.units == 4
    assert loaded.get_config() == model.get_config()
    assert_same_weights(model, loaded)
    assert_same_outputs(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    with zipfile.ZipFile(tmp_path / "model.keras") as archive:
        config = json.loads(archive.read("config.json"))
    assert config["build_config"] == {"input_shape": [1, 6]}
    assert config["registered_name"] == "TwoTowers"


@pytest.mark.parametrize("with_h5py", [True, False])
def test_archive_members_and_metadata(tmp_path, monkeypatch, with_h5py):
    import gpulayers
    from gpulayers.backend import array_files

    if with_h5py:
        pytest.importorskip("h5py", reason="h5py (the HDF5 extra) is not installed")
    else:
        monkeypatch.setattr(array_files, "h5py_available", lambda: False)
    model = sequential_model()
    model.save(tmp_path / "m.keras")
    weights = "model.weights.h5" if with_h5py else "model.weights.npz"
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert archive.namelist() == ["metadata.json", "config.json", weights]
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
    assert metadata["gpulayers_version"] == gpulayers.__version__
    assert set(metadata) == {"keras_version", "gpulayers_version", "date_saved"}
    assert set(config) == {"module", "class_name", "config", "registered_name",
                           "build_config", "compile_config"}
    assert config["class_name"] == "Sequential" and config["compile_config"] is None
    assert config["build_config"] == {"input_shape": [None, 6]}
    # Keras's module names, so that Keras 3 can load the file too
    assert config["module"] == "keras"
    assert {layer["module"] for layer in config["config"]["layers"]} == {"keras.layers"}
    x = np.ones((2, 6), "float32")
    np.testing.assert_array_equal(load_model(tmp_path / "m.keras").predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_compile_config_is_restored(tmp_path):
    model = sequential_model()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    loaded = _round_trip(model, tmp_path)
    assert loaded.compiled
    assert loaded.get_compile_config() == model.get_compile_config()
    uncompiled = load_model(tmp_path / "model.keras", compile=False)
    assert not getattr(uncompiled, "compiled", False)


@pytest.mark.parametrize("suffix", [".weights.h5", ".weights.npz"])
def test_weights_round_trip_into_a_fresh_model(tmp_path, suffix):
    pytest.importorskip("h5py") if suffix.endswith("h5") else None
    model = functional_model()
    path = tmp_path / f"w{suffix}"
    model.save_weights(path)
    fresh = functional_model()
    fresh.load_weights(path)
    assert_same_weights(model, fresh)
    x = functional_inputs()
    assert_same_outputs(model.predict(x, verbose=0), fresh.predict(x, verbose=0))


def test_weights_can_be_loaded_from_a_keras_file(tmp_path):
    model = subclassed_model()
    model.save(tmp_path / "m.keras")
    fresh = subclassed_model()
    fresh.load_weights(tmp_path / "m.keras")
    assert_same_weights(model, fresh)


def test_npz_keys_are_keras_weight_paths(tmp_path):
    model = conv_rnn_model()
    model.save_weights(tmp_path / "w.weights.npz")
    with np.load(tmp_path / "w.weights.npz") as stored:
        keys = set(stored.files)
    assert keys == {"layers/conv2d/vars/0", "layers/conv2d/vars/1",
                    *(f"layers/batch_normalization/vars/{i}" for i in range(4)),
                    *(f"layers/lstm/cell/vars/{i}" for i in range(3)),
                    "layers/dense/vars/0", "layers/dense/vars/1"}


def test_h5_layout_is_keras_layout(tmp_path):
    h5py = pytest.importorskip("h5py")
    model = conv_rnn_model()
    model.compile(optimizer="sgd", loss="mse")
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as h5:
        assert h5["layers/lstm/cell/vars"].attrs["name"] == model.layers[3].cell.name
        np.testing.assert_array_equal(h5["layers/dense/vars/0"][()],
                                      model.layers[-1].get_weights()[0])
        # iterations, then the learning rate (Keras keeps it in a variable); SGD: no slots
        assert sorted(h5["optimizer/vars"]) == ["0", "1"]
        assert h5["optimizer/vars/1"][()] == pytest.approx(0.01)


def test_saving_before_building_warns_like_keras(tmp_path):
    model = Sequential([])
    with pytest.warns(UserWarning, match="not been built"):
        model.save(tmp_path / "empty.keras")
    with pytest.raises(ValueError, match="not been built"):
        model.save_weights(tmp_path / "empty.weights.npz")
