"""Capturing a whole step into a CUDA graph and replaying it (CuPy only).

Why: a training step is hundreds of small kernel launches, each costing host time in Python
and in the driver; at the sizes where the GPU finishes a kernel faster than the host queues the
next one, the step is host-bound. A CUDA graph records the launches of one step once and
replays them with a single call.

What a replay runs is exactly what was recorded: the same kernels on the same device addresses
with the same scalar arguments. So the code above this module (``models/step_graph.py``) keeps
every input at a fixed address, writes every state change back into the array the graph read,
and keeps host-side decisions out of the graph. This module gives it the device side:

* :func:`available` -- whether the active backend can capture (CuPy);
* :func:`on_step_stream` -- run a block on the stream graphs are captured on, ordered after
  the work already queued and before the work queued later on the default stream;
* :class:`GraphMemory` -- a private memory pool: a graph's scratch addresses must never be
  handed to other arrays between replays;
* :func:`capture` -- record a function into a :class:`CapturedGraph`;
* :func:`copy_into` -- fill a fixed device array from a host or device array;
* :func:`capturing` and :class:`CaptureUnsupported` -- what code that cannot run inside a
  graph (random draws) checks and raises.

Example (CuPy)::

    memory = step_graphs.GraphMemory()
    with step_graphs.on_step_stream():
        graph = step_graphs.capture(lambda: x * 2 + 1, memory)
        step_graphs.copy_into(x, next_batch)
        graph.replay()          # graph.result now holds next_batch * 2 + 1
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from gpulayers import backend as _backend

__all__ = ["CaptureUnsupported", "CapturedGraph", "GraphMemory", "available", "capture",
           "capturing", "copy_into", "disagreement", "on_step_stream"]

_capturing: list[bool] = []


class CaptureUnsupported(RuntimeError):
    """Raised inside a capture by an operation a replayed graph would get wrong."""


class CapturedGraph:
    """A recorded function: ``result`` is what it returned while being recorded, and every
    :meth:`replay` rewrites the arrays in it."""

    def __init__(self, graph: Any, result: Any, memory: GraphMemory) -> None:
        self.result = result
        self._graph = graph
        self._memory = memory  # the graph's scratch lives as long as the graph

    def replay(self) -> None:
        """Queue one run of the recorded launches on the step stream (no host wait)."""
        _cupy_graphs().replay(self._graph)


class GraphMemory:
    """The private device memory pool of one graph (see the module docstring)."""

    def __init__(self) -> None:
        self._pool = _cupy_graphs().new_pool()

    def allocating(self) -> contextlib.AbstractContextManager[Any]:
        """Inside, new device arrays come from this pool."""
        return _cupy_graphs().allocating_from(self._pool)


def available() -> bool:
    """Whether the active backend can capture graphs (CuPy; NumPy has no graphs)."""
    return _backend.backend() == "cupy"


def capturing() -> bool:
    """Whether a :func:`capture` is recording now."""
    return bool(_capturing)


def _cupy_graphs() -> Any:
    return _backend.primitives("graphs")


@contextlib.contextmanager
def on_step_stream() -> Iterator[None]:
    """Run the block on the capture stream (a no-op on NumPy)."""
    if not available():
        yield
        return
    with _cupy_graphs().on_step_stream():
        yield


def capture(function: Callable[[], Any], memory: GraphMemory) -> CapturedGraph:
    """Record ``function()`` into a graph whose new arrays come from ``memory``.

    Nothing runs while recording: ``result`` holds arrays the first :meth:`replay` fills.
    Call inside :func:`on_step_stream`. Any error while recording ends the capture and is
    raised again (CuPy's own for an operation a graph cannot hold, such as a host read;
    :class:`CaptureUnsupported` from gpulayers' checks: random draws, host-to-device
    copies).
    """
    if not available():
        raise CaptureUnsupported(f"CUDA graphs need the CuPy backend; the active backend is "
                                 f"{_backend.backend()!r}")
    _capturing.append(True)
    try:
        graph, result = _cupy_graphs().capture(function, memory._pool)
    finally:
        _capturing.pop()
    return CapturedGraph(graph, result, memory)


def copy_into(target: Any, source: Any) -> None:
    """Write ``source`` (host or device array of ``target``'s shape) into ``target``."""
    if tuple(getattr(source, "shape", ())) != tuple(target.shape):
        raise ValueError(f"copy_into: the source has shape {tuple(source.shape)}, the target "
                         f"{tuple(target.shape)}")
    if available():
        _cupy_graphs().copy_into(target, source)
    else:
        _backend.xp().copyto(target, source, casting="unsafe")


def disagreement(got: Any, expected: Any) -> str | None:
    """None when host array ``got`` (from a replay) matches ``expected`` (from the eager
    step), else how it differs. Integers must be equal; floats may differ by rounding
    (reductions and cuBLAS may sum in another order): the largest gap must stay within 1e-3
    of the arrays' largest magnitude (2e-2 for 16-bit floats); NaNs and infinities must be in
    the same places."""
    if got.shape != expected.shape or got.dtype != expected.dtype:
        return f"{got.shape} {got.dtype} instead of {expected.shape} {expected.dtype}"
    if got.dtype.kind == "c":  # compare the real and imaginary parts as floats
        return disagreement(np.stack([got.real, got.imag]),
                            np.stack([expected.real, expected.imag]))
    if got.dtype.kind != "f":
        return None if np.array_equal(got, expected) else "the values differ"
    for special in (np.isnan, np.isposinf, np.isneginf):
        if not np.array_equal(special(got), special(expected)):
            return "NaN or infinity in other places"
    finite = np.isfinite(expected)
    if not finite.any():
        return None
    a, b = got[finite].astype(np.float64), expected[finite].astype(np.float64)
    gap = float(np.max(np.abs(a - b)))
    scale = max(float(np.max(np.abs(b))), float(np.max(np.abs(a))), 1e-30)
    tolerance = 2e-2 if got.dtype.itemsize <= 2 else 1e-3
    return None if gap <= tolerance * scale else f"largest gap {gap:.3g} (scale {scale:.3g})"
