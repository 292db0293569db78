"""PyDataset (keras.utils.PyDataset / Sequence) as fit/evaluate/predict input, and
to_categorical."""

import math

import numpy as np
import pytest
from training_fixtures import frozen_model, regression_data, two_layer_model

from gpulayers import optimizers
from gpulayers.utils import PyDataset, Sequence, to_categorical


class Batches(PyDataset):
    """Fixed-order batches of arrays; records its hooks and the indices it was asked for."""

    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.events = []

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        self.events.append(index)
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")


def _sgd_model():
    model = two_layer_model()
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    return model


@pytest.mark.parametrize("workers", [1, 3])
def test_fit_on_a_py_dataset_equals_fit_on_the_same_arrays_without_shuffling(workers):
    x, y = regression_data(10)
    expected = _sgd_model().fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    dataset = Batches(x, y, 4, workers=workers, max_queue_size=2)
    got = _sgd_model().fit(dataset, epochs=3, verbose=0)
    np.testing.assert_allclose(got.history["loss"], expected.history["loss"], rtol=1e-6)
    # one pass per epoch, in index order, inside its begin/end hooks
    assert dataset.events == ["begin", 0, 1, 2, "end"] * 3


def test_steps_per_epoch_continues_through_the_pass_and_restarts_it():
    x, y = regression_data(12)
    dataset = Batches(x, y, 4)
    # 3 batches, 2 steps per epoch: epoch 2 gets batch 2, then the pass runs out (Keras
    # warns and ends the epoch there); epoch 3 starts a new pass.
    with pytest.warns(UserWarning, match="ran out of data"):
        frozen_model(units=2).fit(dataset, epochs=3, steps_per_epoch=2, verbose=0)
    assert dataset.events == ["begin", 0, 1, 2, "end", "begin", 0, 1]


def test_evaluate_and_predict_take_a_py_dataset_and_validation_data_may_be_one():
    x, y = regression_data(10)
    model = _sgd_model()
    expected = model.evaluate(x, y, batch_size=4, verbose=0)
    assert model.evaluate(Batches(x, y, 4), verbose=0) == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(model.predict(Batches(x, y, 4), verbose=0),
                               model.predict(x, batch_size=4, verbose=0), rtol=1e-6)
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=Batches(x, y, 4))
    # validation ran on the weights the epoch ended with, which evaluate() sees now
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x, y, verbose=0, batch_size=4), rel=1e-6)


def test_a_py_dataset_takes_no_separate_targets_and_no_validation_split():
    x, y = regression_data(8)
    model = _sgd_model()
    with pytest.raises(ValueError, match="PyDataset yields the targets"):
        model.fit(Batches(x, y, 4), y, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(Batches(x, y, 4), validation_split=0.5, verbose=0)


def test_bad_worker_counts_are_refused_and_sequence_is_the_keras_2_name():
    with pytest.raises(ValueError, match="`workers` must be a positive integer"):
        Batches(np.zeros(2), np.zeros(2), 1, workers=0)
    assert Sequence is PyDataset


def test_to_categorical_matches_hand_written_one_hot_rows():
    np.testing.assert_array_equal(to_categorical([2, 0, 1]),
                                  [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    out = to_categorical(np.array([[1], [3]]), num_classes=5)  # trailing 1 dropped
    assert out.shape == (2, 5) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0]])
    assert to_categorical(np.zeros((2, 3), "int32"), 2).shape == (2, 3, 2)
    with pytest.raises(ValueError, match=r"class ids must be in \[0, num_classes=3\)"):
        to_categorical([0, 3], 3)
    with pytest.raises(ValueError, match="must be integers"):
        to_categorical([0.5], 3)
