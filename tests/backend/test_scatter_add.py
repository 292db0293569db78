"""The NumPy scatter_add primitive (the backward of gathers) against np.add.at, including
its flat-index fast path for whole rows (an Embedding's gradient)."""

import numpy as np
import pytest

from gpulayers.backend.numpy_backend.scatter import scatter_add


@pytest.mark.parametrize("index_shape", [(3,), (40, 5)])      # below and above the fast path
@pytest.mark.parametrize("wrap", [False, True])                # index given bare or as (idx,)
def test_rows_accumulate_exactly_as_add_at(index_shape, wrap):
    rng = np.random.default_rng(0)
    rows = rng.integers(-7, 7, size=index_shape)                # repeats, and -1 == 6
    values = rng.standard_normal((*index_shape, 4, 2))
    expected = rng.standard_normal((7, 4, 2))
    got = expected.copy()
    np.add.at(expected, rows, values)
    scatter_add(got, (rows,) if wrap else rows, values)
    np.testing.assert_array_equal(got, expected)            # same additions, same order


def test_other_indexes_and_non_contiguous_targets_take_the_general_path():
    rng = np.random.default_rng(1)
    target = np.zeros((6, 8))[:, ::2]                            # a strided view
    rows = rng.integers(0, 6, size=100)
    values = rng.standard_normal((100, 4))
    expected = np.zeros((6, 4))
    np.add.at(expected, rows, values)
    scatter_add(target, rows, values)
    np.testing.assert_allclose(target, expected, rtol=1e-12)
    grid = np.zeros((3, 3))
    scatter_add(grid, (np.array([0, 0, 2]), np.array([1, 1, 2])), np.ones(3))
    np.testing.assert_array_equal(grid, [[0, 2, 0], [0, 0, 0], [0, 0, 1]])
