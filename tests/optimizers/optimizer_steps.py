"""Shared fixtures for the optimizer tests: small float64 variables and fixed gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import gpulayers as gl

INITIAL = [np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([0.1, -0.3, 0.7])]
GRADIENTS = [
    [np.array([[0.1, -0.2], [0.3, 0.05]]), np.array([1.0, -0.5, 0.2])],
    [np.array([[-0.4, 0.1], [0.2, 0.0]]), np.array([0.3, 0.3, -0.9])],
    [np.array([[0.2, 0.2], [-0.1, 0.6]]), np.array([-0.2, 0.8, 0.1])],
    [np.array([[0.05, -0.3], [0.4, -0.2]]), np.array([0.6, -0.1, 0.4])],
]


def run_steps(optimizer: Any, initial: Sequence[np.ndarray] = INITIAL,
              gradient_steps: Sequence[Sequence[np.ndarray]] = GRADIENTS,
              names: Sequence[str] | None = None) -> list[np.ndarray]:
    """Apply each step of gradients with ``optimizer`` to fresh float64 Variables."""
    names = names or [f"w{i}" for i in range(len(initial))]
    variables = [gl.Variable(np.array(v, dtype="float64"), name=n)
                 for v, n in zip(initial, names)]
    for grads in gradient_steps:
        optimizer.apply_gradients(list(zip(grads, variables)))
    return [v.numpy() for v in variables]


def assert_all_close(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray],
                     rtol: float = 1e-12, atol: float = 1e-12) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)
