"""layers.Wrapper: the base class for user wrappers (Keras 3's keras.layers.Wrapper)."""

import numpy as np
import pytest

from gpulayers import layers
from gpulayers.layers import Dense, Wrapper
from gpulayers.models import Sequential


class Doubled(Wrapper):
    def call(self, inputs):
        return self.layer(inputs) * 2.0


def test_a_wrapper_calls_its_layer_and_owns_its_weights():
    wrapper = Doubled(Dense(3, kernel_initializer="ones", bias_initializer="ones"))
    x = np.arange(4, dtype="float32").reshape(2, 2)
    np.testing.assert_allclose(np.asarray(wrapper(x)), 2.0 * (x.sum(1, keepdims=True) + 1)
                               * np.ones((1, 3)))
    assert [w.shape for w in wrapper.weights] == [(2, 3), (3,)]
    assert wrapper.trainable_weights[0] is wrapper.layer.kernel


def test_build_builds_the_wrapped_layer_and_the_config_round_trips():
    wrapper = Doubled(Dense(4, name="inner"), name="outer")
    wrapper.build((None, 5))
    assert wrapper.layer.built and wrapper.layer.kernel.shape == (5, 4)
    config = wrapper.get_config()
    assert config["layer"]["class_name"] == "Dense"
    clone = Doubled.from_config(config)
    assert clone.name == "outer" and clone.layer.name == "inner" and clone.layer.units == 4


def test_a_wrapper_in_a_model_infers_its_output_shape_and_refuses_non_layers():
    model = Sequential([layers.Input((5,)), Doubled(Dense(4)), Dense(1)])
    assert model.output_shape == (None, 1)
    with pytest.raises(ValueError, match="Doubled: `layer` must be a Layer instance"):
        Doubled("dense")
