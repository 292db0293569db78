"""StringLookup / IntegerLookup: Keras's docstring examples (TensorFlow's outputs) and
hand-computed cases (TensorFlow is not installed, so Keras's own layers cannot run here)."""

import numpy as np
import pytest

from gpulayers.backend.string_hashing import fingerprint64
from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing.integer_lookup import IntegerLookup
from gpulayers.layers.preprocessing.string_lookup import StringLookup

_VOCAB = ["a", "b", "c", "d"]
_DATA = [["a", "c", "d"], ["d", "z", "b"]]


def test_string_lookup_docstring_examples():
    out = StringLookup(vocabulary=_VOCAB)(_DATA)
    assert out.dtype == "int64"
    np.testing.assert_array_equal(out.numpy(), [[1, 3, 4], [4, 0, 2]])
    two_oov = StringLookup(vocabulary=_VOCAB, num_oov_indices=2)([["a", "c", "d"],
                                                                  ["m", "z", "b"]])
    # OOV buckets FarmHash64(token) % 2: TF printed 'm' -> 0, 'z' -> 1.
    np.testing.assert_array_equal(two_oov.numpy(), [[2, 4, 5], [0, 1, 3]])
    one_hot = StringLookup(vocabulary=_VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"])
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5)[[1, 2, 3, 4, 0]])
    data = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    multi = StringLookup(vocabulary=_VOCAB, output_mode="multi_hot")(data)
    np.testing.assert_array_equal(multi.numpy(), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    count = StringLookup(vocabulary=_VOCAB, output_mode="count")(data)
    np.testing.assert_array_equal(count.numpy(), [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    tf_idf = StringLookup(vocabulary=_VOCAB, output_mode="tf_idf",
                          idf_weights=[0.25, 0.75, 0.6, 0.4])(data)
    np.testing.assert_allclose(tf_idf.numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]])
    inverse = StringLookup(vocabulary=_VOCAB, invert=True)([[1, 3, 4], [4, 0, 2]])
    np.testing.assert_array_equal(inverse, [["a", "c", "d"], ["d", "[UNK]", "b"]])


def test_string_lookup_adapt_orders_by_count_then_token_descending():
    layer = StringLookup()
    layer.adapt(np.array([["b", "a", "c"], ["c", "a", "d"], ["a", "e", "d"]]))
    # a:3, c:2, d:2, b:1, e:1 -> ties broken by the token, highest first.
    assert layer.get_vocabulary() == ["[UNK]", "a", "d", "c", "e", "b"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["a", "d", "c", "e", "b"]
    assert layer.vocabulary_size() == 6
    batches = StringLookup(max_tokens=3)
    batches.adapt(iter([["b", "a", "c"], ["c", "a", "d"], ["a", "e", "d"]]))
    assert batches.get_vocabulary() == ["[UNK]", "a", "d"]


def test_mask_token_and_special_tokens_in_vocabulary():
    layer = StringLookup(vocabulary=_VOCAB, mask_token="")
    np.testing.assert_array_equal(layer([["a", "", "z"]]).numpy(), [[2, 0, 1]])
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b", "c", "d"]
    with_specials = StringLookup(vocabulary=["", "[UNK]", "a", "b"], mask_token="")
    assert with_specials.get_vocabulary() == ["", "[UNK]", "a", "b"]
    multi = StringLookup(vocabulary=_VOCAB, mask_token="", output_mode="multi_hot")
    # No mask index in encoded modes: the mask token is dropped.
    np.testing.assert_array_equal(multi([["a", ""]]).numpy(), [[0, 1, 0, 0, 0]])


def test_tf_idf_adapt_by_hand():
    layer = StringLookup(output_mode="tf_idf")
    layer.adapt([["a", "a", "b"], ["a", "c", "c"]])
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    idf = {"a": np.log(1 + 2 / 3), "c": np.log(1 + 2 / 2), "b": np.log(1 + 2 / 2)}
    oov = np.mean(list(idf.values()))
    out = layer([["a", "a", "c", "q"]]).numpy()
    np.testing.assert_allclose(out, [[oov, 2 * idf["a"], idf["c"], 0]], rtol=1e-6)


def test_integer_lookup_docstring_examples_and_floormod_oov():
    vocab = [12, 36, 1138, 42]
    data = [[12, 1138, 42], [42, 1000, 36]]
    np.testing.assert_array_equal(IntegerLookup(vocabulary=vocab)(data).numpy(),
                                  [[1, 3, 4], [4, 0, 2]])
    # Two OOV indices: 1000 % 2 = 0 (floormod).
    np.testing.assert_array_equal(IntegerLookup(vocabulary=vocab, num_oov_indices=2)(
        data).numpy(), [[2, 4, 5], [5, 0, 3]])
    inverse = IntegerLookup(vocabulary=vocab, invert=True)([[1, 3, 4], [4, 0, 2]])
    assert inverse.dtype == "int64"
    np.testing.assert_array_equal(inverse.numpy(), [[12, 1138, 42], [42, -1, 36]])
    layer = IntegerLookup()
    layer.adapt(np.array([[12, 1138, 42], [42, 1000, 36], [36, 1138, 42]]))
    assert layer.get_vocabulary() == [-1, 42, 1138, 36, 1000, 12]


def test_integer_lookup_farmhash_oov_hashes_decimal_strings():
    layer = IntegerLookup(vocabulary=[1, 2], num_oov_indices=3, oov_method="farmhash")
    out = layer([7, 1, -5]).numpy()
    assert out.tolist() == [fingerprint64("7") % 3, 3, fingerprint64("-5") % 3]
    with pytest.raises(ValueError, match="salt"):
        IntegerLookup(salt=3)


def test_zero_oov_indices_rejects_unknown_tokens():
    layer = StringLookup(vocabulary=_VOCAB, num_oov_indices=0, name="strict")
    np.testing.assert_array_equal(layer(["a", "d"]).numpy(), [0, 3])
    with pytest.raises(ValueError, match="strict.*OOV values \\['z'\\]"):
        layer(["a", "z"])


def test_config_round_trip_keeps_vocabulary():
    adapted = StringLookup(output_mode="count", name="words")
    adapted.adapt(["x", "y", "y"])
    clone = deserialize(serialize(adapted))
    assert clone.get_vocabulary() == adapted.get_vocabulary() == ["[UNK]", "y", "x"]
    np.testing.assert_array_equal(clone([["y", "q", "y"]]).numpy(),
                                  adapted([["y", "q", "y"]]).numpy())
    config = IntegerLookup(vocabulary=[5, 6], mask_token=0).get_config()
    assert config["vocabulary"] == [5, 6] and config["vocabulary_dtype"] == "int64"
    assert "vocabulary_dtype" not in StringLookup().get_config()
    idf = StringLookup(output_mode="tf_idf")
    idf.adapt([["a", "b"], ["a", "a"]])
    clone = StringLookup.from_config(idf.get_config())
    np.testing.assert_allclose(clone([["a", "b", "q"]]).numpy(), idf([["a", "b", "q"]]).numpy())


def test_set_vocabulary_and_errors():
    layer = StringLookup(name="lk")
    layer.set_vocabulary(["x", "y"])
    assert layer.get_vocabulary() == ["[UNK]", "x", "y"]
    with pytest.raises(ValueError, match="repeated"):
        layer.set_vocabulary(["x", "x"])
    with pytest.raises(ValueError, match="empty"):
        layer.set_vocabulary([])
    with pytest.raises(ValueError, match="max_tokens"):
        StringLookup(max_tokens=2, vocabulary=["a", "b"])
    with pytest.raises(ValueError, match="invert"):
        StringLookup(invert=True, output_mode="multi_hot")
    with pytest.raises(ValueError, match="sparse"):
        StringLookup(output_mode="multi_hot", sparse=True)
    with pytest.raises(ValueError, match="idf_weights"):
        StringLookup(vocabulary=["a"], output_mode="tf_idf")
    with pytest.raises(RuntimeError, match="vocabulary"):
        StringLookup(output_mode="multi_hot")(["a"])
    with pytest.raises(TypeError, match="lk.*string"):
        layer([1, 2])
    with pytest.raises(ValueError, match="static vocabulary"):
        StringLookup(vocabulary=["a"]).adapt(["a"])
    with pytest.raises(ValueError, match="vocabulary_dtype"):
        IntegerLookup(vocabulary_dtype="int32")


def test_pad_to_max_tokens_output_shape():
    layer = StringLookup(vocabulary=["a", "b"], output_mode="multi_hot", max_tokens=6,
                         pad_to_max_tokens=True)
    out = layer([["a", "b"], ["b", "z"]])
    np.testing.assert_array_equal(out.numpy(), [[0, 1, 1, 0, 0, 0], [1, 0, 1, 0, 0, 0]])
    assert layer.compute_output_shape((None, 2)) == (None, 6)
