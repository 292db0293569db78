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

from gpulayers.backend import step_graphs

__all__ = ["allocating_from", "capture", "copy_into", "new_pool", "on_step_stream", "replay"]


@functools.cache
def _stream(device_id: int) -> Any:
    return cp.cuda.Stream(non_blocking=True)


@functools.cache
def _events(device_id: int) -> tuple[Any, Any]:
    """Two events re-recorded by every step (recording overwrites): none made per step."""
    return cp.cuda.Event(disable_timing=True), cp.cuda.Event(disable_timing=True)


@contextlib.contextmanager
def on_step_stream() -> Iterator[None]:
    device_id = cp.cuda.Device().id
    stream = _stream(device_id)
    outer = cp.cuda.get_current_stream()
    if outer is stream:
        yield
        return
    entry, exit_ = _events(device_id)
    stream.wait_event(outer.record(entry))
    try:
        with stream:
            yield
    finally:
        outer.wait_event(stream.record(exit_))


def _refuse_staging(size: int) -> Any:
    # why: CuPy stages host-to-device copies (cupy.asarray of host data) in pinned buffers
    # that it reuses once an event recorded after the copy has passed. In a capture nothing
    # has run: the graph's copy node would read a buffer CuPy hands out again, and the event,
    # recorded inside the capture, cannot be queried afterwards. gpulayers' own steps make
    # their constants with kernels (no copy), so a step that copies host data is not captured.
    raise step_graphs.CaptureUnsupported(
        "the step copies host data to the device (e.g. cupy.asarray of a NumPy array or a "
        "Python list); make such constants outside the step or with xp.full")


def new_pool() -> Any:
    return cp.cuda.MemoryPool()


def allocating_from(pool: Any) -> contextlib.AbstractContextManager[Any]:
    return cp.cuda.using_allocator(pool.malloc)


@contextlib.contextmanager
def _no_staging() -> Iterator[None]:
    cp.cuda.set_pinned_memory_allocator(_refuse_staging)
    try:
        yield
    finally:  # CuPy's default: its shared pinned pool
        cp.cuda.set_pinned_memory_allocator(cp.get_default_pinned_memory_pool().malloc)


def capture(function: Callable[[], Any], pool: Any) -> tuple[Any, Any]:
    """``(graph, result)`` of ``function`` recorded on the current (step) stream."""
    stream = cp.cuda.get_current_stream()
    with allocating_from(pool), _no_staging():
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
    graph.launch(_stream(cp.cuda.Device().id))


def copy_into(target: Any, source: Any) -> None:
    if isinstance(source, cp.ndarray):
        cp.copyto(target, source, casting="unsafe")
        return
    host = np.ascontiguousarray(source, dtype=target.dtype)
    if target.flags.c_contiguous:
        target.set(host, stream=cp.cuda.get_current_stream())
    else:
        target[...] = cp.asarray(host)
