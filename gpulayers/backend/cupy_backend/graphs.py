"""CuPy side of :mod:`gpulayers.backend.step_graphs`: stream capture, private pools, copies.

The capture stream is non-blocking (CUDA refuses to capture the legacy default stream), so it
is not ordered with the default stream by itself: :func:`on_step_stream` orders it with events
on both sides, without making the host wait.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import cupy as cp
import numpy as np

__all__ = ["allocating_from", "capture", "copy_into", "new_pool", "on_step_stream", "replay"]


@functools.cache
def _stream(device_id: int) -> Any:
    return cp.cuda.Stream(non_blocking=True)


def _step_stream() -> Any:
    return _stream(cp.cuda.Device().id)


@contextlib.contextmanager
def on_step_stream() -> Iterator[None]:
    stream = _step_stream()
    outer = cp.cuda.get_current_stream()
    if outer is stream:
        yield
        return
    stream.wait_event(outer.record())
    try:
        with stream:
            yield
    finally:
        outer.wait_event(stream.record())


class _Pools:
    """A graph's device pool, and the pinned host buffers its host-to-device copies read."""

    def __init__(self) -> None:
        self.device = cp.cuda.MemoryPool()
        self.pinned: list[Any] = []

    def fresh_pinned(self, size: int) -> Any:
        # why: CuPy stages host-to-device copies (cupy.asarray of host data) in pinned buffers
        # and reuses them once the copy is done. In a capture nothing is done yet: the graph's
        # copy node reads the buffer at every replay. So each staging buffer is new and lives
        # as long as the graph, holding the value the step copied when it was recorded.
        buffer = cp.cuda.alloc_pinned_memory(size)
        self.pinned.append(buffer)
        return buffer


def new_pool() -> Any:
    return _Pools()


def allocating_from(pools: _Pools) -> contextlib.AbstractContextManager[Any]:
    return cp.cuda.using_allocator(pools.device.malloc)


@contextlib.contextmanager
def _staging_from(pools: _Pools) -> Iterator[None]:
    cp.cuda.set_pinned_memory_allocator(pools.fresh_pinned)
    try:
        yield
    finally:  # CuPy's default: its shared pinned pool
        cp.cuda.set_pinned_memory_allocator(cp.get_default_pinned_memory_pool().malloc)


def capture(function: Callable[[], Any], pools: _Pools) -> tuple[Any, Any]:
    """``(graph, result)`` of ``function`` recorded on the current (step) stream."""
    stream = cp.cuda.get_current_stream()
    with allocating_from(pools), _staging_from(pools):
        stream.begin_capture()
        try:
            result = function()
        except BaseException:
            _abandon(stream)
            raise
        graph = stream.end_capture()
    return graph, result


def _abandon(stream: Any) -> None:
    """Leave capture mode after a failure (an invalidated capture raises on ending too)."""
    with contextlib.suppress(Exception):
        if stream.is_capturing():
            stream.end_capture()


def replay(graph: Any) -> None:
    graph.launch(_step_stream())


def copy_into(target: Any, source: Any) -> None:
    if isinstance(source, cp.ndarray):
        cp.copyto(target, source, casting="unsafe")
        return
    host = np.ascontiguousarray(source, dtype=target.dtype)
    if target.flags.c_contiguous:
        target.set(host, stream=cp.cuda.get_current_stream())
    else:
        target[...] = cp.asarray(host)
