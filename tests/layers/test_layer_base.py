"""The Layer base: custom layers the Keras way, weights, config, nodes, masks, training."""

import numpy as np
import pytest

import gpulayers as gl
from gpulayers import ops
from gpulayers.layers import (
    Input,
    InputLayer,
    InputSpec,
    KerasTensor,
    Layer,
    deserialize,
    layer_from_config,
    serialize,
)


class SimpleDense(Layer):
    """The seed tutorial's custom layer: build with add_weight, call with ops."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True, name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True,
                                 name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ComputeSum(Layer):
    """The seed tutorial's layer with a non-trainable running total."""

    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(shape=(input_dim,), initializer="zeros",
                                     trainable=False, name="total")

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


def test_custom_dense_builds_on_first_call_and_computes_x_w_plus_b():
    layer = SimpleDense(4)
    x = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
    y = layer(x)
    assert layer.built and y.shape == (2, 4)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(np.asarray(y), x @ kernel + bias, rtol=1e-6)
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


def test_non_trainable_running_total():
    layer = ComputeSum(2)
    x = np.ones((2, 2), "float32")
    layer(x)
    np.testing.assert_array_equal(np.asarray(layer(x)), [4.0, 4.0])
    assert len(layer.weights) == 1 and layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 1


def test_names_are_unique_snake_case():
    first, second = SimpleDense(1), SimpleDense(1)
    assert first.name.startswith("simple_dense") and first.name != second.name
    assert SimpleDense(1, name="mine").name == "mine"


def test_freezing_moves_weights_to_non_trainable():
    layer = SimpleDense(2)
    layer(np.ones((1, 3), "float32"))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    with gl.GradientTape() as tape:
        y = ops.sum(layer(np.ones((1, 3), "float32")))
    assert tape.gradient(y, layer.weights, unconnected_gradients="zero") is not None


def test_set_weights_checks_count_and_shapes():
    layer = SimpleDense(2, name="dense_x")
    layer(np.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match="'dense_x'.*expected a list of 2 arrays"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"'dense_x'.*shape \(3, 2\).*shape \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    layer.set_weights([np.ones((3, 2)), np.full(2, 5.0)])
    np.testing.assert_array_equal(np.asarray(layer(np.ones((1, 3), "float32"))), [[8.0, 8.0]])


def test_config_round_trip_and_deserialize_with_custom_objects():
    layer = SimpleDense(7, name="sd", trainable=False)
    config = layer.get_config()
    assert config == {"name": "sd", "trainable": False, "dtype": "float32", "units": 7}
    clone = SimpleDense.from_config(config)
    assert clone.units == 7 and not clone.trainable
    revived = deserialize(serialize(layer), custom_objects={"SimpleDense": SimpleDense})
    assert isinstance(revived, SimpleDense) and layer_from_config is deserialize
    with pytest.raises(ValueError, match="unknown layer class 'Nope'"):
        deserialize({"class_name": "Nope", "config": {}})


def test_unknown_constructor_keyword_is_rejected():
    with pytest.raises(TypeError, match=r"SimpleDense: unrecognized keyword arguments: \['unit'\]"):
        SimpleDense(unit=3)


def test_input_spec_errors_name_the_layer():
    class NeedsRank3(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.input_spec = InputSpec(ndim=3, axes={-1: 4})

        def call(self, inputs):
            return inputs

    layer = NeedsRank3(name="r3")
    with pytest.raises(ValueError, match="layer 'r3'.*expected ndim=3, found ndim=2"):
        layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="layer 'r3'.*axis -1 of the input to have value 4"):
        layer(np.ones((2, 3, 5), "float32"))


def test_symbolic_call_records_nodes_and_shapes():
    inputs = Input(shape=(3,), name="features")
    assert isinstance(inputs, KerasTensor) and inputs.shape == (None, 3)
    layer = SimpleDense(5)
    outputs = layer(inputs)
    assert outputs.shape == (None, 5) and layer.built
    assert layer.input is inputs and layer.output is outputs
    assert layer.input_shape == (None, 3) and layer.output_shape == (None, 5)
    assert outputs._keras_history[0] is layer
    assert isinstance(inputs._keras_history[0], InputLayer)


def test_shared_layer_has_one_node_per_call():
    layer = SimpleDense(2)
    a, b = Input(shape=(3,)), Input(shape=(3,))
    out_a, out_b = layer(a), layer(b)
    assert layer.get_input_at(0) is a and layer.get_input_at(1) is b
    assert layer.get_output_at(1) is out_b and layer.get_output_shape_at(0) == (None, 2)
    assert layer.get_input_shape_at(1) == (None, 3)
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        layer.output  # noqa: B018
    assert out_a is not out_b


def test_layer_never_called_symbolically_has_no_input():
    with pytest.raises(AttributeError, match="never been called on a symbolic input"):
        SimpleDense(2).input  # noqa: B018


def test_output_shape_is_inferred_for_layers_without_compute_output_shape():
    class Doubler(Layer):
        def call(self, inputs):
            return ops.concatenate([inputs, inputs], axis=-1)

    out = Doubler()(Input(shape=(None, 3)))
    assert out.shape == (None, None, 6)


def test_training_flag_is_inherited_by_nested_layers():
    seen = []

    class Probe(Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs

    class Outer(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = Probe()

        def call(self, inputs):
            return self.inner(inputs)

    outer = Outer()
    outer(np.ones((1, 2), "float32"), training=True)
    outer(np.ones((1, 2), "float32"))
    assert seen == [True, None]


def test_nested_layers_weights_are_tracked():
    class Block(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.first, self.second = SimpleDense(4), SimpleDense(2)

        def call(self, inputs):
            return self.second(self.first(inputs))

    block = Block()
    block(np.ones((1, 3), "float32"))
    assert [w.shape for w in block.weights] == [(3, 4), (4,), (4, 2), (2,)]
    block.second.trainable = False
    assert len(block.trainable_weights) == 2 and len(block.non_trainable_weights) == 2
    assert block.count_params() == 3 * 4 + 4 + 4 * 2 + 2


def test_masks_propagate_through_layers_that_support_masking():
    class MaskFirstColumn(Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, mask=None):
            return ops.not_equal(inputs[..., 0], 0.0)

    class PassThrough(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True
            self.received = None

        def call(self, inputs, mask=None):
            self.received = mask
            return inputs * 2.0

    masked = MaskFirstColumn()(np.array([[1.0, 2.0], [0.0, 3.0]], "float32"))
    consumer = PassThrough()
    out = consumer(masked)
    np.testing.assert_array_equal(np.asarray(consumer.received), [True, False])
    np.testing.assert_array_equal(np.asarray(out._keras_mask), [True, False])


def test_activity_and_weight_regularization_losses():
    class Regularized(Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="ones", regularizer="l2",
                                     name="w")

        def call(self, inputs):
            return inputs * self.w

    layer = Regularized(activity_regularizer="l1")
    layer(np.array([[1.0, -2.0], [3.0, 4.0]], "float32"))
    values = sorted(float(loss) for loss in layer.losses)
    # l2 weight penalty 0.01 * (1 + 1); l1 activity 0.01 * (1+2+3+4) / batch 2
    assert values == pytest.approx([0.02, 0.05])


def test_float_inputs_are_cast_to_the_layer_dtype():
    layer = SimpleDense(2, dtype="float64")
    y = layer(np.ones((1, 3), "float32"))
    assert y.dtype == "float64" and layer.weights[0].dtype == "float64"


def test_legacy_add_weight_positional_name():
    class Legacy(Layer):
        def build(self, input_shape):
            self.w = self.add_weight("kernel", (input_shape[-1], 2), initializer="ones")

        def call(self, inputs):
            return ops.matmul(inputs, self.w)

    layer = Legacy()
    layer(np.ones((1, 3), "float32"))
    assert layer.weights[0].shape == (3, 2) and layer.weights[0].name.endswith("/kernel")


def test_weights_argument_sets_initial_values():
    layer = SimpleDense(1, weights=[np.full((2, 1), 3.0), np.array([1.0])])
    np.testing.assert_array_equal(np.asarray(layer(np.ones((1, 2), "float32"))), [[7.0]])


def test_weights_argument_is_applied_when_built_by_a_symbolic_call():
    layer = SimpleDense(1, weights=[np.full((2, 1), 3.0), np.array([1.0])])
    layer(Input(shape=(2,)))
    np.testing.assert_array_equal(np.asarray(layer(np.ones((1, 2), "float32"))), [[7.0]])


def test_a_layer_without_masking_support_drops_the_mask_with_a_warning():
    embedded = gl.layers.Embedding(5, 2, mask_zero=True)(np.array([[1, 0, 2]], "int32"))
    with pytest.warns(UserWarning, match="does not support masking.*dropped"):
        flat = gl.layers.Flatten()(embedded)
    assert flat.shape == (1, 6) and flat._keras_mask is None


def test_activity_regularizer_on_a_scalar_output_is_not_divided_by_a_batch():
    class Total(Layer):
        def call(self, inputs):
            return ops.sum(inputs)

    layer = Total(activity_regularizer="l1")
    layer(np.array([1.0, -3.0], "float32"))
    assert float(layer.losses[0]) == pytest.approx(0.01 * 2.0)
