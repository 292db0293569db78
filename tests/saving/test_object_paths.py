"""Weight paths follow Keras 3's naming rules (checked against Keras files in
test_keras_interop.py); here the rules themselves, without Keras."""

import numpy as np

from gpulayers import layers as L
from gpulayers.models import Model, Sequential
from gpulayers.saving.object_paths import saveable_objects, to_snake_case, vars_group


class Nested(L.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.groups = [[L.Dense(2), L.Dense(2)], {"a": L.Dense(2)}]
        self.alias = None

    def build(self, input_shape):
        self.alias = self.groups[0][0]  # a second reference: the first path wins

    def call(self, x):
        return self.groups[1]["a"](self.groups[0][1](self.groups[0][0](x)))


class Hidden(L.Layer):
    """A sublayer tracked only in ``_layers`` (no attribute holds it)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._layers.append(L.Dense(2))

    def call(self, x):
        return self._layers[0](x)


def _paths(model):
    return {s.path: [tuple(v.shape) for v in s.variables]
            for s in saveable_objects(model) if s.variables}


def test_snake_case_and_groups():
    assert to_snake_case("GRUCell") == "gru_cell"
    assert to_snake_case("Conv2DTranspose") == "conv2d_transpose"
    assert vars_group("") == "vars" and vars_group("layers/dense") == "layers/dense/vars"


def test_containers_are_numbered_per_class_and_nested_containers_are_named_container():
    model = Sequential([L.Input((3,)), Nested()])
    assert _paths(model) == {
        "layers/nested/alias": [(3, 2), (2,)],  # "alias" sorts before "groups"
        "layers/nested/groups/container/dense_1": [(2, 2), (2,)],
        "layers/nested/groups/container_1/dense": [(2, 2), (2,)],
    }


def test_sublayers_only_in_layers_are_still_saved():
    model = Sequential([L.Input((3,)), Hidden()])
    assert _paths(model) == {"layers/hidden/_layers/dense": [(3, 2), (2,)]}


def test_the_optimizer_follows_the_layers():
    model = Sequential([L.Input((3,)), L.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((2, 3), "float32"), np.zeros((2, 2), "float32"), verbose=0)
    found = saveable_objects(model)
    assert [s.path for s in found if s.variables] == ["layers/dense", "optimizer"]
    assert [s.path for s in saveable_objects(model, include_optimizer=False)
            if s.variables] == ["layers/dense"]


def test_functional_layers_are_named_by_class_not_by_layer_name():
    inputs = L.Input((3,))
    outputs = L.Dense(2, name="second")(L.Dense(3, name="first")(inputs))
    assert _paths(Model(inputs, outputs)) == {"layers/dense": [(3, 3), (3,)],
                                              "layers/dense_1": [(3, 2), (2,)]}
