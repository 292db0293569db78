"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

Values are checked against NumPy formulas written here (with Keras's broadcasting rule: a
lower-rank input gets size-1 axes after the batch axis), masks against Keras 3's rules (OR
of the masks; masked entries skipped by Multiply/Maximum/Minimum), and every class against
Keras 3 itself. ``run_layer_test`` handles one input, so ``check_merge_layer`` does the same
checks for a list of inputs.
"""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import layers
from gpulayers.autodiff import Tensor
from gpulayers.backend import to_device
from gpulayers.testing import check_gradients

ELEMENTWISE = {
    layers.Add: lambda xs: sum(xs[1:], xs[0]),
    layers.Subtract: lambda xs: xs[0] - xs[1],
    layers.Multiply: lambda xs: np.prod(np.broadcast_arrays(*xs), axis=0),
    layers.Average: lambda xs: sum(xs[1:], xs[0]) / len(xs),
    layers.Maximum: lambda xs: np.max(np.broadcast_arrays(*xs), axis=0),
    layers.Minimum: lambda xs: np.min(np.broadcast_arrays(*xs), axis=0),
}
FUNCTIONAL = {layers.Add: layers.add, layers.Subtract: layers.subtract,
              layers.Multiply: layers.multiply, layers.Average: layers.average,
              layers.Maximum: layers.maximum, layers.Minimum: layers.minimum}


def _data(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape).astype("float32") for shape in shapes]


def _align(xs):
    """Keras's rule for inputs of different ranks: size-1 axes inserted after the batch."""
    rank = max(x.ndim for x in xs)
    return [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs]


def _masked(x, mask):
    tensor = Tensor(to_device(x))
    tensor._keras_mask = None if mask is None else Tensor(to_device(np.asarray(mask, bool)))
    return tensor


def check_merge_layer(cls, kwargs, xs, expected=None, expected_shape=None):
    """run_layer_test's checks for a list of inputs; returns the eager output."""
    layer = cls(**kwargs)
    config = layer.get_config()
    clone = cls.from_config(config)
    assert {k: v for k, v in clone.get_config().items() if k != "name"} == {
        k: v for k, v in config.items() if k != "name"}
    assert type(layers.deserialize(layers.serialize(layer))) is cls
    output = layer(xs)
    shapes = [x.shape for x in xs]
    assert tuple(output.shape) == layer.compute_output_shape(shapes)
    if expected_shape is not None:
        assert tuple(output.shape) == tuple(expected_shape)
    if expected is not None:
        np.testing.assert_allclose(np.asarray(output), expected, rtol=1e-5, atol=1e-6)
    assert layer.weights == [] and layer.supports_masking
    symbolic = cls(**kwargs)([layers.Input(shape=s[1:]) for s in shapes])
    assert symbolic.shape == (None, *output.shape[1:])
    np.testing.assert_allclose(np.asarray(clone(xs)), np.asarray(output), rtol=1e-6)
    float64_layer = cls.from_config({**config, "dtype": "float64"})
    check_gradients(lambda *ts: float64_layer(list(ts)), [x.astype("float64") for x in xs])
    return output


# -- elementwise merges ----------------------------------------------------------------------
@pytest.mark.parametrize("cls", list(ELEMENTWISE))
@pytest.mark.parametrize("shapes", [
    [(2, 3), (2, 3)],
    [(2, 3, 4), (2, 3, 4)],
    [(2, 3, 4), (2, 1, 4)],          # same rank: NumPy broadcasting of size-1 dims
    [(2, 3, 4), (2, 4)],             # lower rank: lined up with the last dims
    [(2, 1, 4), (2, 3, 1)],
])
def test_elementwise_merge_of_two(cls, shapes):
    xs = _data(*shapes)
    expected = ELEMENTWISE[cls](_align(xs))
    check_merge_layer(cls, {}, xs, expected=expected, expected_shape=expected.shape)


@pytest.mark.parametrize("cls", [c for c in ELEMENTWISE if c is not layers.Subtract])
def test_elementwise_merge_of_three(cls):
    xs = _data((2, 3, 2), (2, 3, 2), (2, 1, 2), seed=1)
    check_merge_layer(cls, {}, xs, expected=ELEMENTWISE[cls](xs))


@pytest.mark.parametrize("cls", list(ELEMENTWISE))
def test_functional_forms(cls):
    xs = _data((2, 4), (2, 4), seed=2)
    output = FUNCTIONAL[cls](xs, name=f"merged_{cls.__name__.lower()}")
    np.testing.assert_allclose(np.asarray(output), ELEMENTWISE[cls](xs), rtol=1e-6)
    symbolic = FUNCTIONAL[cls]([layers.Input(shape=(4,)), layers.Input(shape=(4,))])
    assert symbolic.shape == (None, 4)


def test_output_shapes_with_unknown_sizes():
    assert layers.Add().compute_output_shape([(None, 3, 4), (None, 4)]) == (None, 3, 4)
    assert layers.Add().compute_output_shape([(None, None, 4), (8, 1, 4)]) == (8, None, 4)
    assert layers.Maximum().compute_output_shape([(None, 1), (None, 5)]) == (None, 5)


# -- bad inputs ------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", list(ELEMENTWISE) + [layers.Concatenate])
def test_fewer_than_two_inputs(cls):
    (x,) = _data((2, 3))
    with pytest.raises(ValueError, match=r"merge_me.*(at least|exactly) 2.*1 input"):
        cls(name="merge_me")([x])
    with pytest.raises(ValueError, match=r"merge_me.*list"):
        cls(name="merge_me")(x)
    with pytest.raises(ValueError, match="(at least|exactly) 2"):
        cls()([layers.Input(shape=(3,))])


@pytest.mark.parametrize("cls", list(ELEMENTWISE))
def test_incompatible_shapes_name_the_layer_and_the_shapes(cls):
    xs = _data((2, 3, 4), (2, 3, 5))
    with pytest.raises(ValueError, match=r"bad_merge.*\(2, 3, 4\), \(2, 3, 5\)"):
        cls(name="bad_merge")(xs)
    with pytest.raises(ValueError, match=r"\(None, 3, 4\), \(None, 5\)"):
        cls()([layers.Input(shape=(3, 4)), layers.Input(shape=(5,))])


def test_different_batch_sizes_and_too_many_inputs():
    with pytest.raises(ValueError, match=r"batch.*\(2, 3\), \(4, 3\)"):
        layers.Add()(_data((2, 3), (4, 3)))
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Subtract()(_data((2, 3), (2, 3), (2, 3)))
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Dot(axes=1)(_data((2, 3), (2, 3), (2, 3)))


def test_a_layer_built_on_unknown_sizes_still_checks_each_call():
    layer = layers.Add(name="late_check")
    layer([layers.Input(shape=(None,)), layers.Input(shape=(None,))])
    with pytest.raises(ValueError, match=r"late_check.*\(2, 3\), \(2, 4\)"):
        layer(_data((2, 3), (2, 4)))


# -- masks -----------------------------------------------------------------------------------
MASK_A = np.array([[1, 1, 0], [1, 0, 0]], bool)
MASK_B = np.array([[1, 0, 0], [0, 0, 1]], bool)


@pytest.mark.parametrize("cls", list(ELEMENTWISE) + [layers.Concatenate])
def test_output_mask_is_the_or_of_the_input_masks(cls):
    a, b = _data((2, 3, 2), (2, 3, 2))
    output = cls()([_masked(a, MASK_A), _masked(b, MASK_B)])
    np.testing.assert_array_equal(np.asarray(output._keras_mask), MASK_A | MASK_B)


@pytest.mark.parametrize("cls", list(ELEMENTWISE))
def test_no_output_mask_when_an_input_has_none(cls):
    a, b = _data((2, 3, 2), (2, 3, 2))
    assert cls()([_masked(a, MASK_A), _masked(b, None)])._keras_mask is None


def test_add_subtract_average_ignore_masks_in_their_values():
    a, b = _data((2, 3, 2), (2, 3, 2))
    masked = [_masked(a, MASK_A), _masked(b, MASK_B)]
    for cls in (layers.Add, layers.Subtract, layers.Average):
        np.testing.assert_allclose(np.asarray(cls()(masked)), ELEMENTWISE[cls]([a, b]),
                                   rtol=1e-6)


def test_multiply_counts_masked_entries_as_one():
    a, b = _data((2, 3, 2), (2, 3, 2), seed=3)
    ma, mb = MASK_A[..., None], MASK_B[..., None]
    both = np.asarray(layers.Multiply()([_masked(a, MASK_A), _masked(b, MASK_B)]))
    expected = np.where(ma, a, 1) * np.where(mb, b, 1)
    np.testing.assert_allclose(both, np.where(ma | mb, expected, 0), rtol=1e-6)
    one = np.asarray(layers.Multiply()([_masked(a, MASK_A), _masked(b, None)]))
    np.testing.assert_allclose(one, np.where(ma, a, 1) * b, rtol=1e-6)


@pytest.mark.parametrize("cls, fold", [(layers.Maximum, np.maximum),
                                       (layers.Minimum, np.minimum)])
def test_maximum_and_minimum_never_pick_a_masked_entry(cls, fold):
    a, b = _data((2, 3, 2), (2, 3, 2), seed=4)
    ma, mb = MASK_A[..., None], MASK_B[..., None]
    got = np.asarray(cls()([_masked(a, MASK_A), _masked(b, MASK_B)]))
    b_or_a = np.where(mb, b, a)               # Keras: masked b takes the running result
    a_or_b = np.where(ma, a, b_or_a)          # masked running result takes the new value
    np.testing.assert_allclose(got, fold(a_or_b, b_or_a), rtol=1e-6)
    only_a = np.asarray(cls()([_masked(a, MASK_A), _masked(b, None)]))
    np.testing.assert_allclose(only_a, fold(np.where(ma, a, b), b), rtol=1e-6)


@pytest.mark.parametrize("name", ["Add", "Subtract", "Multiply", "Average", "Maximum",
                                  "Minimum", "Concatenate"])
@pytest.mark.parametrize("masks", [(MASK_A, MASK_B), (MASK_A, None)])
def test_keras_parity_with_masks(name, masks):
    keras = keras_or_skip()
    import torch

    a, b = _data((2, 3, 2), (2, 3, 2), seed=5)
    theirs = []
    for x, mask in zip((a, b), masks):
        tensor = torch.from_numpy(x.copy())
        tensor._keras_mask = None if mask is None else torch.from_numpy(mask.copy())
        theirs.append(tensor)
    their_output = getattr(keras.layers, name)()(theirs)
    ours = getattr(layers, name)()([_masked(a, masks[0]), _masked(b, masks[1])])
    np.testing.assert_allclose(np.asarray(ours), their_output.detach().numpy(), rtol=1e-6)
    their_mask = getattr(their_output, "_keras_mask", None)
    if their_mask is None:
        assert ours._keras_mask is None
    else:
        np.testing.assert_array_equal(np.asarray(ours._keras_mask), their_mask.numpy())


# -- Concatenate -----------------------------------------------------------------------------
@pytest.mark.parametrize("axis, shapes", [
    (-1, [(2, 3, 4), (2, 3, 2)]), (1, [(2, 3, 4), (2, 1, 4), (2, 2, 4)]),
    (2, [(2, 3, 1), (2, 3, 5)]), (-2, [(2, 2, 4), (2, 3, 4)]), (1, [(2, 3), (2, 5)]),
])
def test_concatenate(axis, shapes):
    xs = _data(*shapes, seed=6)
    expected = np.concatenate(xs, axis=axis)
    check_merge_layer(layers.Concatenate, {"axis": axis}, xs, expected=expected,
                      expected_shape=expected.shape)
    np.testing.assert_allclose(np.asarray(layers.concatenate(xs, axis=axis)), expected)
    assert layers.Concatenate(axis=axis).get_config()["axis"] == axis


def test_concatenate_shapes_and_errors():
    layer = layers.Concatenate(axis=1, name="cat")
    assert layer.compute_output_shape([(None, 3, 4), (None, 2, 4)]) == (None, 5, 4)
    assert layer.compute_output_shape([(None, None, 4), (None, 2, 4)]) == (None, None, 4)
    with pytest.raises(ValueError, match=r"cat.*\(2, 3, 4\), \(2, 2, 5\)"):
        layer(_data((2, 3, 4), (2, 2, 5)))
    with pytest.raises(ValueError, match=r"rank.*\(2, 3, 4\), \(2, 3\)"):
        layer(_data((2, 3, 4), (2, 3)))
    with pytest.raises(ValueError, match="axis"):
        layers.Concatenate(axis="last")


def test_concatenate_masks_as_keras():
    a, b = _data((2, 3, 2), (2, 3, 4))
    joined = layers.Concatenate()([_masked(a, MASK_A), _masked(b, None)])
    np.testing.assert_array_equal(np.asarray(joined._keras_mask), np.ones((2, 3), bool))
    a2, b2 = _data((2, 3, 2), (2, 2, 2))
    mask_b2 = np.array([[0, 1], [0, 0]], bool)
    in_time = layers.Concatenate(axis=1)([_masked(a2, MASK_A), _masked(b2, mask_b2)])
    np.testing.assert_array_equal(np.asarray(in_time._keras_mask),
                                  np.concatenate([MASK_A, mask_b2], axis=1))


# -- Dot -------------------------------------------------------------------------------------
def reference_dot(x1, x2, axes, normalize=False):
    """Per sample: contract axis a1 of x1 with axis a2 of x2 (np.tensordot)."""
    a1, a2 = (axes, axes) if isinstance(axes, int) else axes
    a1, a2 = a1 % x1.ndim, a2 % x2.ndim
    if normalize:
        x1 = x1 / np.linalg.norm(x1, axis=a1, keepdims=True)
        x2 = x2 / np.linalg.norm(x2, axis=a2, keepdims=True)
    out = np.stack([np.tensordot(s1, s2, axes=(a1 - 1, a2 - 1)) for s1, s2 in zip(x1, x2)])
    return out.reshape(len(x1), 1) if out.ndim == 1 else out


@pytest.mark.parametrize("axes, shapes", [
    (1, [(2, 5), (2, 5)]), (-1, [(2, 5), (2, 5)]), ([1, 1], [(2, 3, 4), (2, 3, 5)]),
    ((2, 2), [(2, 3, 4), (2, 5, 4)]), ([2, 1], [(2, 3, 4), (2, 4, 5)]),
    ([1, 2], [(2, 4), (2, 3, 4)]), (-1, [(2, 3, 4), (2, 4)]),
    ([3, 1], [(2, 2, 3, 4), (2, 4, 2, 3)]),
])
@pytest.mark.parametrize("normalize", [False, True])
def test_dot(axes, shapes, normalize):
    xs = _data(*shapes, seed=7)
    expected = reference_dot(*xs, axes, normalize)
    check_merge_layer(layers.Dot, {"axes": axes, "normalize": normalize}, xs,
                      expected=expected, expected_shape=expected.shape)


def test_dot_normalize_is_the_cosine_similarity():
    x1, x2 = _data((3, 6), (3, 6), seed=8)
    cosine = np.sum(x1 * x2, axis=1) / (np.linalg.norm(x1, axis=1) * np.linalg.norm(x2, axis=1))
    got = layers.dot([x1, x2], axes=1, normalize=True)
    np.testing.assert_allclose(np.asarray(got)[:, 0], cosine, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(layers.Dot(1, normalize=True)([x1, x1])), 1, rtol=1e-5)


def test_dot_errors_and_mask():
    with pytest.raises(ValueError, match=r"dotty.*size 4.*size 5.*\(2, 3, 4\), \(2, 3, 5\)"):
        layers.Dot(axes=2, name="dotty")(_data((2, 3, 4), (2, 3, 5)))
    with pytest.raises(ValueError, match="non-batch"):
        layers.Dot(axes=0)(_data((2, 3), (2, 3)))
    with pytest.raises(ValueError, match="non-batch"):
        layers.Dot(axes=1)(_data((2,), (2,)))
    with pytest.raises(ValueError, match="pair"):
        layers.Dot(axes=[1, 2, 3])
    with pytest.raises(TypeError, match="axes"):
        layers.Dot(axes="last")
    with pytest.raises(TypeError):
        layers.Dot()  # axes is required, as in Keras
    a, b = _data((2, 3, 2), (2, 3, 2))
    assert layers.Dot(axes=2)([_masked(a, MASK_A), _masked(b, MASK_B)])._keras_mask is None
    assert layers.Dot(axes=(1, 2)).compute_output_shape([(None, 3, 4), (None, 5, 3)]) == (
        None, 4, 5)


# -- Keras parity ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs, shapes", [
    ("Add", {}, [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
    ("Add", {}, [(2, 3, 4), (2, 4)]),
    ("Subtract", {}, [(2, 3, 4), (2, 1, 4)]),
    ("Multiply", {}, [(2, 5), (2, 5)]),
    ("Average", {}, [(2, 3, 4), (2, 3, 4), (2, 3, 1)]),
    ("Maximum", {}, [(2, 3, 4), (2, 3, 4)]),
    ("Minimum", {}, [(2, 3, 4), (2, 4)]),
    ("Concatenate", {}, [(2, 3, 4), (2, 3, 2)]),
    ("Concatenate", {"axis": 1}, [(2, 3, 4), (2, 2, 4)]),
    ("Dot", {"axes": 1}, [(2, 5), (2, 5)]),
    ("Dot", {"axes": (2, 2), "normalize": True}, [(2, 3, 4), (2, 5, 4)]),
    ("Dot", {"axes": [1, 2]}, [(2, 4), (2, 3, 4)]),
    ("Dot", {"axes": [3, 1]}, [(2, 2, 3, 4), (2, 4, 2, 3)]),
])
def test_keras_parity(name, kwargs, shapes):
    keras = keras_or_skip()
    xs = _data(*shapes, seed=9)
    assert_keras_parity(getattr(layers, name), getattr(keras.layers, name), kwargs, xs)
    keras_config = getattr(keras.layers, name)(**kwargs).get_config()
    ours = getattr(layers, name).from_config(
        {k: v for k, v in keras_config.items() if k != "name"})
    np.testing.assert_allclose(np.asarray(ours(xs)), np.asarray(getattr(layers, name)(**kwargs)(
        xs)), rtol=1e-6)
