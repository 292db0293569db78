"""Reused buffers for large temporaries: a per-thread scratch slot for arrays used once and
dropped, and a pool of leased arrays for those kept a while (columns saved for a backward
pass) and handed back explicitly.

Why: glibc hands blocks above 32 MB straight from ``mmap`` and gives them back on ``free``,
so a fresh im2col column buffer of that size page-faults on every write, every step: at a
training step's sizes the copy into fresh pages takes 2-3x as long as into pages already
mapped. Reusing one buffer per thread keeps the pages mapped. Buffers above
``MAX_SCRATCH_BYTES`` are not kept (a one-off huge batch should not pin its memory), and the
pool of released leases holds at most ``MAX_POOLED_BYTES``.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["MAX_POOLED_BYTES", "MAX_SCRATCH_BYTES", "free_cached_buffers", "lease_array",
           "release_array", "scratch_array"]

MAX_SCRATCH_BYTES = 512 * 2**20
MAX_POOLED_BYTES = 1024 * 2**20

_local = threading.local()
_pool_lock = threading.Lock()
_pool: dict[int, list[np.ndarray]] = {}  # released buffers by size in bytes
_pooled_bytes = 0
_leased: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()


def scratch_array(shape: Sequence[int], dtype: Any, slot: str = "columns") -> np.ndarray:
    """An uninitialised C-contiguous array of ``shape`` and ``dtype`` in this thread's
    scratch buffer ``slot``: valid until the next call for the same slot on this thread
    (im2col reads its padded input from one slot while it writes columns to another)."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > MAX_SCRATCH_BYTES:
        return np.empty(shape, dtype)
    buffers = _local.__dict__.setdefault("buffers", {})
    buffer = buffers.get(slot)
    if buffer is None or buffer.nbytes < nbytes:
        buffer = buffers[slot] = np.empty(nbytes, np.uint8)
    return buffer[:nbytes].view(dtype).reshape(shape)


def lease_array(shape: Sequence[int], dtype: Any) -> np.ndarray:
    """An uninitialised C-contiguous array of ``shape`` and ``dtype``, reusing a buffer of
    the same size given back by :func:`release_array` when there is one. Its owner may hand
    it back once nothing reads it any more (an array never handed back is simply freed)."""
    global _pooled_bytes
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    with _pool_lock:
        free = _pool.get(nbytes)
        buffer = free.pop() if free else None
        if buffer is not None:
            _pooled_bytes -= nbytes
    if buffer is None:
        buffer = np.empty(nbytes, np.uint8)
    _leased[id(buffer)] = buffer
    return buffer.view(dtype).reshape(shape)


def release_array(array: np.ndarray) -> None:
    """Give back an array from :func:`lease_array`: its memory may back the next lease of
    the same size, so the caller must not read or write it afterwards. Arrays that were not
    leased (or were given back already) are ignored."""
    global _pooled_bytes
    buffer = array
    while buffer.base is not None:
        buffer = buffer.base
    with _pool_lock:
        if _leased.get(id(buffer)) is not buffer:
            return
        del _leased[id(buffer)]
        if _pooled_bytes + buffer.nbytes <= MAX_POOLED_BYTES:
            _pool.setdefault(buffer.nbytes, []).append(buffer)
            _pooled_bytes += buffer.nbytes


def free_cached_buffers() -> None:
    """Drop the pooled buffers and this thread's scratch slots (``clear_session`` calls it):
    the memory goes back to the allocator; arrays still leased stay valid."""
    global _pooled_bytes
    with _pool_lock:
        _pool.clear()
        _pooled_bytes = 0
    _local.__dict__.pop("buffers", None)
