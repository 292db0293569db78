"""utils.pad_sequences against hand-written Keras results."""

import numpy as np
import pytest

from gpulayers.utils import pad_sequences

SEQUENCES = [[1, 2, 3], [4], [5, 6]]


@pytest.mark.parametrize("padding, truncating, maxlen, expected", [
    ("pre", "pre", None, [[1, 2, 3], [0, 0, 4], [0, 5, 6]]),
    ("post", "pre", None, [[1, 2, 3], [4, 0, 0], [5, 6, 0]]),
    ("pre", "pre", 2, [[2, 3], [0, 4], [5, 6]]),      # 'pre' truncating drops the start
    ("pre", "post", 2, [[1, 2], [0, 4], [5, 6]]),     # 'post' drops the end
    ("post", "post", 4, [[1, 2, 3, 0], [4, 0, 0, 0], [5, 6, 0, 0]]),
])
def test_padding_and_truncating(padding, truncating, maxlen, expected):
    result = pad_sequences(SEQUENCES, maxlen=maxlen, padding=padding, truncating=truncating)
    assert result.dtype == np.int32
    np.testing.assert_array_equal(result, expected)


def test_value_dtype_vector_items_and_empty_sequences():
    result = pad_sequences([[0.5], []], maxlen=2, dtype="float32", value=-1.0)
    np.testing.assert_array_equal(result, [[-1.0, 0.5], [-1.0, -1.0]])
    vectors = pad_sequences([np.ones((1, 2)), np.zeros((2, 2))], padding="post")
    assert vectors.shape == (2, 2, 2)
    np.testing.assert_array_equal(vectors[0], [[1, 1], [0, 0]])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`padding` must be 'pre' or 'post'"):
        pad_sequences(SEQUENCES, padding="middle")
    with pytest.raises(ValueError, match="`maxlen` must be a non-negative integer"):
        pad_sequences(SEQUENCES, maxlen=-1)
    with pytest.raises(ValueError, match="sequence 1 has items of shape"):
        pad_sequences([np.ones((1, 2)), np.ones((1, 3))])
