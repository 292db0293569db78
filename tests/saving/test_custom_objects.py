"""Custom layers come back through custom_objects, custom_object_scope or
register_keras_serializable; without any of them, the error names the missing class."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from saving_fixtures import RNG, ComputeSum, SimpleDense, assert_same_weights

from gpulayers import layers as L
from gpulayers.layers.layer import Layer
from gpulayers.models import Model, load_model
from gpulayers.object_registration import resolve_custom_objects
from gpulayers.saving import (
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)

REPO = Path(__file__).resolve().parents[2]
CUSTOM = {"SimpleDense": SimpleDense, "ComputeSum": ComputeSum}
X = RNG.normal(size=(4, 5)).astype("float32")


def _custom_model():
    inputs = L.Input((5,))
    outputs = L.Dense(2)(ComputeSum(3)(SimpleDense(3)(inputs)))
    model = Model(inputs, outputs)
    model(X)  # the running total is state: it must be saved and restored
    return model


@pytest.fixture
def saved(tmp_path):
    model = _custom_model()
    path = tmp_path / "custom.keras"
    model.save(path)
    return model, path


@pytest.fixture
def clean_registry():
    """Registration is global: put it back as it was after the test."""
    from gpulayers import object_registration

    objects = dict(get_custom_objects())
    names = dict(object_registration._GLOBAL_CUSTOM_NAMES)
    yield
    get_custom_objects().clear()
    get_custom_objects().update(objects)
    object_registration._GLOBAL_CUSTOM_NAMES.clear()
    object_registration._GLOBAL_CUSTOM_NAMES.update(names)


def _check_restored(model, loaded):
    types = [type(layer) for layer in loaded.layers]
    assert SimpleDense in types and ComputeSum in types
    assert_same_weights(model, loaded)
    total = next(layer for layer in loaded.layers if isinstance(layer, ComputeSum)).total
    assert not total.trainable and np.any(total.numpy() != 0)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_custom_objects_argument(saved):
    model, path = saved
    _check_restored(model, load_model(path, custom_objects=CUSTOM))


def test_custom_object_scope(saved):
    model, path = saved
    with custom_object_scope(CUSTOM):
        loaded = load_model(path)
    _check_restored(model, loaded)
    assert "SimpleDense" not in resolve_custom_objects()  # the scope has ended


def test_nested_scopes_add_up():
    with custom_object_scope({"SimpleDense": SimpleDense}):
        with custom_object_scope({"ComputeSum": ComputeSum}) as scope:
            assert scope.custom_objects == {"ComputeSum": ComputeSum}
            found = resolve_custom_objects()
            assert found["SimpleDense"] is SimpleDense and found["ComputeSum"] is ComputeSum
            assert get_registered_object("ComputeSum") is ComputeSum


def test_register_keras_serializable(tmp_path, monkeypatch, clean_registry):
    @register_keras_serializable(package="gl_tests")
    class RegisteredDense(SimpleDense):
        pass

    @register_keras_serializable(package="gl_tests", name="Sum")
    class RegisteredSum(ComputeSum):
        pass

    assert get_registered_name(RegisteredDense) == "gl_tests>RegisteredDense"
    assert get_custom_objects()["gl_tests>Sum"] is RegisteredSum
    inputs = L.Input((5,))
    model = Model(inputs, RegisteredSum(3)(RegisteredDense(3)(inputs)))
    model(X)
    model.save(tmp_path / "registered.keras")
    # Only the registration can find them now (as in a new process that imported them).
    monkeypatch.delitem(Layer._registry, "RegisteredDense")
    monkeypatch.delitem(Layer._registry, "RegisteredSum")
    loaded = load_model(tmp_path / "registered.keras")
    assert [type(layer) for layer in loaded.layers[1:]] == [RegisteredDense, RegisteredSum]
    assert_same_weights(model, loaded)


def test_registered_subclassed_model_writes_its_registered_name(tmp_path, clean_registry):
    @register_keras_serializable(package="gl_tests")
    class Tiny(Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = SimpleDense(2)

        def call(self, inputs):
            return self.dense(inputs)

    model = Tiny()
    model(X)
    model.save(tmp_path / "tiny.keras")
    config = json.loads(zipfile.ZipFile(tmp_path / "tiny.keras").read("config.json"))
    assert config["registered_name"] == "gl_tests>Tiny"
    loaded = load_model(tmp_path / "tiny.keras")
    assert type(loaded) is Tiny
    assert_same_weights(model, loaded)


def test_registering_a_class_without_get_config_is_refused(clean_registry):
    with pytest.raises(ValueError, match="get_config"):
        register_keras_serializable()(type("NoConfig", (), {}))


def test_without_custom_objects_the_error_names_the_class(saved, monkeypatch):
    _, path = saved
    # As in a process that never imported the class:
    monkeypatch.delitem(Layer._registry, "SimpleDense")
    with pytest.raises(ValueError, match="unknown layer class 'SimpleDense'.*custom_objects"):
        load_model(path)
    monkeypatch.delitem(Layer._registry, "ComputeSum")
    with pytest.raises(ValueError, match="SimpleDense"):
        load_model(path, custom_objects={"ComputeSum": ComputeSum})


def test_loading_in_a_new_process_without_the_class(saved):
    _, path = saved
    script = ("from gpulayers.models import load_model\n"
              "try:\n"
              f"    load_model({str(path)!r})\n"
              "except ValueError as error:\n"
              "    print(error)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO),
                                                        os.environ.get("PYTHONPATH", "")]),
           "GPULAYERS_BACKEND": "numpy"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "SimpleDense" in result.stdout and "custom_objects" in result.stdout


def test_subclassed_model_without_from_config_arguments(tmp_path):
    class NeedsUnits(Model):  # get_config does not return `units`
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.dense = L.Dense(units)

        def call(self, inputs):
            return self.dense(inputs)

    model = NeedsUnits(2)
    model(X)
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="NeedsUnits.from_config failed.*get_config"):
        load_model(tmp_path / "m.keras", custom_objects={"NeedsUnits": NeedsUnits})
