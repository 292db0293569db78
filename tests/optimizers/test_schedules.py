"""Learning-rate schedules: the formulas, Keras parity, serialize/deserialize, errors."""

import math

import numpy as np
import pytest
from keras_available import keras_or_skip

import gpulayers as gl
from gpulayers.optimizers import schedules

STEPS = [0, 1, 5, 10, 15, 20, 99, 100, 101, 250]


def _values(schedule):
    return [schedule(step) for step in STEPS]


def test_exponential_decay():
    smooth = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    stairs = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    np.testing.assert_allclose(_values(smooth), [0.1 * 0.5 ** (s / 10) for s in STEPS])
    np.testing.assert_allclose(_values(stairs), [0.1 * 0.5 ** (s // 10) for s in STEPS])


def test_inverse_time_decay():
    smooth = schedules.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5)
    stairs = schedules.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    np.testing.assert_allclose(_values(smooth), [0.1 / (1 + 0.5 * s / 10) for s in STEPS])
    np.testing.assert_allclose(_values(stairs), [0.1 / (1 + 0.5 * (s // 10)) for s in STEPS])


def test_piecewise_constant_decay_includes_the_boundary_in_the_earlier_piece():
    schedule = schedules.PiecewiseConstantDecay([10, 100], [1.0, 0.5, 0.1])
    assert _values(schedule) == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.1, 0.1]


def test_polynomial_decay_holds_or_cycles():
    held = schedules.PolynomialDecay(0.1, decay_steps=100, end_learning_rate=0.01, power=2.0)
    expected = [(0.1 - 0.01) * (1 - min(s, 100) / 100) ** 2 + 0.01 for s in STEPS]
    np.testing.assert_allclose(_values(held), expected)
    cycling = schedules.PolynomialDecay(0.1, decay_steps=100, end_learning_rate=0.01,
                                        cycle=True)
    horizons = [100 * max(1, math.ceil(s / 100)) for s in STEPS]
    expected = [(0.1 - 0.01) * (1 - s / h) + 0.01 for s, h in zip(STEPS, horizons)]
    np.testing.assert_allclose(_values(cycling), expected)


def test_cosine_decay_with_and_without_warmup():
    plain = schedules.CosineDecay(0.1, decay_steps=100, alpha=0.1)
    expected = [0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * min(s, 100) / 100)) + 0.1)
                for s in STEPS]
    np.testing.assert_allclose(_values(plain), expected)
    warm = schedules.CosineDecay(0.0, decay_steps=100, warmup_target=0.2, warmup_steps=10)
    expected = [0.2 * s / 10 if s < 10 else
                0.2 * 0.5 * (1 + math.cos(math.pi * (min(s, 110) - 10) / 100)) for s in STEPS]
    np.testing.assert_allclose(_values(warm), expected, atol=1e-15)


def test_cosine_decay_restarts_periods_grow_and_shrink():
    schedule = schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    # periods [0, 10), [10, 30), [30, 70): each starts at 0.1 * 0.5**i
    assert schedule(0) == pytest.approx(0.1)
    assert schedule(10) == pytest.approx(0.05)
    assert schedule(20) == pytest.approx(0.05 * 0.5 * (1 + math.cos(math.pi * 10 / 20)))
    assert schedule(30) == pytest.approx(0.025)
    flat = schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=1.0)
    assert flat(25) == pytest.approx(0.1 * 0.5 * (1 + math.cos(math.pi * 0.5)))


def test_schedules_take_tensors_and_variables_as_the_step():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    assert schedule(gl.Variable(np.array(2, dtype="int64"))) == pytest.approx(0.025)
    assert schedule(np.float32(1.0)) == pytest.approx(0.05)


ALL = [
    schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True),
    schedules.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5),
    schedules.PiecewiseConstantDecay([10, 100], [1.0, 0.5, 0.1]),
    schedules.PolynomialDecay(0.1, decay_steps=100, end_learning_rate=0.01, power=0.5,
                              cycle=True),
    schedules.CosineDecay(0.01, decay_steps=100, alpha=0.1, warmup_target=0.1,
                          warmup_steps=10),
    schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=2.0, m_mul=0.5, alpha=0.1),
]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_serialize_round_trip(schedule):
    config = schedules.serialize(schedule)
    assert config["module"] == "gpulayers.optimizers.schedules"
    assert config["class_name"] == type(schedule).__name__
    rebuilt = schedules.deserialize(config)
    assert type(rebuilt) is type(schedule) and rebuilt.get_config() == schedule.get_config()
    assert _values(rebuilt) == _values(schedule)


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_keras_parity(schedule):
    keras = keras_or_skip()
    theirs = keras.optimizers.schedules.deserialize(schedules.serialize(schedule) | {
        "module": "keras.optimizers.schedules"})
    expected = [float(keras.ops.convert_to_numpy(theirs(step))) for step in STEPS]
    np.testing.assert_allclose(_values(schedule), expected, rtol=1e-5, atol=1e-8)


def test_deserialize_by_name_and_custom_subclass():
    assert isinstance(schedules.deserialize({"class_name": "exponential_decay", "config": {
        "initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.9}}),
        schedules.ExponentialDecay)

    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / 2 ** schedules.step_value(step)

        def get_config(self):
            return {}

    rebuilt = schedules.deserialize(schedules.serialize(Halving()))
    assert isinstance(rebuilt, Halving) and rebuilt(3) == 0.125
    with pytest.raises(ValueError, match="Unknown learning rate schedule: 'Nope'"):
        schedules.deserialize({"class_name": "Nope", "config": {}})


@pytest.mark.parametrize("make, message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5),
     r"ExponentialDecay: `decay_steps` must be a number > 0. Received: decay_steps=0"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [1.0]),
     "one element less than `values`"),
    (lambda: schedules.PiecewiseConstantDecay([5, 2], [1.0, 0.5, 0.1]), "strictly increasing"),
    (lambda: schedules.CosineDecay(0.1, 10, alpha=2.0), r"`alpha` must be a number in \[0, 1\]"),
    (lambda: schedules.PolynomialDecay(0.1, 10, cycle="yes"), "`cycle` must be True or False"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()
