"""A loaded model resumes training exactly where the saved one stopped: same optimizer
slots and iterations, same compile config, hence the same history and final weights."""

import numpy as np
import pytest
from saving_fixtures import RNG, TwoTowers, assert_same_weights, resumable_model

from gpulayers import optimizers
from gpulayers.models import load_model
from gpulayers.utils import set_random_seed

X = RNG.normal(size=(40, 6)).astype("float32")
Y = RNG.normal(size=(40, 3)).astype("float32")


def _optimizer_state(model):
    return [v.numpy() for v in model.optimizer.variables]


def _continue(model, seed=99):
    set_random_seed(seed)
    return model.fit(X, Y, batch_size=8, epochs=2, shuffle=True, verbose=0).history


@pytest.mark.parametrize("optimizer", [
    lambda: optimizers.Adam(learning_rate=0.01),
    lambda: optimizers.RMSprop(learning_rate=0.005, momentum=0.5, centered=True),
    lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
])
def test_fit_save_load_fit_matches_fitting_on(tmp_path, optimizer):
    model = resumable_model()
    model.compile(optimizer=optimizer(), loss="mse", metrics=["mae"])
    model.fit(X, Y, batch_size=8, epochs=2, shuffle=True, verbose=0)
    model.save(tmp_path / "trained.keras")

    loaded = load_model(tmp_path / "trained.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 10
    for saved, restored in zip(_optimizer_state(model), _optimizer_state(loaded)):
        np.testing.assert_array_equal(saved, restored)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()

    expected, resumed = _continue(model), _continue(loaded)
    assert resumed == expected
    assert_same_weights(model, loaded)
    for saved, restored in zip(_optimizer_state(model), _optimizer_state(loaded)):
        np.testing.assert_array_equal(saved, restored)


def test_subclassed_model_resumes(tmp_path):
    model = TwoTowers(4)
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y[:, :2], batch_size=10, epochs=2, verbose=0)
    model.save(tmp_path / "sub.keras")
    loaded = load_model(tmp_path / "sub.keras", custom_objects={"TwoTowers": TwoTowers})
    set_random_seed(5)
    expected = model.fit(X, Y[:, :2], batch_size=10, epochs=2, verbose=0).history
    set_random_seed(5)
    assert loaded.fit(X, Y[:, :2], batch_size=10, epochs=2, verbose=0).history == expected
    assert_same_weights(model, loaded)


def test_a_changed_learning_rate_is_restored(tmp_path):
    model = resumable_model()
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="mse")
    model.fit(X, Y, batch_size=20, epochs=1, verbose=0)
    model.optimizer.learning_rate = 0.0025  # as ReduceLROnPlateau would
    model.save(tmp_path / "m.keras")
    assert load_model(tmp_path / "m.keras").optimizer.learning_rate == 0.0025


def test_compiled_but_untrained_model_loads_with_a_fresh_optimizer(tmp_path):
    model = resumable_model()
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 0
    expected, resumed = _continue(model), _continue(loaded)
    assert resumed == expected


def test_save_weights_carries_the_optimizer_state(tmp_path):
    model = resumable_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    model.save_weights(tmp_path / "w.weights.npz")
    other = resumable_model()
    other.compile(optimizer="adam", loss="mse")
    other.load_weights(tmp_path / "w.weights.npz")
    assert int(other.optimizer.iterations.numpy()) == 5
    assert _continue(other) == _continue(model)
