"""TextVectorization: Keras's docstring examples (TensorFlow's outputs) and hand-computed
standardization, splitting, n-grams, padding and encodings."""

import string

import numpy as np
import pytest

from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing.text_vectorization import TextVectorization


def test_docstring_adapt_example():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    out = layer([["foo qux bar"], ["qux baz"]])
    assert out.dtype == "int64"
    np.testing.assert_array_equal(out.numpy(), [[4, 1, 3, 0], [1, 2, 0, 0]])
    # bar:2, baz:2 (ties: 'baz' > 'bar'), then the count-1 tokens in descending order.
    assert layer.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]


def test_docstring_vocabulary_example():
    layer = TextVectorization(output_mode="int", output_sequence_length=4,
                              vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    np.testing.assert_array_equal(layer([["earth wind and also fire"]]).numpy(),
                                  [[2, 3, 4, 1]])


def test_standardize_strips_exactly_ascii_punctuation_and_lowers_ascii():
    text = "HeLLo" + string.punctuation + " WÖrld¿ a_b"
    layer = TextVectorization(split=None, output_mode="int", vocabulary=["x"])
    assert layer._preprocess(np.array([text])).tolist() == ["hello wÖrld¿ ab"]
    lower = TextVectorization(standardize="lower", split=None, vocabulary=["x"])
    assert lower._preprocess([["A.B"]]).tolist() == [["a.b"]]
    strip = TextVectorization(standardize="strip_punctuation", split=None, vocabulary=["x"])
    assert strip._preprocess(["A.B!"]).tolist() == ["AB"]
    custom = TextVectorization(standardize=lambda x: np.char.upper(x), split=None,
                               vocabulary=["X"])
    np.testing.assert_array_equal(custom(["x", "y"]).numpy(), [2, 1])


def test_splits_and_ngrams():
    chars = TextVectorization(split="character", standardize=None, vocabulary=["a", "b"])
    np.testing.assert_array_equal(chars(["ab", "bca"]).numpy(), [[2, 3, 0], [3, 1, 2]])
    # ASCII whitespace only (tab, newline, runs), as tf.strings.split.
    words = TextVectorization(vocabulary=["a", "b", "c"])
    np.testing.assert_array_equal(words(["a\tb\n\n c", " b "]).numpy(), [[2, 3, 4], [3, 0, 0]])
    grams = TextVectorization(ngrams=2, vocabulary=["a", "b", "a b", "b c"])
    np.testing.assert_array_equal(grams(["a b c"]).numpy(), [[2, 3, 1, 4, 5]])
    widths = TextVectorization(ngrams=(2, 3), vocabulary=["a b c"])
    np.testing.assert_array_equal(widths(["a b c"]).numpy(), [[1, 1, 2]])
    callable_split = TextVectorization(split=lambda s: s.split(","), standardize=None,
                                       vocabulary=["x", "y"])
    np.testing.assert_array_equal(callable_split(["x,y,z"]).numpy(), [[2, 3, 1]])


def test_output_sequence_length_truncates_and_pads():
    layer = TextVectorization(vocabulary=["a", "b"], output_sequence_length=2)
    np.testing.assert_array_equal(layer(["a b a b", "b", ""]).numpy(),
                                  [[2, 3], [3, 0], [0, 0]])
    assert layer.compute_output_shape((None,)) == (None, 2)


def test_multi_hot_count_and_tf_idf():
    docs = ["a b b", "b c"]
    multi = TextVectorization(output_mode="multi_hot")
    multi.adapt(docs)
    assert multi.get_vocabulary() == ["[UNK]", "b", "c", "a"]
    np.testing.assert_array_equal(multi(["b b z", "a"]).numpy(), [[1, 1, 0, 0], [0, 0, 0, 1]])
    count = TextVectorization(output_mode="count", vocabulary=["b", "c", "a"])
    np.testing.assert_array_equal(count(["b b z", "a"]).numpy(), [[1, 2, 0, 0], [0, 0, 0, 1]])
    tf_idf = TextVectorization(output_mode="tf_idf")
    tf_idf.adapt(docs)
    idf = {"b": np.log(1 + 2 / 3), "c": np.log(1 + 2 / 2), "a": np.log(1 + 2 / 2)}
    oov = np.mean(list(idf.values()))
    np.testing.assert_allclose(tf_idf(["b b z"]).numpy(), [[oov, 2 * idf["b"], 0, 0]],
                               rtol=1e-6)
    padded = TextVectorization(output_mode="multi_hot", max_tokens=6, pad_to_max_tokens=True,
                               vocabulary=["a"])
    assert padded(["a"]).shape == (1, 6)


def test_adapt_from_batches_and_max_tokens():
    layer = TextVectorization(max_tokens=4)
    layer.adapt(iter([np.array(["x y y"]), np.array(["z y x"])]))
    assert layer.get_vocabulary() == ["", "[UNK]", "y", "x"]
    assert layer.vocabulary_size() == 4


def test_config_round_trip_keeps_vocabulary():
    layer = TextVectorization(ngrams=2, output_mode="int", output_sequence_length=5)
    layer.adapt(["the cat sat", "the dog"])
    clone = deserialize(serialize(layer))
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(clone(["the cat ran"]).numpy(),
                                  layer(["the cat ran"]).numpy())
    config = layer.get_config()
    assert config["vocabulary_size"] == layer.vocabulary_size() and config["ngrams"] == 2


def test_errors():
    with pytest.raises(ValueError, match="standardize"):
        TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="split"):
        TextVectorization(split="comma")
    with pytest.raises(ValueError, match="output_sequence_length"):
        TextVectorization(output_mode="multi_hot", output_sequence_length=3)
    with pytest.raises(ValueError, match="ngrams"):
        TextVectorization(ngrams="2")
    with pytest.raises(ValueError, match="ragged"):
        TextVectorization(ragged=True)
    with pytest.raises(ValueError, match="sparse"):
        TextVectorization(output_mode="multi_hot", sparse=True)
    layer = TextVectorization(vocabulary=["a"], name="tv")
    with pytest.raises(ValueError, match="tv.*last dimension must be 1"):
        layer([["a", "b"]])
    with pytest.raises(TypeError, match="tv.*string"):
        layer(np.array([1, 2]))
