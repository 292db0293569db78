"""Deferred device checks: at once on NumPy; on the GPU read at the next host read.

``deferring()`` makes the NumPy backend behave as CuPy does, so the deferred path is tested
here without a GPU.
"""

import numpy as np
import pytest

from gpulayers import backend, layers, ops
from gpulayers.backend import deferred_checks
from gpulayers.models import Sequential


def _error():
    return ValueError("bad input")


def test_on_numpy_a_failed_check_raises_at_once_and_a_passed_one_leaves_nothing():
    with pytest.raises(ValueError, match="bad input"):
        deferred_checks.check(np.array(True), _error)
    deferred_checks.check(np.array(False), _error)
    assert deferred_checks.pending_count() == 0


def test_deferred_checks_wait_for_the_next_host_read_and_raise_there():
    with deferred_checks.deferring():
        deferred_checks.check(np.array(False), _error)
        deferred_checks.check(np.array(True), _error)
        assert deferred_checks.pending_count() == 2
        with pytest.raises(ValueError, match="bad input"):
            backend.to_numpy(np.zeros(2))
        assert deferred_checks.pending_count() == 0
        backend.to_numpy(np.zeros(2))  # nothing pending any more


def test_deferred_checks_are_read_after_max_pending_checks(monkeypatch):
    monkeypatch.setattr(deferred_checks, "MAX_PENDING", 3)
    with deferred_checks.deferring():
        deferred_checks.check(np.array(True), _error)
        deferred_checks.check(np.array(False), _error)
        with pytest.raises(ValueError, match="bad input"):
            deferred_checks.check(np.array(False), _error)


def test_a_deferred_label_range_check_raises_the_loss_error_at_the_next_read():
    with deferred_checks.deferring():
        loss = ops.sparse_categorical_crossentropy(np.array([0, 3]), np.full((2, 3), 1 / 3))
        with pytest.raises(ValueError, match=r"class indices must be in \[0, 3\)\. "
                                             r"Received values from 0 to 3"):
            backend.to_numpy(loss)


def test_a_deferred_embedding_index_check_names_the_layer():
    embedding = layers.Embedding(4, 2, name="tokens")
    with deferred_checks.deferring():
        out = embedding(np.array([[1, 7]]))  # take() would not fail on NumPy: the check must
        with pytest.raises(ValueError, match=r"tokens.*indices must be in \[0, input_dim=4\)"):
            backend.to_numpy(out)


def test_fit_with_bad_labels_stops_at_the_end_of_the_step_with_the_loss_error():
    model = Sequential([layers.Input((2,)), layers.Dense(3)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with deferred_checks.deferring():
        with pytest.raises(ValueError, match="class indices must be in"):
            model.fit(np.ones((4, 2), "float32"), np.array([0, 1, 2, 5]), verbose=0)
