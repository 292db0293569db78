"""Markers for tests that need the CuPy backend on a real GPU."""

from __future__ import annotations

from gpulayers import backend


def gpu_unavailable_reason() -> str | None:
    """None when CuPy can run on a GPU here, else why not."""
    return backend.cupy_unavailable_reason()


def _skip_marker():  # pytest is only needed when tests run
    import pytest

    reason = gpu_unavailable_reason()
    return pytest.mark.skipif(reason is not None, reason=f"needs a CUDA GPU: {reason}")


def requires_gpu(test):
    """Decorator: skip the test, giving the reason, unless a CUDA GPU is usable through CuPy."""
    return _skip_marker()(test)
