"""initializers.get / serialize / deserialize: every Keras spelling, configs, round trips."""

import json

import numpy as np
import pytest

from gpulayers import Variable, backend, initializers
from gpulayers.backend.random import SeedGenerator

I = initializers  # noqa: E741

NAMES = {
    I.Zeros: ["Zeros", "zeros", "zero"],
    I.Ones: ["Ones", "ones", "one"],
    I.Constant: ["Constant", "constant"],
    I.Identity: ["Identity", "identity", "IdentityInitializer"],
    I.RandomNormal: ["RandomNormal", "random_normal", "normal"],
    I.RandomUniform: ["RandomUniform", "random_uniform", "uniform"],
    I.TruncatedNormal: ["TruncatedNormal", "truncated_normal"],
    I.VarianceScaling: ["VarianceScaling", "variance_scaling"],
    I.GlorotUniform: ["GlorotUniform", "glorot_uniform"],
    I.GlorotNormal: ["GlorotNormal", "glorot_normal"],
    I.HeUniform: ["HeUniform", "he_uniform"],
    I.HeNormal: ["HeNormal", "he_normal"],
    I.LecunUniform: ["LecunUniform", "lecun_uniform"],
    I.LecunNormal: ["LecunNormal", "lecun_normal"],
    I.Orthogonal: ["Orthogonal", "orthogonal", "OrthogonalInitializer"],
}

CONFIGURED = [
    I.Zeros(), I.Ones(), I.Constant(-1.5), I.Constant([[1.0, 2.0, 3.0]]), I.Identity(gain=3.0),
    I.RandomNormal(mean=1.0, stddev=0.2, seed=1), I.RandomUniform(-2.0, 3.0, seed=2),
    I.TruncatedNormal(mean=0.5, stddev=0.1, seed=3),
    I.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=4),
    I.GlorotUniform(seed=5), I.GlorotNormal(seed=6), I.HeUniform(seed=7), I.HeNormal(seed=8),
    I.LecunUniform(seed=9), I.LecunNormal(seed=10), I.Orthogonal(gain=0.5, seed=11),
    I.GlorotUniform(), I.RandomNormal(seed=SeedGenerator(12)),
]


@pytest.mark.parametrize("cls, names", list(NAMES.items()), ids=lambda v: getattr(v, "__name__",
                                                                                 ""))
def test_every_keras_name_resolves(cls, names):
    for name in names:
        obj = I.get(name)
        assert type(obj) is cls, name
        assert I.get({"class_name": name, "config": {}}).__class__ is cls
        assert I.deserialize(name).__class__ is cls


def test_snake_case_module_aliases_are_the_classes():
    assert I.glorot_uniform is I.GlorotUniform and I.he_normal is I.HeNormal
    assert I.IdentityInitializer is I.Identity and I.OrthogonalInitializer is I.Orthogonal
    assert isinstance(I.zeros(), I.Initializer)


@pytest.mark.parametrize("init", CONFIGURED, ids=repr)
def test_config_round_trip_through_json(init):
    config = json.loads(json.dumps(I.serialize(init)))
    assert config["class_name"] == type(init).__name__
    assert config["module"] == "gpulayers.initializers"
    rebuilt = I.deserialize(config)
    assert type(rebuilt) is type(init)
    assert rebuilt.get_config() == init.get_config()
    assert type(init).from_config(init.get_config()).get_config() == init.get_config()
    if not isinstance(getattr(init, "seed", None), SeedGenerator) and \
            getattr(init, "seed", 0) is not None:  # deterministic: same values
        shape = (4, 3)
        np.testing.assert_array_equal(backend.to_numpy(rebuilt(shape)),
                                      backend.to_numpy(init(shape)))


def test_seed_generator_config_round_trip():
    init = I.HeUniform(seed=SeedGenerator(3))
    config = I.serialize(init)["config"]
    assert config["seed"]["class_name"] == "SeedGenerator"
    assert config["seed"]["config"] == {"seed": 3}
    rebuilt = I.deserialize(json.loads(json.dumps(I.serialize(init))))
    assert isinstance(rebuilt.seed, SeedGenerator) and rebuilt.seed.seed == 3
    np.testing.assert_array_equal(backend.to_numpy(rebuilt((3, 2))),
                                  backend.to_numpy(I.HeUniform(seed=SeedGenerator(3))((3, 2))))


def test_dict_configs_written_by_keras():
    keras3 = {"module": "keras.initializers", "class_name": "GlorotUniform",
              "config": {"seed": None}, "registered_name": None}
    assert type(I.get(keras3)) is I.GlorotUniform
    keras2 = {"class_name": "VarianceScaling",
              "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "normal", "seed": None}}
    legacy = I.get(keras2)
    assert (legacy.scale, legacy.mode, legacy.distribution) == (1.0, "fan_avg",
                                                                "truncated_normal")
    normal = I.get({"class_name": "RandomNormal", "config": {"stddev": 0.01, "seed": 3}})
    assert (normal.mean, normal.stddev, normal.seed) == (0.0, 0.01, 3)
    numpy_value = {"class_name": "Constant", "config": {"value": {
        "class_name": "__numpy__", "config": {"value": [1.0, 2.0], "dtype": "float32"}}}}
    np.testing.assert_array_equal(backend.to_numpy(I.get(numpy_value)((2,))), [1.0, 2.0])


def test_keras_3_15_fan_axes_load_and_set_the_fans():
    # Keras >= 3.15 writes input_axes/output_axes (None by default) in every VarianceScaling
    # family config, so every layer config with the default GlorotUniform carries them.
    keras315 = {"module": "keras.initializers", "class_name": "GlorotUniform",
                "config": {"seed": 2, "input_axes": None, "output_axes": None}}
    glorot = I.get(keras315)
    assert type(glorot) is I.GlorotUniform and glorot.get_config() == {"seed": 2}
    init = I.VarianceScaling(scale=3.0, input_axes=[0, 1], output_axes=[-1])
    assert init.variance((2, 3, 4)) == 3.0 / 6  # fan_in = 2 * 3 (fan_in mode)
    assert I.HeUniform(input_axes=[2], output_axes=[0, 1]).variance((2, 3, 4)) == 2.0 / 4
    assert I.compute_fans((2, 3, 4), [0], [1, 2]) == (2, 12)
    config = init.get_config()
    assert (config["input_axes"], config["output_axes"]) == ([0, 1], [-1])
    assert I.VarianceScaling.from_config(config).variance((2, 3, 4)) == 0.5
    with pytest.raises(ValueError, match=r"VarianceScaling: `input_axes` must be None or a "
                                         r"list of ints. Received: input_axes='0'"):
        I.VarianceScaling(input_axes="0", output_axes=[1])


def test_get_passes_through_none_instances_and_callables():
    assert I.get(None) is None
    init = I.HeNormal()
    assert I.get(init) is init

    def my_init(shape, dtype=None):
        return I.Ones()(shape, dtype)

    assert I.get(my_init) is my_init
    assert type(I.get(I.LecunNormal)) is I.LecunNormal  # a class is instantiated


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError) as info:
        I.get("glorot_unifrom")
    message = str(info.value)
    assert message.startswith("Unknown initializer: 'glorot_unifrom'.")
    assert "Did you mean 'glorot_uniform'?" in message
    assert "Valid names:" in message and "he_normal" in message and "zeros" in message
    with pytest.raises(ValueError, match="Unknown initializer: 'Bogus'"):
        I.get({"class_name": "Bogus", "config": {}})
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 5"):
        I.get(5)
    with pytest.raises(ValueError, match="'class_name'"):
        I.deserialize({"config": {}})


def test_argument_validation_names_the_class():
    with pytest.raises(ValueError, match="VarianceScaling: `scale` must be a positive"):
        I.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="VarianceScaling: `mode`.*fan_avg.*'fan_middle'"):
        I.VarianceScaling(mode="fan_middle")
    with pytest.raises(ValueError, match="`distribution`.*'gaussian'"):
        I.VarianceScaling(distribution="gaussian")
    with pytest.raises(ValueError, match="RandomUniform: `maxval` must be >= `minval`"):
        I.RandomUniform(minval=1.0, maxval=0.0)
    with pytest.raises(ValueError, match="RandomNormal: `stddev`"):
        I.RandomNormal(stddev="big")


class ScaledOnes(I.Initializer):
    def __init__(self, scale=1.0):
        self.scale = scale

    def __call__(self, shape, dtype=None):
        return I.Ones()(shape, dtype) * self.scale

    def get_config(self):
        return {"scale": self.scale}


def test_custom_initializer_round_trip():
    config = I.serialize(ScaledOnes(3.0))
    assert config["registered_name"] == "ScaledOnes"
    assert config["module"] == __name__
    rebuilt = I.deserialize(config)  # found by class name: defined in this process
    assert isinstance(rebuilt, ScaledOnes) and rebuilt.scale == 3.0
    other = I.deserialize({"class_name": "Twice", "config": {"scale": 2.0}},
                          custom_objects={"Twice": ScaledOnes})
    np.testing.assert_array_equal(backend.to_numpy(other((2,))), [2.0, 2.0])


def test_function_initializer_serializes_as_keras_does():
    def half(shape, dtype=None):
        return I.Constant(0.5)(shape, dtype)

    config = I.serialize(half)
    assert config["class_name"] == "function" and config["config"] == "half"
    assert I.deserialize(config, custom_objects={"half": half}) is half


def test_base_initializer_must_be_subclassed():
    with pytest.raises(NotImplementedError, match="Initializer must implement __call__"):
        I.Initializer()((2,))


def test_a_variable_takes_an_initializer():
    v = Variable(I.get("orthogonal"), shape=(4, 4))
    w = backend.to_numpy(v)
    np.testing.assert_allclose(w.T @ w, np.eye(4), atol=1e-5)
    assert repr(I.GlorotUniform(seed=1)) == "GlorotUniform(seed=1)"
