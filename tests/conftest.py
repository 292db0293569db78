"""Shared pytest setup: every test starts from the default configuration and seed."""

import pytest

from gpulayers import backend, mixed_precision
from gpulayers.utils import set_random_seed


@pytest.fixture(autouse=True)
def _fresh_configuration():
    """Restore floatx/epsilon/data format, the backend and the dtype policy after each test;
    seed the RNG."""
    saved = (backend.floatx(), backend.epsilon(), backend.image_data_format(), backend.backend())
    set_random_seed(1234)
    yield
    backend.set_floatx(saved[0])
    backend.set_epsilon(saved[1])
    backend.set_image_data_format(saved[2])
    backend.set_backend(saved[3])
    mixed_precision.set_global_policy(None)
