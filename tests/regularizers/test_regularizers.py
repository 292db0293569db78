"""Regularizer penalties vs hand computation, their gradients vs finite differences, lookup."""

import json

import numpy as np
import pytest

from gpulayers import GradientTape, Tensor, Variable, backend, ops, regularizers
from gpulayers.testing import check_gradients

R = regularizers


def value(tensor):
    assert isinstance(tensor, Tensor) and tensor.shape == ()
    return float(backend.to_numpy(tensor))


@pytest.fixture
def w():
    # Entries away from 0, where |x| is differentiable.
    rng = np.random.default_rng(0)
    return (rng.uniform(0.2, 1.5, (4, 5)) * rng.choice([-1, 1], (4, 5))).astype("float32")


def _orthogonal_penalty(x, factor, mode):
    x = x.astype("float64")
    axis = 1 if mode == "rows" else 0
    unit = x / np.linalg.norm(x, axis=axis, keepdims=True)
    product = unit @ unit.T if mode == "rows" else unit.T @ unit
    n = product.shape[0]
    return factor * 0.5 * np.abs(product * (1 - np.eye(n))).sum() / (n * (n - 1) / 2)


def test_penalties_match_hand_computation(w):
    assert value(R.L1(0.1)(w)) == pytest.approx(0.1 * np.abs(w).sum(), rel=1e-6)
    assert value(R.L2(0.3)(w)) == pytest.approx(0.3 * (w**2).sum(), rel=1e-6)
    assert value(R.L1L2(l1=0.1, l2=0.2)(w)) == pytest.approx(
        0.1 * np.abs(w).sum() + 0.2 * (w**2).sum(), rel=1e-6)
    assert value(R.L1L2()(w)) == 0.0
    for mode in ("rows", "columns"):
        assert value(R.OrthogonalRegularizer(0.1, mode)(w)) == pytest.approx(
            _orthogonal_penalty(w, 0.1, mode), rel=1e-5)


def test_keras_docstring_example():
    assert value(R.L2(2.0)(ops.ones((5, 5)))) == 50.0


def test_defaults():
    assert R.L1().l1 == 0.01 and R.L2().l2 == 0.01
    assert (R.L1L2().l1, R.L1L2().l2) == (0.0, 0.0)
    assert (R.L1(None).l1, R.L1L2(None, 0.1).l1) == (0.01, 0.0)
    assert R.OrthogonalRegularizer().get_config() == {"factor": 0.01, "mode": "rows"}


def test_orthogonal_matrix_has_zero_penalty_and_single_row_has_no_pairs():
    q = np.linalg.qr(np.random.default_rng(1).standard_normal((6, 6)))[0]
    assert value(R.OrthogonalRegularizer(1.0, "columns")(q)) == pytest.approx(0.0, abs=1e-6)
    assert value(R.OrthogonalRegularizer(1.0, "rows")(np.ones((1, 3), "float32"))) == 0.0


def test_dtype_follows_the_input(w):
    assert R.L2()(w.astype("float64")).dtype == "float64"
    assert R.L1()(w).dtype == "float32"
    assert R.L1L2(0.1, 0.1)(np.ones((2, 2), "int32")).dtype == "float32"


@pytest.mark.parametrize("regularizer", [
    R.L1(0.3), R.L2(0.7), R.L1L2(l1=0.2, l2=0.5),
    R.OrthogonalRegularizer(0.5, "rows"), R.OrthogonalRegularizer(0.5, "columns"),
], ids=repr)
def test_gradients_match_finite_differences(regularizer, w):
    check_gradients(regularizer, [w])


def test_gradient_on_a_variable_under_a_tape(w):
    v = Variable(w)
    with GradientTape() as tape:
        loss = R.L2(0.5)(v)
    grad = tape.gradient(loss, v)
    np.testing.assert_allclose(backend.to_numpy(grad), 2 * 0.5 * w, rtol=1e-6)


def test_argument_validation():
    for bad in (-0.1, float("nan"), float("inf"), "0.1", True, [0.1]):
        with pytest.raises(ValueError, match="L1: invalid value for argument `l1`: expected a "
                                             "non-negative float"):
            R.L1(bad)
    with pytest.raises(ValueError, match="L1L2: .*`l2`"):
        R.L1L2(l2=-1)
    with pytest.raises(ValueError, match="OrthogonalRegularizer: .*`mode`.*'diagonal'"):
        R.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match=r"must have rank 2. Received: inputs.shape=\(2, 2, 2\)"):
        R.OrthogonalRegularizer()(np.ones((2, 2, 2), "float32"))


@pytest.mark.parametrize("name, cls, config", [
    ("l1", R.L1, {"l1": 0.01}), ("L1", R.L1, {"l1": 0.01}),
    ("l2", R.L2, {"l2": 0.01}), ("L2", R.L2, {"l2": 0.01}),
    ("l1_l2", R.L1L2, {"l1": 0.01, "l2": 0.01}),  # Keras 2 / Keras docstring defaults
    ("l1l2", R.L1L2, {"l1": 0.0, "l2": 0.0}), ("L1L2", R.L1L2, {"l1": 0.0, "l2": 0.0}),
    ("orthogonal_regularizer", R.OrthogonalRegularizer, {"factor": 0.01, "mode": "rows"}),
    ("OrthogonalRegularizer", R.OrthogonalRegularizer, {"factor": 0.01, "mode": "rows"}),
])
def test_names(name, cls, config):
    obj = R.get(name)
    assert type(obj) is cls and obj.get_config() == config


def test_lowercase_aliases_work_like_keras():
    assert R.l1 is R.L1 and R.l2 is R.L2 and R.l1_l2 is R.L1L2
    assert R.l2(0.001).get_config() == {"l2": 0.001}
    assert R.l1_l2(l1=0.1, l2=0.2).get_config() == {"l1": 0.1, "l2": 0.2}


@pytest.mark.parametrize("regularizer", [
    R.L1(0.1), R.L2(0.2), R.L1L2(l1=0.1, l2=0.2), R.OrthogonalRegularizer(0.3, "columns"),
], ids=repr)
def test_config_round_trip(regularizer, w):
    config = json.loads(json.dumps(R.serialize(regularizer)))
    assert config["class_name"] == type(regularizer).__name__
    rebuilt = R.deserialize(config)
    assert type(rebuilt) is type(regularizer)
    assert rebuilt.get_config() == regularizer.get_config()
    assert value(rebuilt(w)) == value(regularizer(w))
    keras2 = {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    assert R.get(keras2).get_config() == regularizer.get_config()


def test_get_passthrough_and_errors():
    assert R.get(None) is None
    reg = R.L2()
    assert R.get(reg) is reg

    def penalty(x):
        return 0.01 * ops.sum(ops.abs(x))

    assert R.get(penalty) is penalty
    assert R.deserialize(R.serialize(penalty), custom_objects={"penalty": penalty}) is penalty
    with pytest.raises(ValueError, match="Unknown regularizer: 'l3'.*Valid names: .*l1_l2"):
        R.get("l3")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        R.get(0.01)


class SumOfCubes(R.Regularizer):
    def __init__(self, factor=1.0):
        self.factor = factor

    def __call__(self, x):
        return self.factor * ops.sum(x * x * x)

    def get_config(self):
        return {"factor": self.factor}


def test_custom_regularizer_round_trip():
    rebuilt = R.deserialize(json.loads(json.dumps(R.serialize(SumOfCubes(2.0)))))
    assert isinstance(rebuilt, SumOfCubes) and rebuilt.factor == 2.0
    assert value(R.Regularizer()(np.ones((2,), "float32"))) == 0.0
