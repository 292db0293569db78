"""A per-thread scratch buffer for large temporaries that are used once and dropped.

Why: glibc hands blocks above 32 MB straight from ``mmap`` and gives them back on ``free``,
so a fresh im2col column buffer of that size page-faults on every write, every step: at a
training step's sizes the copy into fresh pages takes 2-3x as long as into pages already
mapped. Reusing one buffer per thread keeps the pages mapped. Buffers above
``MAX_SCRATCH_BYTES`` are not kept (a one-off huge batch should not pin its memory).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["MAX_SCRATCH_BYTES", "scratch_array"]

MAX_SCRATCH_BYTES = 512 * 2**20

_local = threading.local()


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
