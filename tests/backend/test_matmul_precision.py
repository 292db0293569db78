"""config.set_float32_matmul_precision: PyTorch's names, cuBLAS compute types on CuPy, no-op
on NumPy."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from gpulayers import backend, config
from gpulayers.backend import cupy_availability, matmul_precision
from gpulayers.testing import requires_gpu


@pytest.fixture(autouse=True)
def _restore_precision():
    before = config.get_float32_matmul_precision()
    yield
    config.set_float32_matmul_precision(before)


@pytest.fixture
def fake_cupy_linalg(monkeypatch):
    """CuPy usable, with a stand-in compute-type registry that records what is set."""
    calls = []
    linalg = types.SimpleNamespace(
        COMPUTE_TYPE_FP32="fp32", COMPUTE_TYPE_TF32="tf32", COMPUTE_TYPE_BF16="bf16",
        set_compute_type=lambda dtype, kind: calls.append((np.dtype(dtype).name, kind)))
    monkeypatch.setattr(cupy_availability, "unavailable_reason", lambda: None)
    monkeypatch.setitem(sys.modules, "cupy", types.ModuleType("cupy"))
    core = types.ModuleType("cupy._core")
    core._routines_linalg = linalg
    monkeypatch.setitem(sys.modules, "cupy._core", core)
    return calls


def test_default_is_highest_unless_cupy_tf32_is_set(monkeypatch):
    monkeypatch.delenv("CUPY_TF32", raising=False)
    assert matmul_precision._initial_precision() == "highest"
    monkeypatch.setenv("CUPY_TF32", "0")
    assert matmul_precision._initial_precision() == "highest"
    monkeypatch.setenv("CUPY_TF32", "1")
    assert matmul_precision._initial_precision() == "high"


@pytest.mark.parametrize("precision", ["highest", "high", "medium"])
def test_set_then_get(precision):
    config.set_float32_matmul_precision(precision)
    assert config.get_float32_matmul_precision() == precision


@pytest.mark.parametrize("bad", ["low", "HIGH", "tf32", None, 1])
def test_unknown_precision_is_a_value_error_and_changes_nothing(bad):
    config.set_float32_matmul_precision("medium")
    with pytest.raises(ValueError, match=r"set_float32_matmul_precision: expected one of "
                                         r"\('highest', 'high', 'medium'\)\. Received"):
        config.set_float32_matmul_precision(bad)
    assert config.get_float32_matmul_precision() == "medium"


def test_sets_cublas_compute_type_of_float32_on_cupy(fake_cupy_linalg):
    for precision in ("high", "medium", "highest"):
        config.set_float32_matmul_precision(precision)
    assert fake_cupy_linalg == [("float32", "tf32"), ("float32", "bf16"), ("float32", "fp32")]


def test_without_usable_cupy_nothing_is_imported(monkeypatch, fake_cupy_linalg):
    monkeypatch.setattr(cupy_availability, "unavailable_reason", lambda: "no device")
    config.set_float32_matmul_precision("high")
    assert fake_cupy_linalg == []
    assert config.get_float32_matmul_precision() == "high"


def test_cupy_without_the_compute_type_setting_says_what_to_do(monkeypatch, fake_cupy_linalg):
    config.set_float32_matmul_precision("highest")
    monkeypatch.delattr(sys.modules["cupy._core"]._routines_linalg, "set_compute_type")
    with pytest.raises(RuntimeError, match="no cuBLAS compute-type setting.*CUPY_TF32=1"):
        config.set_float32_matmul_precision("high")
    assert config.get_float32_matmul_precision() == "highest"


def test_numpy_products_are_full_float32_under_every_setting():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 48), "float32"), rng.standard_normal((48, 32), "float32")
    with backend.use_backend("numpy"):
        results = []
        for precision in ("highest", "high", "medium"):
            config.set_float32_matmul_precision(precision)
            results.append(backend.xp().matmul(a, b))
    for result in results[1:]:
        np.testing.assert_array_equal(result, results[0])


def _float32_product_error(precision: str) -> float:
    """Largest error of a float32 GEMM on CuPy against float64, relative to the largest entry."""
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((1024, 1024)), rng.standard_normal((1024, 1024))
    exact = a @ b
    config.set_float32_matmul_precision(precision)
    with backend.use_backend("cupy"):
        got = backend.to_numpy(backend.xp().matmul(backend.to_device(a.astype("float32")),
                                                   backend.to_device(b.astype("float32"))))
    return float(np.max(np.abs(got - exact)) / np.max(np.abs(exact)))


@pytest.mark.gpu
@requires_gpu
def test_tensor_core_precisions_trade_digits_on_the_gpu():
    # float32 rounding of the inputs alone gives ~1e-7 relative; TF32 (10-bit mantissa)
    # ~1e-4; bfloat16 (7-bit mantissa) ~1e-3.
    highest, high, medium = (_float32_product_error(p) for p in ("highest", "high", "medium"))
    assert highest < 1e-5
    assert 10 * highest < high < 1e-2
    assert high < medium < 5e-2
