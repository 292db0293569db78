"""LossScaleOptimizer: the dynamic-scaling rules by formula and against Keras 3.15, state
and config round trips, compile's automatic wrapping under mixed_float16, and a mixed
training run that tracks the float32 one."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import (
    GradientTape,
    Variable,
    layers,
    losses,
    mixed_precision,
    models,
    ops,
    optimizers,
)
from gpulayers.optimizers import SGD, LossScaleOptimizer


def _grad(*values):
    return ops.convert_to_tensor(np.array(values, "float32"))


def test_finite_steps_unscale_then_apply_and_grow_after_growth_steps():
    variable = Variable(np.ones(3, "float32"))
    optimizer = LossScaleOptimizer(SGD(0.1), initial_scale=8.0, dynamic_growth_steps=2)
    assert float(optimizer.scale_loss(ops.convert_to_tensor(2.0))) == 16.0
    optimizer.apply([_grad(8.0, 16.0, -8.0)], [variable])     # unscaled: 1, 2, -1
    np.testing.assert_allclose(variable.numpy(), [0.9, 0.8, 1.1], rtol=1e-6)
    assert (int(optimizer.step_counter.item()), float(optimizer.dynamic_scale.item())) == (1, 8)
    optimizer.apply([_grad(8.0, 8.0, 8.0)], [variable])        # the 2nd good step: scale x2
    np.testing.assert_allclose(variable.numpy(), [0.8, 0.7, 1.0], rtol=1e-6)
    assert (int(optimizer.step_counter.item()), float(optimizer.dynamic_scale.item())) == (
        0, 16)
    assert int(optimizer.iterations.item()) == 2 and optimizer.learning_rate == 0.1


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_non_finite_step_is_skipped_and_halves_the_scale(bad):
    variable = Variable(np.ones(2, "float32"))
    optimizer = LossScaleOptimizer(SGD(0.1), initial_scale=4.0)
    optimizer.apply([_grad(4.0, 4.0)], [variable])
    optimizer.apply([_grad(bad, 4.0)], [variable])
    np.testing.assert_allclose(variable.numpy(), [0.9, 0.9], rtol=1e-6)
    assert (int(optimizer.step_counter.item()), float(optimizer.dynamic_scale.item())) == (0, 2)
    assert int(optimizer.iterations.item()) == 1   # the skipped step does not count


def test_matches_keras_loss_scale_optimizer_step_by_step():
    keras = keras_or_skip()
    grads = [[np.inf, 1, 1], [2.0**14, 1, 1], [3, -2, 5], [np.nan, 0, 0], [1, 1, 1],
             [4, 4, 4]]
    ours = Variable(np.ones(3, "float32"))
    theirs = keras.Variable(np.ones(3, "float32"))
    our_opt = LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=64.0,
                                 dynamic_growth_steps=2)
    their_opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.01),
                                                    initial_scale=64.0,
                                                    dynamic_growth_steps=2)
    for grad in grads:
        our_opt.apply([_grad(*grad)], [ours])
        their_opt.apply([keras.ops.convert_to_tensor(np.array(grad, "float32"))], [theirs])
        np.testing.assert_allclose(ours.numpy(), to_numpy(theirs), rtol=1e-6)
        assert float(our_opt.dynamic_scale.item()) == float(to_numpy(their_opt.dynamic_scale))
        assert int(our_opt.step_counter.item()) == int(to_numpy(their_opt.step_counter))


def test_state_and_config_round_trip():
    variables = [Variable(np.ones(2, "float32"))]
    optimizer = LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=32.0)
    optimizer.apply([_grad(1.0, -1.0)], variables)
    restored = optimizers.deserialize(optimizers.serialize(optimizer))
    assert isinstance(restored, LossScaleOptimizer)
    assert isinstance(restored.inner_optimizer, optimizers.Adam)
    assert (restored.initial_scale, restored.dynamic_growth_steps) == (32.0, 2000)
    restored.build(variables)
    names = [v.name for v in optimizer.variables]
    assert names[1:3] == ["step_counter", "dynamic_scale"] and len(names) == 3 + 3
    restored.assign_variables([v.numpy() for v in optimizer.variables])
    for mine, theirs in zip(optimizer.variables, restored.variables):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="inner_optimizer"):
        LossScaleOptimizer("adam")
    with pytest.raises(ValueError, match="initial_scale"):
        LossScaleOptimizer(SGD(), initial_scale=0)
    with pytest.raises(ValueError, match="dynamic=False"):
        LossScaleOptimizer(SGD(), dynamic=False)
    with pytest.raises(ValueError, match="clipnorm"):
        LossScaleOptimizer(SGD(), clipnorm=1.0)


def _data(rows=256):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, 10)).astype("float32")
    y = (x[:, :3].sum(axis=1) > 0).astype("int64")
    return x, y


def _classifier():
    return models.Sequential([layers.Input((10,)), layers.Dense(16, activation="relu"),
                              layers.Dense(2, dtype="float32")])


def test_compile_wraps_the_optimizer_under_mixed_float16():
    mixed_precision.set_global_policy("mixed_float16")
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(model.optimizer, LossScaleOptimizer)
    assert isinstance(model.optimizer.inner_optimizer, optimizers.Adam)
    model.compile(optimizer="adam", loss="mse", auto_scale_loss=False)
    assert isinstance(model.optimizer, optimizers.Adam)
    mixed_precision.set_global_policy(None)
    model = _classifier()
    model.compile(optimizer="adam", loss="mse")
    assert isinstance(model.optimizer, optimizers.Adam)


def test_mixed_training_tracks_float32_training():
    x, y = _data()
    histories = {}
    for policy in ("float32", "mixed_float16"):
        mixed_precision.set_global_policy(policy)
        model = _classifier()
        if policy == "float32":
            weights = model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer=optimizers.Adam(0.01), metrics=["acc"],
                      loss=losses.SparseCategoricalCrossentropy(from_logits=True))
        histories[policy] = model.fit(x, y, batch_size=32, epochs=3, verbose=0,
                                      shuffle=False).history
    exact, mixed = histories["float32"], histories["mixed_float16"]
    np.testing.assert_allclose(mixed["loss"], exact["loss"], rtol=2e-2, atol=2e-3)
    assert mixed["loss"][-1] < mixed["loss"][0] and mixed["acc"][-1] > 0.8


def test_gradients_that_underflow_in_float16_survive_with_loss_scaling():
    # A loss this small gives float16 gradients of ~1e-9: zero without scaling.
    x = np.full((4, 3), 0.5, "float32")
    dense = layers.Dense(1, use_bias=False, dtype="mixed_float16", kernel_initializer="ones")
    dense.build((None, 3))
    optimizer = LossScaleOptimizer(SGD(1.0))
    for scale in (None, optimizer):
        with GradientTape() as tape:
            loss = ops.mean(ops.cast(dense(x), "float32")) * 1e-9
            if scale is not None:
                loss = scale.scale_loss(loss)
        grad = tape.gradient(loss, dense.kernel).numpy()
        if scale is None:
            assert not grad.any()
        else:
            np.testing.assert_allclose(grad / 2.0**15, np.full((3, 1), 0.5e-9), rtol=1e-2)


def test_a_saved_mixed_model_resumes_training_exactly(tmp_path):
    x, y = _data(64)
    mixed_precision.set_global_policy("mixed_float16")
    model = _classifier()
    model.compile(optimizer=optimizers.Adam(0.01),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    model.save(tmp_path / "mixed.keras")
    mixed_precision.set_global_policy(None)   # the file, not the global policy, decides
    restored = models.load_model(tmp_path / "mixed.keras")
    assert restored.layers[0].dtype_policy.name == "mixed_float16"
    assert restored.layers[1].dtype_policy.name == "float32"
    assert isinstance(restored.optimizer, LossScaleOptimizer)
    for original, loaded in zip(model.optimizer.variables, restored.optimizer.variables):
        np.testing.assert_array_equal(original.numpy(), loaded.numpy())
    for one in (model, restored):
        one.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    for original, loaded in zip(model.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(original, loaded)
