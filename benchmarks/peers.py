"""The peers (PyTorch eager, Keras 3 on torch), their precision modes, and memory probes.

A peer that cannot be imported (or cannot use the device gpulayers runs on) is *absent*, with the
reason, never replaced by something else. Precision modes (GPU only; always labelled):

- ``fp32-strict``: no TF32 anywhere (torch matmul and cuDNN TF32 off; gpulayers with
  ``config.set_float32_matmul_precision('highest')``, its default);
- ``tf32``: torch matmul in TF32 (``set_float32_matmul_precision('high')``, or its per-backend
  ``fp32_precision = 'tf32'`` on torch >= 2.9) and cuDNN TF32 on; gpulayers with
  ``config.set_float32_matmul_precision('high')`` (cuBLAS TF32 compute for every GEMM).

PyTorch runs with ``torch.backends.cudnn.benchmark = True`` in both.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

__all__ = ["PRECISIONS", "GpulayersMemory", "TorchMemory", "load_keras", "load_torch",
           "set_gpulayers_precision", "torch_precision", "torch_precision_state", "torch_sync"]

# mixed-fp16: every framework's own float16 mixed precision with loss scaling (gpulayers and
# Keras: the "mixed_float16" policy; torch: autocast + GradScaler), fp32 math strict elsewhere.
PRECISIONS = ("fp32-strict", "tf32", "mixed-fp16")


def set_gpulayers_precision(precision: str) -> None:
    """gpulayers' float32 GEMMs for ``precision``: TF32 under ``tf32``, full float32 otherwise
    (mixed-fp16 keeps its float32 math strict)."""
    from gpulayers import config

    config.set_float32_matmul_precision("high" if precision == "tf32" else "highest")


def load_torch(device: str) -> tuple[ModuleType | None, str | None]:
    """``(torch, None)``, or ``(None, reason)`` when torch is absent or cannot use ``device``."""
    try:
        import torch
    except ImportError as error:
        return None, f"not installed ({error})"
    if device == "cuda" and not torch.cuda.is_available():
        return None, f"torch {torch.__version__} has no usable CUDA device"
    return torch, None


def load_keras(torch: ModuleType | None) -> tuple[ModuleType | None, str | None]:
    """``(keras, None)`` for Keras 3 on its torch backend, or ``(None, reason)``."""
    if torch is None:
        return None, "needs torch (Keras runs on its torch backend here)"
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except Exception as error:  # an import of keras can fail in many ways (missing backends)
        return None, f"not importable ({type(error).__name__}: {error})"
    if int(keras.__version__.split(".")[0]) < 3:
        return None, f"needs Keras 3, found {keras.__version__}"
    if keras.backend.backend() != "torch":
        return None, f"Keras runs on {keras.backend.backend()!r}, not torch (KERAS_BACKEND)"
    return keras, None


def _precision_flags(torch: ModuleType) -> list[tuple[Any, str]]:
    """The (object, attribute) pairs of torch's per-backend fp32 precision API (torch >= 2.9:
    cuBLAS matmul, cuDNN conv and rnn), or [] where only the legacy ``allow_tf32`` flags exist."""
    matmul = torch.backends.cuda.matmul
    if not hasattr(matmul, "fp32_precision"):
        return []
    flags = [(matmul, "fp32_precision")]
    for name in ("conv", "rnn"):
        sub = getattr(torch.backends.cudnn, name, None)
        if sub is not None and hasattr(sub, "fp32_precision"):
            flags.append((sub, "fp32_precision"))
    return flags


@contextlib.contextmanager
def torch_precision(torch: ModuleType | None, precision: str, device: str) -> Iterator[None]:
    """Torch's TF32 and cuDNN flags for ``precision`` on ``device``, restored afterwards.

    Uses the per-backend ``fp32_precision`` API where it exists (torch >= 2.9 warns about the
    legacy flags and refuses mixing the two), else ``set_float32_matmul_precision`` and
    ``allow_tf32``. ``cudnn.benchmark`` is on for both modes.
    """
    if torch is None or device != "cuda":
        yield
        return
    cudnn, tf32 = torch.backends.cudnn, precision == "tf32"
    flags = _precision_flags(torch)
    saved_benchmark = cudnn.benchmark
    if flags:
        saved = [getattr(owner, name) for owner, name in flags]
        for owner, name in flags:
            setattr(owner, name, "tf32" if tf32 else "ieee")
    else:
        matmul = torch.backends.cuda.matmul
        saved = [torch.get_float32_matmul_precision(), matmul.allow_tf32, cudnn.allow_tf32]
        torch.set_float32_matmul_precision("high" if tf32 else "highest")
        matmul.allow_tf32 = cudnn.allow_tf32 = tf32
    cudnn.benchmark = True
    try:
        yield
    finally:
        cudnn.benchmark = saved_benchmark
        if flags:
            for (owner, name), value in zip(flags, saved):
                setattr(owner, name, value)
        else:
            torch.set_float32_matmul_precision(saved[0])
            matmul.allow_tf32, cudnn.allow_tf32 = saved[1:]


def torch_precision_state(torch: ModuleType | None) -> dict[str, Any] | None:
    """Torch's current fp32 precision flags (for the run's metadata), read as they were set."""
    if torch is None:
        return None
    flags = _precision_flags(torch)
    if flags:
        names = ["cuda.matmul", "cudnn.conv", "cudnn.rnn"]
        state: dict[str, Any] = {name: getattr(owner, attr)
                                 for name, (owner, attr) in zip(names, flags)}
    else:
        state = {"float32_matmul_precision": torch.get_float32_matmul_precision(),
                 "cudnn.allow_tf32": torch.backends.cudnn.allow_tf32}
    state["cudnn.benchmark"] = torch.backends.cudnn.benchmark
    return state


def torch_sync(torch: ModuleType, device: str) -> Callable[[], None]:
    """The synchronization of torch work on ``device`` (nothing to wait for on the CPU)."""
    if device == "cuda":
        return torch.cuda.synchronize
    return lambda: None


class GpulayersMemory:
    """Peak device memory of gpulayers work: the CuPy memory pool's high-water mark.

    The pool keeps freed blocks cached, so after :meth:`start` has released the free blocks,
    ``total_bytes()`` only grows while the work runs: its final value minus the bytes in use at
    the start bounds the peak from above (by the pool's rounding). ``None`` on the CPU.
    """

    def __init__(self, gpu: bool) -> None:
        self._pool: Any = None
        if gpu:
            import cupy

            self._pool = cupy.get_default_memory_pool()
        self._base = 0

    def start(self) -> None:
        if self._pool is not None:
            gc.collect()
            self._pool.free_all_blocks()
            self._base = self._pool.used_bytes()

    def peak(self) -> int | None:
        return None if self._pool is None else int(self._pool.total_bytes() - self._base)


class TorchMemory:
    """Peak device memory of torch (and Keras-on-torch) work: ``torch.cuda.max_memory_allocated``
    since :meth:`start`, less what was allocated then. ``None`` off the GPU."""

    def __init__(self, torch: ModuleType | None, device: str) -> None:
        self._torch = torch if device == "cuda" else None
        self._base = 0

    def start(self) -> None:
        if self._torch is not None:
            gc.collect()
            self._torch.cuda.synchronize()
            self._torch.cuda.empty_cache()
            self._torch.cuda.reset_peak_memory_stats()
            self._base = self._torch.cuda.memory_allocated()

    def peak(self) -> int | None:
        if self._torch is None:
            return None
        self._torch.cuda.synchronize()
        return int(self._torch.cuda.max_memory_allocated() - self._base)
