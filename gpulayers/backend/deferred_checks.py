"""Checks of values that live on the device, without making the host wait for the device.

Reading a device value on CuPy (``bool(flag)``) makes the host wait until the GPU has run
everything queued before it; a label-range check in the loss would do that in every training
step, so the host could never queue the next kernels while the GPU works (and a CUDA graph of
the step could not be captured). So on CuPy a check only records its flag; the flags are read
together, in one copy, at the next point where the host reads from the device anyway
(:func:`gpulayers.backend.to_numpy`: the logs at the end of every ``fit`` step, predictions,
weights) or once :data:`MAX_PENDING` checks wait. The error raised then is the one the check
describes (its message may read the offending values). On NumPy a check runs at once.

Example::

    deferred_checks.check((labels < 0).any() | (labels >= classes).any(),
                          lambda: ValueError(f"labels must be in [0, {classes})"))
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["MAX_PENDING", "check", "deferring", "pending_count", "raise_pending", "recording",
           "requeue"]

MAX_PENDING = 64  # read the flags after this many checks even without a host read

_pending: list[tuple[Any, Callable[[], BaseException]]] = []
_forced: list[bool] = []  # set by deferring(): lets tests exercise the CuPy behaviour on NumPy
_recorders: list[list[tuple[Any, Callable[[], BaseException]]]] = []


def _defer() -> bool:
    if _forced:
        return _forced[-1]
    from gpulayers import backend

    return backend.is_gpu()


def check(failed: Any, error: Callable[[], BaseException]) -> bool:
    """Raise ``error()`` if the boolean scalar array ``failed`` is true: at once on NumPy, at
    the next host read (or after :data:`MAX_PENDING` checks) on CuPy.

    Args:
        failed: a 0-d (or size-1) boolean array, true when the input is bad.
        error: makes the exception to raise (called only on failure).

    Returns:
        True when the check was deferred: the caller must then carry on with values that are
        safe even for bad input (e.g. indices clipped into range, so no kernel reads outside
        an array before the error is raised).
    """
    if not _defer():
        if bool(failed):
            raise error()
        return False
    _pending.append((failed, error))
    for recorder in _recorders:
        recorder.append((failed, error))
    if len(_pending) >= MAX_PENDING and not _recorders:
        raise_pending()
    return True


def raise_pending() -> None:
    """Read every recorded flag (one device-to-host copy) and raise the first failed check's
    error; the others are dropped with it."""
    if not _pending:
        return
    checks = list(_pending)
    _pending.clear()
    flags = checks[0][0]
    module = type(flags).__module__.split(".")[0]
    if module == "cupy":
        import cupy

        flags = cupy.stack([flag.reshape(()) for flag, _ in checks]).get()
    else:
        flags = [bool(flag) for flag, _ in checks]
    for (_, error), failed in zip(checks, flags):
        if failed:
            raise error()


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[Any, Callable[[], BaseException]]]]:
    """Inside, deferred checks are also listed in the yielded list, and the pending ones are
    not read (a step being captured into a CUDA graph cannot read from the device).

    A replayed graph rewrites the flags it was recorded with; :func:`requeue` them after
    each replay so they are read like the checks of an eager step.
    """
    recorded: list[tuple[Any, Callable[[], BaseException]]] = []
    _recorders.append(recorded)
    try:
        yield recorded
    finally:
        _recorders.pop()


def requeue(checks: list[tuple[Any, Callable[[], BaseException]]]) -> None:
    """Queue recorded checks again (their flags hold a replay's values)."""
    _pending.extend(checks)
    if len(_pending) >= MAX_PENDING:
        raise_pending()


def pending_count() -> int:
    """How many checks wait to be read."""
    return len(_pending)


@contextlib.contextmanager
def deferring(enabled: bool = True) -> Iterator[None]:
    """Defer (or not) checks inside the block whatever the backend (for tests); pending checks
    are dropped on leaving."""
    _forced.append(enabled)
    try:
        yield
    finally:
        _forced.pop()
        _pending.clear()
