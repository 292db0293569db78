"""optimizers.get / serialize / deserialize and get_config / from_config, with Keras configs."""

import pytest
from keras_available import keras_or_skip

import gpulayers as gl
from gpulayers import optimizers
from gpulayers.optimizers import schedules

NAMES = {"sgd": optimizers.SGD, "adam": optimizers.Adam, "adamw": optimizers.AdamW,
         "rmsprop": optimizers.RMSprop, "adagrad": optimizers.Adagrad,
         "adadelta": optimizers.Adadelta, "adamax": optimizers.Adamax,
         "nadam": optimizers.Nadam}

CONFIGURED = [
    optimizers.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0),
    optimizers.Adam(3e-4, beta_1=0.8, amsgrad=True, weight_decay=0.01),
    optimizers.AdamW(1e-3, weight_decay=0.1, global_clipnorm=2.0),
    optimizers.RMSprop(0.01, rho=0.8, momentum=0.5, centered=True, clipvalue=0.5),
    optimizers.Adagrad(0.05, initial_accumulator_value=0.2, epsilon=1e-6),
    optimizers.Adadelta(1.0, rho=0.9),
    optimizers.Adamax(0.002, beta_2=0.99),
    optimizers.Nadam(0.002, epsilon=1e-5),
    optimizers.SGD(schedules.CosineDecay(0.1, decay_steps=100, warmup_target=0.2,
                                         warmup_steps=5)),
]


@pytest.mark.parametrize("name", sorted(NAMES))
def test_get_by_name_in_any_case(name):
    for spelling in (name, name.upper(), NAMES[name].__name__):
        optimizer = optimizers.get(spelling)
        assert type(optimizer) is NAMES[name]


def test_get_passes_instances_through_and_takes_dicts_and_classes():
    adam = optimizers.Adam()
    assert optimizers.get(adam) is adam
    assert optimizers.get(None) is None
    sgd = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5}})
    assert isinstance(sgd, optimizers.SGD) and sgd.learning_rate == 0.5
    assert isinstance(optimizers.get(optimizers.Nadam), optimizers.Nadam)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamm'. Valid names .*adadelta, "
                                         "adafactor, adagrad, adam, adamax, adamw, ftrl, lamb, "
                                         "lion, nadam, rmsprop, sgd"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        optimizers.get(3)
    with pytest.raises(ValueError, match="expected a name or a dict with 'class_name'"):
        optimizers.deserialize({"config": {}})


@pytest.mark.parametrize("optimizer", CONFIGURED, ids=lambda o: type(o).__name__)
def test_config_round_trip(optimizer):
    config = optimizers.serialize(optimizer)
    assert config["module"] == "gpulayers.optimizers" and config["registered_name"] is None
    rebuilt = optimizers.deserialize(config)
    assert type(rebuilt) is type(optimizer)
    assert rebuilt.get_config() == optimizer.get_config()
    assert type(optimizer).from_config(optimizer.get_config()).get_config() == \
        optimizer.get_config()


def test_schedule_learning_rate_is_serialized_as_a_config_dict():
    config = CONFIGURED[-1].get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    assert isinstance(optimizers.deserialize(optimizers.serialize(CONFIGURED[-1]))
                      ._learning_rate, schedules.CosineDecay)


def test_custom_subclass_round_trips():
    class SignSGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.01, **kwargs):
            super().__init__(learning_rate, **kwargs)

        def update_step(self, gradient, variable, learning_rate):
            xp = gl.backend.xp()
            variable.assign(variable.data - learning_rate * xp.sign(gradient))

    config = optimizers.serialize(SignSGD(0.5))
    assert config["registered_name"] == "SignSGD"
    rebuilt = optimizers.deserialize(config)
    assert isinstance(rebuilt, SignSGD) and rebuilt.learning_rate == 0.5
    assert isinstance(optimizers.deserialize(config, custom_objects={"SignSGD": SignSGD}),
                      SignSGD)
    w = gl.Variable([1.0, 1.0])
    rebuilt.apply_gradients([([3.0, -0.1], w)])
    assert w.numpy().tolist() == [0.5, 1.5]


@pytest.mark.parametrize("optimizer", CONFIGURED, ids=lambda o: type(o).__name__)
def test_keras_configs_load_both_ways(optimizer):
    keras = keras_or_skip()
    name = type(optimizer).__name__
    ours = optimizer.get_config()
    theirs = getattr(keras.optimizers, name).from_config(
        {**ours, "learning_rate": _to_keras(ours["learning_rate"])}).get_config()
    assert set(theirs) == set(ours)  # the same keys: configs move between the two
    back = optimizers.deserialize({"module": "keras.optimizers", "class_name": name,
                                   "config": theirs, "registered_name": None})
    assert back.get_config().keys() == ours.keys()
    for key, value in ours.items():
        if key == "learning_rate" and isinstance(value, float):
            assert back.get_config()[key] == pytest.approx(value, rel=1e-6)  # Keras: float32
        elif key != "name":
            assert back.get_config()[key] == value, key


def _to_keras(learning_rate):
    if isinstance(learning_rate, dict):
        return {**learning_rate, "module": "keras.optimizers.schedules"}
    return learning_rate
