"""gpulayers.backend's keras.backend helpers: dtype questions against Keras 3, get_uid and
clear_session with layer names, is_keras_tensor."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from keras_available import keras_or_skip

from gpulayers import backend, dtype_policies, layers

DTYPES = [None, "float16", "float32", "float64", "int8", "int32", "int64", "uint8", "uint32",
          "bool", float, int, bool, np.float32, np.dtype("int16")]


@pytest.mark.parametrize("dtype", DTYPES, ids=[str(d) for d in DTYPES])
def test_dtype_helpers_match_keras(dtype):
    keras = keras_or_skip()
    assert backend.standardize_dtype(dtype) == keras.backend.standardize_dtype(dtype)
    assert backend.is_float_dtype(dtype) == keras.backend.is_float_dtype(dtype)
    assert backend.is_int_dtype(dtype) == keras.backend.is_int_dtype(dtype)


@pytest.mark.parametrize("dtypes", [
    (), ("int32", "float16"), ("int8", "uint8"), ("int32", "float32"), ("bool", "int8"),
    ("uint8", "int16"), ("int64", "float32"), ("float16", "float32"), ("bool", "bool"),
    ("int8", "int16", "float16"),
])
def test_result_type_matches_keras(dtypes):
    keras = keras_or_skip()
    assert backend.result_type(*dtypes) == keras.backend.result_type(*dtypes)


def test_standardize_dtype_rejects_unknown():
    keras = keras_or_skip()
    with pytest.raises(ValueError):
        keras.backend.standardize_dtype("foo")
    with pytest.raises(ValueError, match="Invalid dtype"):
        backend.standardize_dtype("foo")


def test_get_uid_shares_layer_counters():
    backend.clear_session()
    assert backend.get_uid("abc") == 1
    assert backend.get_uid("abc") == 2
    assert layers.Dense(2).name == "dense"
    assert backend.get_uid("dense") == 2
    assert layers.Dense(2).name == "dense_2"  # Keras 3 gives the same sequence


def test_clear_session_resets_names_and_policy():
    layers.Dense(2)
    layers.Dense(2)
    dtype_policies.set_global_policy("mixed_float16")
    backend.clear_session()
    assert layers.Dense(2).name == "dense"
    assert dtype_policies.global_policy().name == backend.floatx()
    backend.clear_session(free_memory=False)


def test_is_keras_tensor():
    symbolic = layers.Input(shape=(3,))
    assert backend.is_keras_tensor(symbolic)
    assert not backend.is_keras_tensor(np.zeros(3))
    assert not backend.is_keras_tensor(layers.Dense(2)(np.zeros((1, 3), "float32")))


@pytest.mark.skipif(backend.cupy_unavailable_reason() is None,
                    reason="checks a machine where CuPy is installed but cannot run")
def test_clear_session_leaves_an_unusable_cupy_alone():
    # Importing CuPy backend modules (as the kernel and GPU tests do) must not make
    # clear_session touch CuPy's memory pools, which raise without a usable driver.
    pytest.importorskip("cupy", reason="needs CuPy installed without a usable GPU")
    importlib.import_module("gpulayers.backend.cupy_backend.im2col")
    backend.clear_session()
    assert backend.backend() == "numpy"
