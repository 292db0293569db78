"""timeseries_dataset_from_array, split_dataset, normalize and standardize_dtype.

Keras's timeseries_dataset_from_array needs tf.data, so the windows are compared with a
hand-written loop; split sizes and normalize are compared with Keras 3 itself, the shuffled
split order with Keras's tf.data recipe (Python's random seeded with ``seed``) written here.
"""

import random

import numpy as np
import pytest
from keras_available import keras_or_skip

from gpulayers.utils import PyDataset, standardize_dtype
from gpulayers.utils.dataset_split import DatasetSplit, split_dataset
from gpulayers.utils.normalize import normalize
from gpulayers.utils.timeseries_dataset import timeseries_dataset_from_array


def reference_windows(data, targets, length, stride, rate, start, end):
    """Every (window, target) pair, written out one by one."""
    end = len(data) if end is None else end
    pairs, position = [], start
    while position + (length - 1) * rate < end:
        if targets is not None and position - start >= len(targets):
            break
        window = np.stack([data[position + k * rate] for k in range(length)])
        pairs.append((window, None if targets is None else targets[position]))
        position += stride
    return pairs


def all_batches(dataset):
    return [dataset[i] for i in range(len(dataset))]


@pytest.mark.parametrize("length, stride, rate, start, end, batch", [
    (3, 1, 1, None, None, 4),
    (4, 2, 2, 1, 18, 3),
    (5, 3, 1, 2, None, 128),
    (2, 1, 3, None, 15, 1),
])
def test_windows_and_targets_match_loop(length, stride, rate, start, end, batch):
    data = np.arange(20 * 2, dtype="float32").reshape(20, 2)
    targets = np.arange(100, 120)
    dataset = timeseries_dataset_from_array(data, targets, length, sequence_stride=stride,
                                            sampling_rate=rate, batch_size=batch,
                                            start_index=start, end_index=end)
    assert isinstance(dataset, PyDataset)
    expected = reference_windows(data, targets, length, stride, rate, start or 0, end)
    batches = all_batches(dataset)
    assert len(batches) == -(-len(expected) // batch)
    assert all(len(x) <= batch for x, _ in batches)
    windows = np.concatenate([x for x, _ in batches])
    labels = np.concatenate([y for _, y in batches])
    np.testing.assert_array_equal(windows, np.stack([w for w, _ in expected]))
    np.testing.assert_array_equal(labels, [t for _, t in expected])


def test_short_targets_limit_windows_and_no_targets_gives_windows_only():
    data = np.arange(10)
    limited = all_batches(timeseries_dataset_from_array(data, np.arange(3), 2, batch_size=8))
    assert len(limited[0][0]) == 3
    plain = timeseries_dataset_from_array(data, None, 3, batch_size=2)
    np.testing.assert_array_equal(plain[0], [[0, 1, 2], [1, 2, 3]])
    single = timeseries_dataset_from_array(data, None, 3, batch_size=None)
    assert len(single) == 8
    np.testing.assert_array_equal(single[7], [7, 8, 9])


def test_shuffle_uses_keras_random_state_order():
    data = np.arange(30)
    dataset = timeseries_dataset_from_array(data, data * 10, 4, sequence_stride=2,
                                            batch_size=5, shuffle=True, seed=7)
    starts = np.arange(0, 30 - 3, 2, dtype="int32")
    np.random.RandomState(7).shuffle(starts)  # Keras's order of window starts
    windows = np.concatenate([x for x, _ in all_batches(dataset)])
    np.testing.assert_array_equal(windows[:, 0], starts)
    np.testing.assert_array_equal(np.concatenate([y for _, y in all_batches(dataset)]),
                                  starts * 10)
    again = timeseries_dataset_from_array(data, None, 4, sequence_stride=2, batch_size=5,
                                          shuffle=True, seed=7)
    np.testing.assert_array_equal(np.concatenate(all_batches(again)), windows)


@pytest.mark.parametrize("kwargs, match", [
    ({"sequence_length": 0}, "sequence_length"),
    ({"sequence_length": 2, "sampling_rate": 0}, "sampling_rate"),
    ({"sequence_length": 2, "sequence_stride": 10}, "sequence_stride"),
    ({"sequence_length": 2, "start_index": -1}, "start_index"),
    ({"sequence_length": 2, "start_index": 5, "end_index": 3}, "end_index"),
    ({"sequence_length": 2, "end_index": 10}, "end_index"),
    ({"sequence_length": 2, "batch_size": 0}, "batch_size"),
])
def test_timeseries_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        timeseries_dataset_from_array(np.arange(10), None, **kwargs)
    with pytest.raises(IndexError):
        timeseries_dataset_from_array(np.arange(10), None, 2, batch_size=4)[3]


# -- split_dataset ------------------------------------------------------------------------
@pytest.mark.parametrize("left, right", [
    (0.3, None), (None, 0.25), (4, None), (None, 3), (0.5, 0.2), (2, 5), (0.8, 2),
])
def test_split_sizes_match_keras(left, right):
    keras = keras_or_skip()
    from keras.src.utils import dataset_utils

    expected = dataset_utils._rescale_dataset_split_sizes(left, right, 10)
    ours = split_dataset(np.arange(10), left_size=left, right_size=right)
    assert (len(ours[0]), len(ours[1])) == expected
    if sum(expected) < 10:
        return  # Keras's torch path cannot drop the middle (torch's random_split raises)
    # Keras's own split (torch datasets under the torch backend) has the same lengths.
    theirs = keras.utils.split_dataset(np.arange(10), left_size=left, right_size=right,
                                       preferred_backend="torch")
    assert (len(theirs[0]), len(theirs[1])) == expected


def test_unshuffled_split_takes_front_and_back():
    x, y = np.arange(10) * 2, np.arange(10)
    left, right = split_dataset((x, y), left_size=3, right_size=4)
    assert isinstance(left, DatasetSplit) and isinstance(left, PyDataset)
    assert [left[i] for i in range(3)] == [(0, 0), (2, 1), (4, 2)]
    assert [int(right[i][1]) for i in range(4)] == [6, 7, 8, 9]  # the middle is dropped
    batched = left.batch(2)
    assert len(batched) == 2
    np.testing.assert_array_equal(batched[0][0], [0, 2])
    np.testing.assert_array_equal(batched[1][1], [2])


def test_shuffled_split_follows_seeded_python_random():
    x = np.arange(12) * 10
    left, right = split_dataset(x, left_size=0.5, shuffle=True, seed=3)
    order = list(range(12))
    random.seed(3)                # Keras's tf.data path: random.seed(seed); random.shuffle
    random.shuffle(order)
    assert [int(left[i]) for i in range(6)] == [10 * i for i in order[:6]]
    assert [int(right[i]) for i in range(6)] == [10 * i for i in order[6:]]
    again, _ = split_dataset(x, left_size=0.5, shuffle=True, seed=3)
    assert [int(again[i]) for i in range(6)] == [int(left[i]) for i in range(6)]


class Batches(PyDataset):
    def __init__(self, x, y, size):
        super().__init__()
        self.x, self.y, self.size = x, y, size

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, index):
        rows = slice(index * self.size, (index + 1) * self.size)
        return self.x[rows], self.y[rows]


def test_split_pydataset_by_samples_keeps_batch_size():
    x, y = np.arange(14, dtype="float32").reshape(7, 2), np.arange(7)
    left, right = split_dataset(Batches(x, y, 3), left_size=5)
    assert (len(left), len(right)) == (2, 1)           # 5 and 2 samples in batches of 3
    np.testing.assert_array_equal(left[1][0], x[3:5])
    np.testing.assert_array_equal(right[0][1], y[5:])


@pytest.mark.parametrize("args, error", [
    ((np.arange(5),), ValueError),                         # no size
    ((np.arange(5), 0), ValueError),
    ((np.arange(5), 1.5), ValueError),
    ((np.arange(5), "half"), TypeError),
    ((np.arange(5), 0.7, 0.7), ValueError),
    (((np.arange(5), np.arange(4)), 2), ValueError),      # different lengths
    (({"x": np.arange(5)}, 2), TypeError),
])
def test_split_bad_arguments(args, error):
    with pytest.raises(error):
        split_dataset(*args)


# -- normalize, standardize_dtype ---------------------------------------------------------
@pytest.mark.parametrize("axis, order", [(-1, 2), (0, 1), (1, 2)])
def test_normalize_matches_keras(axis, order):
    keras = keras_or_skip()
    x = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
    ours = normalize(x, axis=axis, order=order)
    np.testing.assert_allclose(ours, keras.utils.normalize(x, axis=axis, order=order))
    assert isinstance(ours, np.ndarray)


def test_normalize_tensor_input_and_bad_order():
    from gpulayers import backend, ops

    x = ops.convert_to_tensor(np.array([[3.0, 4.0]], dtype="float32"))
    np.testing.assert_allclose(backend.to_numpy(normalize(x)), [[0.6, 0.8]], rtol=1e-6)
    with pytest.raises(ValueError, match="order"):
        normalize(np.ones(3), order=0)


@pytest.mark.parametrize("dtype", [None, "float16", np.float64, np.dtype("int8"), int, bool,
                                   float, "uint32"])
def test_standardize_dtype_matches_keras(dtype):
    keras = keras_or_skip()
    assert standardize_dtype(dtype) == keras.utils.standardize_dtype(dtype)
    with pytest.raises(ValueError, match="Invalid dtype"):  # as Keras
        standardize_dtype("not_a_dtype")
