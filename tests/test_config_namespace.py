"""gpulayers.config: keras.config's names, defaults and switches."""

from __future__ import annotations

import warnings

import pytest
from keras_available import keras_or_skip

from gpulayers import backend, config, dtype_policies
from gpulayers.config import runtime_flags, training_limits


@pytest.fixture(autouse=True)
def _restore_flags():
    flags = dict(runtime_flags._flags)
    limits = dict(training_limits._limits)
    yield
    runtime_flags._flags.update(flags)
    training_limits._limits.update(limits)


def test_every_keras_config_name_exists():
    keras = keras_or_skip()
    names = {n for n in dir(keras.config) if not n.startswith("_")}
    assert names <= set(config.__all__)


def test_defaults_match_keras():
    keras = keras_or_skip()
    for name in ("floatx", "epsilon", "image_data_format", "is_interactive_logging_enabled",
                 "is_traceback_filtering_enabled", "is_flash_attention_enabled",
                 "is_nnx_enabled", "max_epochs", "max_steps_per_epoch"):
        assert getattr(config, name)() == getattr(keras.config, name)(), name
    assert config.dtype_policy().name == keras.config.dtype_policy().name
    assert config.is_unsafe_deserialization_enabled() is False


def test_global_settings_are_the_backend_ones():
    config.set_floatx("float64")
    assert backend.floatx() == "float64"
    config.set_epsilon(1e-5)
    assert backend.epsilon() == 1e-5
    config.set_image_data_format("channels_first")
    assert backend.image_data_format() == "channels_first"
    config.set_dtype_policy("mixed_float16")
    assert dtype_policies.global_policy().compute_dtype == "float16"
    assert config.backend() == backend.backend()
    with pytest.raises(ValueError):
        config.set_floatx("int8")


@pytest.mark.parametrize("stem", ["unsafe_deserialization", "interactive_logging",
                                  "traceback_filtering"])
def test_switches(stem):
    getattr(config, f"enable_{stem}")()
    assert getattr(config, f"is_{stem}_enabled")() is True
    getattr(config, f"disable_{stem}")()
    assert getattr(config, f"is_{stem}_enabled")() is False


def test_flash_attention_reported_as_keras_does():
    keras = keras_or_skip()
    config.disable_flash_attention()
    keras.config.disable_flash_attention()
    assert config.is_flash_attention_enabled() is keras.config.is_flash_attention_enabled()
    config.enable_flash_attention()
    keras.config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is keras.config.is_flash_attention_enabled()


def test_training_caps():
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    assert (config.max_epochs(), config.max_steps_per_epoch()) == (2, 3)
    with pytest.warns(UserWarning, match="Limiting epochs to 2"):
        assert training_limits.capped_epochs(10) == 2
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
        assert training_limits.capped_steps(None) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert training_limits.capped_epochs(1) == 1
        assert training_limits.capped_steps(2) == 2
    config.set_max_epochs(None)
    assert training_limits.capped_epochs(10) == 10
    with pytest.raises(ValueError, match="set_max_epochs"):
        config.set_max_epochs(-1)
    with pytest.raises(ValueError, match="set_max_steps_per_epoch"):
        config.set_max_steps_per_epoch(1.5)


def test_fit_honours_the_caps_and_the_logging_switch(capsys):
    import numpy as np

    from gpulayers import layers, models

    model = models.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(1)
    with pytest.warns(UserWarning, match="Limiting epochs to 2"), \
            pytest.warns(UserWarning, match="Limiting steps_per_epoch to 1"):
        history = model.fit(x, y, batch_size=2, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 2
    assert int(model.optimizer.iterations.numpy()) == 2    # one step per epoch
    config.set_max_epochs(None)
    config.set_max_steps_per_epoch(None)
    capsys.readouterr()
    config.disable_interactive_logging()
    model.fit(x, y, batch_size=2, epochs=1, verbose=1)
    assert capsys.readouterr().out == ""
    config.enable_interactive_logging()
    model.fit(x, y, batch_size=2, epochs=1, verbose=1)
    assert "loss" in capsys.readouterr().out
