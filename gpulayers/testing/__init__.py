"""Helpers for testing gpulayers code (and your own ops and layers)."""

from gpulayers.testing.backends import gpu_unavailable_reason, requires_gpu
from gpulayers.testing.gradient_check import check_gradients, numerical_gradients
from gpulayers.testing.layer_test import check_layer_gradients, run_layer_test

__all__ = ["check_gradients", "check_layer_gradients", "gpu_unavailable_reason",
           "numerical_gradients", "requires_gpu", "run_layer_test"]
