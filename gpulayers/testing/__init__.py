"""Helpers for testing gpulayers code (and your own ops and layers)."""

from gpulayers.testing.backends import gpu_unavailable_reason, requires_gpu
from gpulayers.testing.gradient_check import check_gradients, numerical_gradients

__all__ = ["check_gradients", "gpu_unavailable_reason", "numerical_gradients", "requires_gpu"]
