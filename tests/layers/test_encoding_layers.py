"""CategoryEncoding and Discretization against Keras 3; Hashing and HashedCrossing against
the TensorFlow outputs printed in Keras's docstrings and tests (TF is not installed here)."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing.category_encoding import CategoryEncoding
from gpulayers.layers.preprocessing.discretization import Discretization
from gpulayers.layers.preprocessing.hashed_crossing import HashedCrossing
from gpulayers.layers.preprocessing.hashing import Hashing

_IDS_2D = np.array([[0, 1, 3], [2, 2, 0], [3, 3, 3]])


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("ids", [np.array([0, 2, 1, 3]), np.array([[1], [3]]), _IDS_2D])
def test_category_encoding_matches_keras(mode, ids):
    keras = keras_or_skip()
    ours = CategoryEncoding(num_tokens=5, output_mode=mode)(ids)
    theirs = keras.layers.CategoryEncoding(num_tokens=5, output_mode=mode)(ids)
    np.testing.assert_array_equal(ours.numpy(), to_numpy(theirs))
    assert ours.dtype == "float32"
    assert CategoryEncoding(5, mode).compute_output_shape(ids.shape) == ours.shape


def test_category_encoding_count_weights_and_hand_values():
    layer = CategoryEncoding(num_tokens=4, output_mode="count")
    out = layer([[0, 1, 1], [3, 3, 2]], count_weights=[[0.5, 1.0, 2.0], [1.0, 1.0, 4.0]])
    np.testing.assert_allclose(out.numpy(), [[0.5, 3.0, 0, 0], [0, 0, 4.0, 2.0]])
    multi = CategoryEncoding(4)([[0, 1], [0, 0], [1, 2], [3, 1]])  # Keras docstring
    np.testing.assert_array_equal(multi.numpy(), [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0],
                                                  [0, 1, 0, 1]])


def test_category_encoding_errors_and_config():
    with pytest.raises(ValueError, match="num_tokens"):
        CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode"):
        CategoryEncoding(3, output_mode="int")
    with pytest.raises(ValueError, match="sparse"):
        CategoryEncoding(3, sparse=True)
    layer = CategoryEncoding(3, output_mode="one_hot", name="enc")
    with pytest.raises(ValueError, match="enc.*range"):
        layer([0, 3])
    with pytest.raises(ValueError, match="count_weights"):
        layer([0, 1], count_weights=[1.0, 1.0])
    clone = deserialize(serialize(CategoryEncoding(3, output_mode="count")))
    assert clone.get_config()["num_tokens"] == 3 and clone.output_mode == "count"


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_matches_keras(mode):
    keras = keras_or_skip()
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, np.nan]], dtype="float32")
    boundaries = [0.0, 1.0, 2.0]
    ours = Discretization(bin_boundaries=boundaries, output_mode=mode)(x)
    theirs = keras.layers.Discretization(bin_boundaries=boundaries, output_mode=mode)(x)
    np.testing.assert_array_equal(ours.numpy(), to_numpy(theirs))
    assert ours.dtype == str(to_numpy(theirs).dtype)


def test_discretization_hand_values():
    # bucket i holds boundaries[i-1] <= x < boundaries[i] (Keras docstring example).
    out = Discretization(bin_boundaries=[0.0, 1.0, 2.0])([[-1.5, 1.0, 3.4, 0.5],
                                                          [0.0, 3.0, 1.3, 0.0]])
    np.testing.assert_array_equal(out.numpy(), [[0, 2, 3, 1], [1, 3, 2, 1]])


def test_discretization_adapt_matches_keras_for_arrays_and_batches():
    keras = keras_or_skip()
    data = np.random.default_rng(0).normal(size=(300, 2)).astype("float32")
    ours = Discretization(num_bins=4, epsilon=0.01)
    ours.adapt(data)
    # Keras's adapt() checks for tf.data (needs TensorFlow); drive its update/finalize.
    theirs = keras.layers.Discretization(num_bins=4, epsilon=0.01)
    theirs.update_state(data)
    theirs.finalize_state()
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    batched = Discretization(num_bins=4, epsilon=0.01)
    batched.adapt([data[:100], data[100:]])
    keras_batched = keras.layers.Discretization(num_bins=4, epsilon=0.01)
    keras_batched.update_state(data[:100])
    keras_batched.update_state(data[100:])
    keras_batched.finalize_state()
    np.testing.assert_allclose(batched.bin_boundaries, keras_batched.bin_boundaries,
                               rtol=1e-6)
    np.testing.assert_array_equal(ours(data).numpy(), to_numpy(theirs(data)))


def test_discretization_adapt_quartiles_by_hand_and_config():
    layer = Discretization(num_bins=4, epsilon=0.01)
    layer.adapt(np.arange(1000, dtype="float32"))
    np.testing.assert_allclose(layer.bin_boundaries, [250, 500, 750], atol=2)
    clone = Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries and clone.num_bins == 4
    x = np.array([10.0, 600.0, 999.0])
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


def test_discretization_errors():
    with pytest.raises(ValueError, match="either"):
        Discretization()
    with pytest.raises(ValueError, match="both"):
        Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match="adapt"):
        Discretization(bin_boundaries=[0.0]).adapt([1.0, 2.0])
    with pytest.raises(ValueError, match="adapt"):
        Discretization(num_bins=3)(np.array([1.0]))
    with pytest.raises(ValueError, match="output_mode"):
        Discretization(bin_boundaries=[0.0], output_mode="tf_idf")


# Expected values below are TensorFlow's outputs, copied from Keras's hashing_test.py.
_WORDS = [["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]]


@pytest.mark.parametrize("kwargs, inputs, expected", [
    ({"num_bins": 3}, [["A"], ["B"], ["C"], ["D"], ["E"]], [[1], [0], [1], [1], [2]]),
    ({"num_bins": 3, "mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]],
     [[1], [1], [0], [2], [2]]),
    ({"num_bins": 3, "salt": [133, 137]}, [["A"], ["B"], ["C"], ["D"], ["E"]],
     [[1], [2], [1], [0], [2]]),
    ({"num_bins": 3, "salt": 133}, [["A"], ["B"], ["C"], ["D"], ["E"]],
     [[0], [0], [2], [1], [0]]),
    ({"num_bins": 2}, np.asarray(_WORDS), [[0], [0], [1], [0], [0]]),
    ({"num_bins": 2}, ["omar", "stringer", "marlo", "wire", "skywalker"], [0, 0, 1, 0, 0]),
    ({"num_bins": 3, "mask_value": "omar"}, np.asarray(_WORDS), [[0], [1], [2], [1], [1]]),
    ({"num_bins": 2, "salt": [211, 137]}, np.asarray(_WORDS), [[1], [0], [1], [0], [1]]),
    ({"num_bins": 3}, np.asarray([[0], [1], [2], [3], [4]]), [[1], [0], [1], [0], [2]]),
    ({"num_bins": 3, "salt": [133, 137]}, np.asarray([[0], [1], [2], [3], [4]]),
     [[1], [1], [2], [0], [1]]),
    ({"num_bins": 3}, (0, 1, 2, 3, 4), [1, 0, 1, 0, 2]),
    ({"num_bins": 1}, np.asarray([["A"], ["B"]]), [[0], [0]]),
    ({"num_bins": 2}, [[[1], [2]], [[2], [3]], [[3], [4]]], [[[1], [1]], [[1], [1]],
                                                             [[1], [1]]]),
])
def test_hashing_matches_tensorflow_outputs(kwargs, inputs, expected):
    out = Hashing(**kwargs)(inputs)
    assert out.dtype == "int64"
    np.testing.assert_array_equal(out.numpy(), expected)


def test_hashing_encoded_outputs_from_keras_tests():
    one_hot = Hashing(num_bins=3, output_mode="one_hot")(np.array([[0], [1], [2], [3], [4]]))
    np.testing.assert_array_equal(one_hot.numpy(), [[0, 1, 0], [1, 0, 0], [0, 1, 0],
                                                    [1, 0, 0], [0, 0, 1]])
    assert one_hot.dtype == "float32"
    multi = Hashing(num_bins=3, output_mode="multi_hot")(np.array([[0, 1, 2, 3, 4]]))
    np.testing.assert_array_equal(multi.numpy(), [[1, 1, 1]])
    np.testing.assert_array_equal(Hashing(num_bins=3, output_mode="count")(
        np.array([0, 1, 2, 3, 4])).numpy(), [2, 2, 1])
    assert Hashing(num_bins=3, output_mode="count").compute_output_shape((None, 5)) == (
        None, 3)


def test_hashing_ints_hash_as_their_decimal_strings_and_config():
    ints = Hashing(num_bins=7, salt=5)(np.array([[10, -3], [123456789, 0]]))
    strings = Hashing(num_bins=7, salt=5)([["10", "-3"], ["123456789", "0"]])
    np.testing.assert_array_equal(ints.numpy(), strings.numpy())
    layer = Hashing(num_bins=4, salt=9, mask_value="x", name="h")
    clone = deserialize(serialize(layer))
    assert clone.get_config() == layer.get_config()
    assert clone.salt == [9, 9]


def test_hashing_errors():
    with pytest.raises(ValueError, match="num_bins"):
        Hashing(num_bins=None)
    with pytest.raises(ValueError, match="num_bins"):
        Hashing(num_bins=-1)
    with pytest.raises(ValueError, match="salt"):
        Hashing(num_bins=2, salt="string")
    with pytest.raises(ValueError, match="salt"):
        Hashing(num_bins=2, salt=[1])
    with pytest.raises(ValueError, match="dtype"):
        Hashing(num_bins=2, dtype="float32")
    with pytest.raises(ValueError, match="sparse"):
        Hashing(num_bins=2, output_mode="one_hot", sparse=True)


def test_hashed_crossing_matches_tensorflow_outputs():
    # TF outputs printed in Keras's HashedCrossing docstring.
    feat1 = np.array(["A", "B", "A", "B", "A"])
    feat2 = np.array([101, 101, 101, 102, 102])
    out = HashedCrossing(num_bins=5)((feat1, feat2))
    np.testing.assert_array_equal(out.numpy(), [1, 4, 1, 1, 3])
    assert out.dtype == "int64"
    column = HashedCrossing(num_bins=5)((feat1[:, None], feat2[:, None]))
    np.testing.assert_array_equal(column.numpy(), [[1], [4], [1], [1], [3]])
    one_hot = HashedCrossing(num_bins=5, output_mode="one_hot")((feat1, feat2))
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5)[[1, 4, 1, 1, 3]])
    scalar = HashedCrossing(num_bins=5)(("A", 101))
    assert scalar.shape == () and int(scalar.numpy()) == 1


def test_hashed_crossing_errors_and_config():
    layer = HashedCrossing(num_bins=5, name="cross")
    with pytest.raises(ValueError, match="cross.*at least two"):
        layer(np.array([1, 2]))
    with pytest.raises(ValueError, match="equal shapes"):
        layer((np.array([1, 2]), np.array([1, 2, 3])))
    with pytest.raises(ValueError, match="integer or string"):
        layer((np.array([1.5]), np.array([1])))
    with pytest.raises(ValueError, match="output_mode"):
        HashedCrossing(num_bins=5, output_mode="multi_hot")
    clone = deserialize(serialize(HashedCrossing(num_bins=3, output_mode="one_hot")))
    assert clone.num_bins == 3 and clone.output_mode == "one_hot"
