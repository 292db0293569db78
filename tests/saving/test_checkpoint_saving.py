"""ModelCheckpoint with a real model: whole-model and weights-only checkpoints load back."""

import os

import numpy as np
import pytest
from saving_fixtures import RNG, assert_same_weights, resumable_model

from gpulayers.callbacks import ModelCheckpoint
from gpulayers.models import load_model
from gpulayers.utils import set_random_seed

X = RNG.normal(size=(32, 6)).astype("float32")
Y = RNG.normal(size=(32, 3)).astype("float32")


def _trained(callbacks, epochs=3):
    model = resumable_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, batch_size=8, epochs=epochs, verbose=0, callbacks=callbacks)
    return model


def test_keras_checkpoint_holds_the_last_epoch(tmp_path):
    path = tmp_path / "ckpt.keras"
    model = _trained([ModelCheckpoint(str(path))])
    loaded = load_model(path)
    assert_same_weights(model, loaded)
    assert int(loaded.optimizer.iterations.numpy()) == 12
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    set_random_seed(1)
    expected = model.fit(X, Y, batch_size=8, epochs=1, verbose=0).history
    set_random_seed(1)
    assert loaded.fit(X, Y, batch_size=8, epochs=1, verbose=0).history == expected
    assert os.listdir(tmp_path) == ["ckpt.keras"]


@pytest.mark.parametrize("name", ["w.weights.h5", "w.weights.npz"])
def test_weights_only_checkpoint(tmp_path, name):
    if name.endswith(".h5"):
        pytest.importorskip("h5py")
    path = tmp_path / name
    model = _trained([ModelCheckpoint(str(path), save_weights_only=True)])
    fresh = resumable_model()
    fresh.load_weights(path)
    assert_same_weights(model, fresh)


def test_best_only_checkpoints_per_epoch_with_formatted_names(tmp_path):
    pattern = str(tmp_path / "ckpt" / "{epoch:02d}.keras")
    model = _trained([ModelCheckpoint(pattern, monitor="loss", save_best_only=True)])
    saved = sorted(os.listdir(tmp_path / "ckpt"))
    assert saved and saved[-1] == "03.keras"  # the loss keeps falling on this data
    assert_same_weights(model, load_model(tmp_path / "ckpt" / "03.keras"))
