"""Constraint projections vs hand computation, argument checks, lookup and configs."""

import json

import numpy as np
import pytest

from gpulayers import Tensor, Variable, backend, constraints, ops

C = constraints
EPS = 1e-7  # backend.epsilon()


def project(constraint, w):
    out = constraint(w)
    assert isinstance(out, Tensor) and out.shape == np.shape(w)
    return backend.to_numpy(out).astype("float64")


@pytest.fixture
def w():
    return np.random.default_rng(3).normal(0, 2.0, (6, 4)).astype("float32")


def _norms(w, axis):
    return np.sqrt((w.astype("float64") ** 2).sum(axis=axis, keepdims=True))


def test_max_norm_matches_hand_computation(w):
    norms = _norms(w, 0)
    expected = w * np.clip(norms, 0, 2.0) / (EPS + norms)
    np.testing.assert_allclose(project(C.MaxNorm(2.0), w), expected, rtol=1e-6)
    assert (_norms(project(C.MaxNorm(2.0), w), 0) <= 2.0 + 1e-5).all()
    small = w / 100  # already short vectors are (nearly) unchanged
    np.testing.assert_allclose(project(C.MaxNorm(2.0), small), small, rtol=1e-5)


def test_max_norm_over_several_axes_of_a_conv_kernel():
    kernel = np.random.default_rng(4).normal(size=(3, 3, 2, 5)).astype("float32")
    out = project(C.MaxNorm(1.0, axis=[0, 1, 2]), kernel)
    norms = _norms(kernel, (0, 1, 2))
    np.testing.assert_allclose(out, kernel * np.clip(norms, 0, 1.0) / (EPS + norms), rtol=1e-6)
    np.testing.assert_allclose(_norms(out, (0, 1, 2)).ravel(), 1.0, rtol=1e-5)


def test_non_neg(w):
    np.testing.assert_array_equal(project(C.NonNeg(), w), np.maximum(w, 0))
    assert C.NonNeg()(w).dtype == "float32"


def test_unit_norm(w):
    for axis in (0, 1, -1):
        out = project(C.UnitNorm(axis=axis), w)
        np.testing.assert_allclose(out, w / (EPS + _norms(w, axis)), rtol=1e-6)
        np.testing.assert_allclose(_norms(out, axis), 1.0, rtol=1e-5)


@pytest.mark.parametrize("rate", [1.0, 0.25])
def test_min_max_norm(w, rate):
    norms = _norms(w, 0)
    desired = rate * np.clip(norms, 3.0, 4.0) + (1 - rate) * norms
    out = project(C.MinMaxNorm(min_value=3.0, max_value=4.0, rate=rate), w)
    np.testing.assert_allclose(out, w * desired / (EPS + norms), rtol=1e-6)
    if rate == 1.0:
        new = _norms(out, 0)
        assert (new >= 3.0 - 1e-5).all() and (new <= 4.0 + 1e-5).all()


def test_constraint_applies_to_a_variable_and_assigns_back(w):
    v = Variable(w)
    v.assign(C.get("non_neg")(v))
    assert (backend.to_numpy(v) >= 0).all()


def test_base_constraint_is_identity(w):
    np.testing.assert_array_equal(project(C.Constraint(), w), w)


def test_float64_weights_stay_float64(w):
    assert C.MaxNorm()(w.astype("float64")).dtype == "float64"
    assert C.UnitNorm()(ops.ones((3, 2), dtype="float64")).dtype == "float64"


def test_argument_validation():
    with pytest.raises(ValueError, match="MaxNorm: `max_value` must be a non-negative number"):
        C.MaxNorm(-1)
    with pytest.raises(ValueError, match="UnitNorm: `axis` must be an int"):
        C.UnitNorm(axis="rows")
    with pytest.raises(ValueError, match="MinMaxNorm: `min_value` must be <= `max_value`"):
        C.MinMaxNorm(2.0, 1.0)
    with pytest.raises(ValueError, match=r"MinMaxNorm: `rate` must be in \[0, 1\]"):
        C.MinMaxNorm(rate=1.5)


@pytest.mark.parametrize("names, cls, config", [
    (["MaxNorm", "max_norm", "maxnorm"], C.MaxNorm, {"max_value": 2, "axis": 0}),
    (["NonNeg", "non_neg", "nonneg"], C.NonNeg, {}),
    (["UnitNorm", "unit_norm", "unitnorm"], C.UnitNorm, {"axis": 0}),
    (["MinMaxNorm", "min_max_norm"], C.MinMaxNorm,
     {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}),
])
def test_names_and_defaults(names, cls, config):
    for name in names:
        obj = C.get(name)
        assert type(obj) is cls and obj.get_config() == config
    assert getattr(C, cls.__name__) is cls


@pytest.mark.parametrize("constraint", [
    C.MaxNorm(3.0, axis=[0, 1]), C.NonNeg(), C.UnitNorm(axis=1),
    C.MinMaxNorm(0.5, 2.0, rate=0.5, axis=-1),
], ids=repr)
def test_config_round_trip(constraint, w):
    config = json.loads(json.dumps(C.serialize(constraint)))
    assert config["class_name"] == type(constraint).__name__
    assert config["module"] == "gpulayers.constraints"
    rebuilt = C.deserialize(config)
    assert type(rebuilt) is type(constraint)
    assert rebuilt.get_config() == constraint.get_config()
    np.testing.assert_array_equal(project(rebuilt, w), project(constraint, w))


def test_keras_config_dicts():
    keras3 = {"module": "keras.constraints", "class_name": "MaxNorm",
              "config": {"max_value": 4, "axis": [0, 1, 2]}, "registered_name": None}
    obj = C.get(keras3)
    assert (obj.max_value, obj.axis) == (4, [0, 1, 2])


def test_get_passthrough_and_errors():
    assert C.get(None) is None
    constraint = C.UnitNorm()
    assert C.get(constraint) is constraint
    assert type(C.get(C.NonNeg)) is C.NonNeg

    def clip(w):
        return ops.clip(w, -1, 1)

    assert C.get(clip) is clip
    with pytest.raises(ValueError, match="Unknown constraint: 'max_nrom'.*Did you mean "
                                         "'max_norm'.*Valid names: "):
        C.get("max_nrom")
    with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
        C.get(3)
