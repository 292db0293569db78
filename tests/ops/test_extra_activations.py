"""gpulayers.ops.extra_activations: values against hand-written formulas and Keras 3, dtypes,
gradients by central differences, errors, and CuPy-vs-NumPy agreement."""

import math

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend
from gpulayers.ops import extra_activations as act
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(3)


def _scalar_loop(function):
    return np.vectorize(function, otypes=[float])


# name: (kwargs, reference written element by element)
ELEMENTWISE = {
    "celu": ({"alpha": 0.7}, _scalar_loop(
        lambda v: v if v > 0 else 0.7 * (math.exp(v / 0.7) - 1))),
    "hard_tanh": ({}, _scalar_loop(lambda v: -1.0 if v < -1 else (1.0 if v > 1 else v))),
    "hard_shrink": ({"threshold": 0.6}, _scalar_loop(lambda v: v if abs(v) > 0.6 else 0.0)),
    "soft_shrink": ({"threshold": 0.6}, _scalar_loop(
        lambda v: v - 0.6 if v > 0.6 else (v + 0.6 if v < -0.6 else 0.0))),
    "tanh_shrink": ({}, _scalar_loop(lambda v: v - math.tanh(v))),
    "threshold": ({"threshold": 0.3, "default_value": -2.0},
                  _scalar_loop(lambda v: v if v > 0.3 else -2.0)),
    "sparse_plus": ({}, _scalar_loop(
        lambda v: 0.0 if v <= -1 else ((v + 1) ** 2 / 4 if v < 1 else v))),
    "sparse_sigmoid": ({}, _scalar_loop(
        lambda v: 0.0 if v <= -1 else (1.0 if v >= 1 else (v + 1) / 2))),
    "squareplus": ({"b": 2.5}, _scalar_loop(lambda v: (v + math.sqrt(v * v + 2.5)) / 2)),
}
KINKS = (-1.0, -0.6, 0.0, 0.3, 0.6, 1.0)  # where some of the functions above are not smooth


def _away_from_kinks(shape):
    x = RNG.uniform(-2.5, 2.5, shape)
    for kink in KINKS:
        x = np.where(np.abs(x - kink) < 0.05, x + 0.1, x)
    return x


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_values_and_gradients(name):
    kwargs, reference = ELEMENTWISE[name]
    x = _away_from_kinks((3, 5))
    got = getattr(act, name)(x, **kwargs)
    assert got.dtype == "float64" and got.shape == x.shape
    np.testing.assert_allclose(np.asarray(got), reference(x), rtol=1e-13, atol=1e-15)
    check_gradients(lambda t: getattr(act, name)(t, **kwargs), [x])


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_dtypes_follow_the_input_float_and_integers_become_floatx(name):
    kwargs, _ = ELEMENTWISE[name]
    function = getattr(act, name)
    assert function(np.array([-1.5, 0.5], "float16"), **kwargs).dtype == "float16"
    assert function(np.array([-2, 3], "int32"), **kwargs).dtype == "float32"


def test_gradients_at_the_kinks_follow_pytorch():
    x = np.array([-1.0, -0.5, 0.5, 1.0])
    expectations = {  # the flat side wins at every boundary
        "hard_tanh": ({}, [0, 1, 1, 0]),
        "hard_shrink": ({"threshold": 0.5}, [1, 0, 0, 1]),
        "soft_shrink": ({"threshold": 0.5}, [1, 0, 0, 1]),
        "threshold": ({"threshold": 0.5, "default_value": 0.0}, [0, 0, 0, 1]),
        "sparse_sigmoid": ({}, [0, 0.5, 0.5, 0]),
        "sparse_plus": ({}, [0, 0.25, 0.75, 1]),
    }
    for name, (kwargs, expected) in expectations.items():
        variable = Variable(x)
        with GradientTape() as tape:
            out = getattr(act, name)(variable, **kwargs)
        grad = tape.gradient(out, variable, output_gradients=np.ones(4))
        np.testing.assert_array_equal(np.asarray(grad), expected, err_msg=name)


def test_glu_halves_the_axis_and_gates_with_a_sigmoid():
    x = RNG.standard_normal((2, 6, 3))
    got = act.glu(x, axis=1)
    a, b = x[:, :3], x[:, 3:]
    assert got.shape == (2, 3, 3)
    np.testing.assert_allclose(np.asarray(got), a / (1 + np.exp(-b)), rtol=1e-13)
    check_gradients(lambda t: act.glu(t, axis=1), [x])
    check_gradients(act.glu, [RNG.standard_normal((3, 4))])
    with pytest.raises(ValueError, match="glu: the size of axis 1 must be even"):
        act.glu(np.ones((2, 5)))
    with pytest.raises(ValueError, match="glu: axis 3 is out of bounds"):
        act.glu(np.ones((2, 4)), axis=3)
    with pytest.raises(ValueError, match="glu: expected a tensor of rank >= 1"):
        act.glu(2.0)


def _sparsemax_reference(row):
    """Martins & Astudillo (2016), Algorithm 1, one vector at a time."""
    ordered = sorted(row, reverse=True)
    total, support_size, support_total = 0.0, 0, 0.0
    for k, value in enumerate(ordered, start=1):
        total += value
        if 1 + k * value > total:
            support_size, support_total = k, total
    tau = (support_total - 1) / support_size
    return [max(value - tau, 0.0) for value in row]


def test_sparsemax_projects_onto_the_simplex():
    x = RNG.standard_normal((4, 6))
    got = np.asarray(act.sparsemax(x))
    np.testing.assert_allclose(got, [_sparsemax_reference(row) for row in x], atol=1e-14)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0, rtol=1e-13)
    assert (got == 0).any()  # sparse, unlike softmax
    along_first = np.asarray(act.sparsemax(x, axis=0))
    np.testing.assert_allclose(along_first.T, [_sparsemax_reference(c) for c in x.T],
                               atol=1e-14)
    np.testing.assert_allclose(np.asarray(act.sparsemax([1.0, 2.0, 5.0])), [0, 0, 1])
    check_gradients(act.sparsemax, [x])
    check_gradients(lambda t: act.sparsemax(t, axis=0), [x])


def test_argument_errors_name_the_op():
    with pytest.raises(ValueError, match="celu: `alpha` must be nonzero"):
        act.celu([1.0], alpha=0.0)
    with pytest.raises(TypeError, match="hard_shrink: `threshold` must be a number"):
        act.hard_shrink([1.0], threshold="x")
    with pytest.raises(TypeError, match="threshold: `default_value` must be a number"):
        act.threshold([1.0], 0.0, None)
    with pytest.raises(ValueError, match="squareplus: `b` must be >= 0"):
        act.squareplus([1.0], b=-1)
    with pytest.raises(TypeError, match="sparsemax: `axis` must be an int"):
        act.sparsemax([1.0, 2.0], axis=0.5)
    with pytest.raises(TypeError, match="tanh_shrink"):
        act.tanh_shrink("abc")


# --- Keras 3 --------------------------------------------------------------------------------

KERAS_CASES = dict(ELEMENTWISE, glu=({"axis": -1}, None), sparsemax=({"axis": -1}, None))


@pytest.mark.parametrize("name", sorted(KERAS_CASES))
def test_matches_keras_ops_and_activations(name):
    keras = keras_or_skip()
    kwargs, _ = KERAS_CASES[name]
    x = _away_from_kinks((3, 4)).astype("float32")
    if name == "sparsemax":
        # Keras 3.15's sparsemax threshold is wrong when more than one entry is in the support
        # (keras-team/keras#23425); a dominant entry per row keeps the support at one, where
        # it is right. The general case is tested against the paper's algorithm above.
        x[:, 0] += 10.0
    got = getattr(act, name)(x, **kwargs)
    for expected in (getattr(keras.ops, name)(x, **kwargs),
                     getattr(keras.activations, name)(x, **kwargs)):
        assert got.dtype == str(expected.dtype).replace("torch.", "")
        np.testing.assert_allclose(np.asarray(got), to_numpy(expected), rtol=1e-5, atol=1e-6)


# --- CuPy agrees with NumPy -----------------------------------------------------------------

@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("name", sorted(KERAS_CASES))
def test_cupy_matches_numpy(name):
    kwargs, _ = KERAS_CASES[name]
    x = _away_from_kinks((4, 6)).astype("float32")
    results = {}
    for backend_name in ("numpy", "cupy"):
        with backend.use_backend(backend_name):
            variable = Variable(x)
            with GradientTape() as tape:
                out = getattr(act, name)(variable, **kwargs)
            weights = np.linspace(-1, 1, out.size).reshape(out.shape).astype("float32")
            grad = tape.gradient(out, variable, output_gradients=weights)
            results[backend_name] = (np.asarray(out), np.asarray(grad))
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink",
                                  "sparse_plus", "sparse_sigmoid", "squareplus", "tanh_shrink"])
def test_new_activations_work_by_name_in_layers_as_in_keras(name):
    keras = keras_or_skip()
    from gpulayers.layers import Activation
    from gpulayers.ops.activations import activation_name, get_activation

    x = np.linspace(-3, 3, 24, dtype="float32").reshape(4, 6)
    expected = to_numpy(keras.activations.get(name)(x))
    np.testing.assert_allclose(np.asarray(Activation(name)(x)), expected, rtol=1e-6,
                               atol=1e-6)
    assert activation_name(get_activation(name)) == name
