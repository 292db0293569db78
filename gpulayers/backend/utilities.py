"""``keras.backend``'s helpers: dtype questions, unique ids and clearing the session.

The dtype helpers and ``is_keras_tensor`` delegate to :mod:`gpulayers.ops.dtypes` and
:mod:`gpulayers.layers.keras_tensor`, and ``clear_session``/``get_uid`` to the layer name
counters of :mod:`gpulayers.layers.layer`. The backend is the bottom layer of the package, so
those modules are imported inside the functions, never when this module is imported.

Example::

    from gpulayers import backend
    backend.standardize_dtype("float")       # 'float32' (floatx())
    backend.result_type("int8", "float16")   # 'float16'
    backend.clear_session()                  # the next Dense is named 'dense' again
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from gpulayers.backend.config import floatx
from gpulayers.backend.cupy_availability import unavailable_reason

__all__ = ["clear_session", "get_uid", "is_float_dtype", "is_int_dtype", "is_keras_tensor",
           "result_type", "standardize_dtype"]


def standardize_dtype(dtype: Any = None) -> str:
    """A dtype's canonical name: ``None`` and ``"float"``/``float`` give ``floatx()``,
    ``int`` gives ``'int32'``; NumPy dtypes and types give their name.

    Raises ValueError for an unknown or unsupported dtype (as Keras does).
    """
    if dtype is None or dtype == "float":
        return floatx()
    if dtype == "int":
        return "int32"
    from gpulayers.ops.dtypes import standardize_dtype as _standardize  # lazy: layering

    try:
        return _standardize(dtype, "standardize_dtype")
    except TypeError as error:
        raise ValueError(f"Invalid dtype: {dtype!r} ({error})") from None


def is_float_dtype(dtype: Any) -> bool:
    """True for float16, float32, float64 (``None`` means ``floatx()``)."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    """True for the signed and unsigned integer dtypes (not bool)."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def result_type(*dtypes: Any) -> str:
    """The dtype an op on values of ``dtypes`` computes in (Keras's promotion rules; no
    arguments gives ``floatx()``).

    Example: ``result_type("int32", "float16")`` -> ``'float16'``.
    """
    if not dtypes:
        return floatx()
    from gpulayers.ops.dtypes import result_type as _result_type  # lazy: layering

    return _result_type(*(standardize_dtype(d) for d in dtypes), op_name="result_type")


def is_keras_tensor(x: Any) -> bool:
    """True for a symbolic :class:`~gpulayers.layers.keras_tensor.KerasTensor` (what
    ``Input`` returns), False for concrete tensors and arrays."""
    from gpulayers.layers.keras_tensor import KerasTensor  # lazy: layering

    return isinstance(x, KerasTensor)


def get_uid(prefix: str = "") -> int:
    """A counter per ``prefix``, starting at 1, shared with layer auto-naming.

    Example: after ``get_uid("dense")`` returned 1, a new ``Dense`` is named ``dense_1``.
    """
    from gpulayers.layers import layer  # lazy: layering

    count = layer._name_counts.get(prefix, 0) + 1
    layer._name_counts[prefix] = count
    return count


def clear_session(free_memory: bool = True) -> None:
    """Reset global state: layer name counters (the next ``Dense`` is ``dense`` again) and
    the global dtype policy; with ``free_memory``, collect garbage, drop the NumPy
    backend's reused scratch and column buffers, and hand CuPy's cached device and pinned
    memory back to the driver.
    """
    from gpulayers import dtype_policies  # lazy: layering
    from gpulayers.layers import layer

    layer._name_counts.clear()
    dtype_policies.set_global_policy(None)
    if free_memory:
        gc.collect()
        from gpulayers.backend.numpy_backend import scratch

        scratch.free_cached_buffers()
        # Only when CuPy was imported and proved usable: it may be importable, and even
        # have had its backend modules imported (tests, kernel checks), with no usable
        # device or too old a driver, where touching its memory pools raises.
        cupy = sys.modules.get("cupy")
        if cupy is not None and unavailable_reason() is None:
            cupy.get_default_memory_pool().free_all_blocks()
            cupy.get_default_pinned_memory_pool().free_all_blocks()
