"""clone_model against Keras 3.15 (same structure, fresh weights, clone_function and
call_function applied), plus the graph helpers it relies on: get_source_inputs,
is_keras_tensor and serialize/deserialize_keras_object."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import layers as gl
from gpulayers.models import Model, Sequential
from gpulayers.models.cloning import clone_model
from gpulayers.utils.object_serialization import (
    deserialize_keras_object,
    serialize_keras_object,
)
from gpulayers.utils.symbolic_tensors import get_source_inputs, is_keras_tensor

KEYS = ("units", "activation", "rate")


def structure(model):
    """What clone_model must keep: each layer's class, name, output shape and main config."""
    rows = []
    for layer in model.layers:
        config = layer.get_config()
        node = layer._inbound_nodes[-1] if hasattr(layer, "_inbound_nodes") else None
        shape = None
        if node is not None and getattr(node, "output_tensors", None):
            shape = tuple(node.output_tensors[0].shape)
        rows.append((type(layer).__name__, layer.name, shape,
                     {key: config[key] for key in KEYS if key in config}))
    return rows


def keras_structure(model):
    return [(type(layer).__name__, layer.name, tuple(layer.output.shape),
             {key: layer.get_config()[key] for key in KEYS if key in layer.get_config()})
            for layer in model.layers]


def build_sequential(lib):
    return lib.models.Sequential([lib.layers.Input((4,), name="x"),
                                  lib.layers.Dense(3, activation="relu", name="d1"),
                                  lib.layers.Dropout(0.5, name="drop"),
                                  lib.layers.Dense(2, name="d2")], name="seq")


def build_functional(lib):
    a, b = lib.layers.Input((4,), name="a"), lib.layers.Input((4,), name="b")
    shared = lib.layers.Dense(3, name="shared")
    merged = lib.layers.Add(name="add")([shared(a), shared(b)])
    out = lib.layers.Dense(1, activation="sigmoid", name="out")(merged)
    return lib.models.Model([a, b], out, name="fun")


class _Gpulayers:
    import gpulayers.layers as layers
    import gpulayers.models as models


def _kernels_differ(original, clone):
    kernels = [(w0, w1) for w0, w1 in zip(original.get_weights(), clone.get_weights())
               if np.ndim(w0) == 2]
    assert kernels
    return all(not np.allclose(to_numpy(w0), to_numpy(w1)) for w0, w1 in kernels)


@pytest.mark.parametrize("build", [build_sequential, build_functional])
def test_structure_equal_and_weights_fresh_as_keras(build):
    keras = keras_or_skip()
    ours, theirs = build(_Gpulayers), build(keras)
    our_clone, their_clone = clone_model(ours), keras.models.clone_model(theirs)
    assert type(our_clone).__name__ in (type(their_clone).__name__, "Functional")
    assert structure(our_clone) == structure(ours)
    assert keras_structure(their_clone) == keras_structure(theirs)
    # The same layers, names and shapes on both sides (gpulayers' shapes as Keras's).
    assert [row[:2] for row in structure(our_clone)] == \
        [row[:2] for row in keras_structure(their_clone)]
    assert [row[3] for row in structure(our_clone)] == \
        [row[3] for row in keras_structure(their_clone)]
    assert all(a is not b for a, b in zip(ours.layers, our_clone.layers))
    assert _kernels_differ(ours, our_clone) and _kernels_differ(theirs, their_clone)
    our_clone.set_weights(ours.get_weights())
    inputs = [np.ones((2, 4), "float32") * k for k in (1, 2)]
    given = inputs[0] if isinstance(ours, Sequential) else inputs
    np.testing.assert_allclose(our_clone.predict(given, verbose=0),
                               ours.predict(given, verbose=0), rtol=1e-6)


def test_shared_layer_cloned_once():
    model = build_functional(_Gpulayers)
    clone = clone_model(model)
    shared = [layer for layer in clone.layers if layer.name == "shared"]
    assert len(shared) == 1 and len(shared[0]._inbound_nodes) == 2
    assert len(clone.get_weights()) == len(model.get_weights())


def _widen(lib):
    def clone_function(layer):
        config = layer.get_config()
        if type(layer).__name__ == "Dense":
            config.update(units=config["units"] + 1, activation="tanh")
        return layer.__class__.from_config(config)
    return clone_function


@pytest.mark.parametrize("build", [build_sequential, build_functional])
def test_clone_function_applied_like_keras(build):
    keras = keras_or_skip()
    ours = clone_model(build(_Gpulayers), clone_function=_widen(_Gpulayers))
    theirs = keras.models.clone_model(build(keras), clone_function=_widen(keras))
    assert [row[3] for row in structure(ours)] == [row[3] for row in keras_structure(theirs)]
    assert [row[2] for row in structure(ours)] == [row[2] for row in keras_structure(theirs)]


def test_call_function_inserts_layers_like_keras():
    keras = keras_or_skip()

    def call_function(lib):
        def call(layer, *args, **kwargs):
            out = layer(*args, **kwargs)
            if layer.name == "shared":
                return lib.layers.Activation("relu")(out)
            return out
        return call

    ours = clone_model(build_functional(_Gpulayers), call_function=call_function(_Gpulayers))
    theirs = keras.models.clone_model(build_functional(keras),
                                      call_function=call_function(keras))
    assert [type(layer).__name__ for layer in ours.layers] == \
        [type(layer).__name__ for layer in theirs.layers]


def test_input_tensors_and_build_shape():
    model = build_sequential(_Gpulayers)
    new_input = gl.Input(batch_shape=(5, 4), name="fixed")
    clone = clone_model(model, input_tensors=new_input)
    assert clone.inputs[0].shape == (5, 4)
    functional = build_functional(_Gpulayers)
    inputs = [gl.Input((4,)), gl.Input((4,))]
    clone = clone_model(functional, input_tensors=inputs)
    assert clone.inputs == inputs and clone.outputs[0].shape == (None, 1)
    unbuilt_input = Sequential([gl.Dense(2)])
    unbuilt_input.build((None, 7))
    assert clone_model(unbuilt_input).inputs[0].shape == (None, 7)


def test_compiled_model_clone_is_compiled_and_recursive_cloning():
    inner = Sequential([gl.Input((4,)), gl.Dense(3)], name="inner")
    outer = Sequential([gl.Input((4,)), inner, gl.Dense(1)])
    outer.compile(optimizer="sgd", loss="mse")
    flat = clone_model(outer)
    assert flat.compiled and flat.get_compile_config() == outer.get_compile_config()
    nested = clone_model(outer, recursive=True)
    assert isinstance(nested.layers[0], Sequential) and nested.layers[0] is not inner
    assert len(nested.get_weights()) == len(outer.get_weights())


def test_subclassed_model_and_bad_arguments():
    model = build_sequential(_Gpulayers)
    with pytest.raises(ValueError, match="call_function"):
        clone_model(model, call_function=lambda layer, *a, **k: layer(*a, **k))
    with pytest.raises(ValueError, match="single input"):
        clone_model(model, input_tensors=[gl.Input((4,)), gl.Input((4,))])
    with pytest.raises(ValueError, match="KerasTensor"):
        clone_model(model, input_tensors=np.ones((1, 4)))
    with pytest.raises(ValueError, match="input_tensors"):
        clone_model(build_functional(_Gpulayers), input_tensors=[gl.Input((4,))])
    with pytest.raises(ValueError, match="callable"):
        clone_model(model, clone_function="dense")

    class Subclassed(Model):
        def call(self, inputs):
            return inputs

    with pytest.raises(ValueError, match="only supported"):
        clone_model(Subclassed(), clone_function=lambda layer: layer)


# -- graph helpers -------------------------------------------------------------------------
def test_get_source_inputs_and_is_keras_tensor_match_keras():
    keras = keras_or_skip()
    for lib in (_Gpulayers, keras):
        a, b, c = (lib.layers.Input((3,), name=n) for n in "abc")
        out = lib.layers.Add()([lib.layers.Dense(3)(b), a, lib.layers.Dense(3)(b)])
        get = get_source_inputs if lib is _Gpulayers else keras.utils.get_source_inputs
        sources = get(out)
        assert [t.name for t in sources] == ["b", "a"]
        assert get(c)[0] is c
    assert is_keras_tensor(gl.Input((2,))) and not is_keras_tensor(np.ones(2))
    assert keras.utils.is_keras_tensor(keras.layers.Input((2,)))


def test_serialize_keras_object_matches_keras_for_plain_values():
    keras = keras_or_skip()
    values = [None, 3, 2.5, "relu", [1, (2, "x")], {"a": (1, 2)}, b"ab",
              np.array([[1, 2]], dtype="int32"), np.float32(1.5)]
    for value in values:
        ours, theirs = serialize_keras_object(value), keras.utils.serialize_keras_object(value)
        assert ours == theirs
        back = deserialize_keras_object(ours)
        np.testing.assert_array_equal(np.asarray(back, dtype=object),
                                      np.asarray(keras.utils.deserialize_keras_object(theirs),
                                                 dtype=object))


def test_serialize_layers_functions_models_round_trip():
    keras = keras_or_skip()
    dense = gl.Dense(4, activation="relu", name="dense_x")
    config = serialize_keras_object(dense)
    keras_config = keras.utils.serialize_keras_object(keras.layers.Dense(4, activation="relu",
                                                                         name="dense_x"))
    assert {k: config[k] for k in ("class_name", "registered_name")} == \
        {k: keras_config[k] for k in ("class_name", "registered_name")}
    rebuilt = deserialize_keras_object(config)
    assert isinstance(rebuilt, gl.Dense) and rebuilt is not dense
    assert rebuilt.get_config() == dense.get_config()
    # A config written by Keras (module "keras.layers") loads as the gpulayers layer.
    assert isinstance(deserialize_keras_object(keras_config), gl.Dense)

    def my_fn(x):
        return x

    assert deserialize_keras_object(serialize_keras_object(my_fn),
                                    custom_objects={"my_fn": my_fn}) is my_fn
    model = build_sequential(_Gpulayers)
    copy = deserialize_keras_object(serialize_keras_object(model))
    assert structure(copy) == structure(model)
    with pytest.raises(ValueError, match="unknown class"):
        deserialize_keras_object({"class_name": "NoSuchLayer", "config": {}, "module": "x"})
    with pytest.raises(TypeError, match="cannot serialize"):
        serialize_keras_object(object())


# -- model_to_dot / plot_model --------------------------------------------------------------
def test_model_to_dot_draws_layers_and_connections(tmp_path):
    pytest.importorskip("pydot", reason="pydot (optional dependency) is not installed")
    from gpulayers.utils.model_visualization import model_to_dot, plot_model

    model = build_functional(_Gpulayers)
    dot = model_to_dot(model, show_shapes=True, show_layer_activations=True)
    labels = {node.get_name(): node.get("label") for node in dot.get_nodes()
              if node.get_name() not in ("node", "graph", "edge")}
    assert len(labels) == 5                                 # a, b, shared, add, out
    by_layer = {layer.name: str(id(layer)) for layer in model.layers}
    edges = {(e.get_source(), e.get_destination()) for e in dot.get_edges()}
    expected = {("a", "shared"), ("b", "shared"), ("shared", "add"), ("add", "out")}
    assert edges == {(by_layer[s], by_layer[d]) for s, d in expected}
    assert "out (Dense)" in labels[by_layer["out"]]
    assert "output: (None, 1)" in labels[by_layer["out"]]
    assert "activation: sigmoid" in labels[by_layer["out"]]
    sequential = model_to_dot(build_sequential(_Gpulayers), rankdir="LR")
    assert len(sequential.get_edges()) == 3                 # x -> d1 -> drop -> d2
    plot_model(model, to_file=str(tmp_path / "model.dot"))
    assert (tmp_path / "model.dot").read_text().startswith("digraph")
    with pytest.raises(ValueError, match="rankdir"):
        model_to_dot(model, rankdir="BT")


def test_plot_model_without_pydot_or_graphviz(tmp_path, monkeypatch):
    import importlib.util
    import shutil
    import sys

    from gpulayers.utils.model_visualization import model_to_dot, plot_model

    model = build_sequential(_Gpulayers)
    if shutil.which("dot") is None and importlib.util.find_spec("pydot") is not None:
        with pytest.raises(OSError, match="Graphviz"):
            plot_model(model, to_file=str(tmp_path / "model.png"))
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="pip install pydot"):
        model_to_dot(model)
