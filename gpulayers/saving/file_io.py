"""Atomic file writes: a save either fully replaces the target or leaves it untouched.

Everything gpulayers writes to disk (``model.save``, ``save_weights``, checkpoints) goes
through :func:`atomic_write`: the bytes go to a temporary file next to the target, are
flushed and ``fsync``-ed, and only then renamed onto the target with ``os.replace`` (atomic on
POSIX and Windows). A crash or an exception half-way leaves the previous good file in place;
on an exception the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["atomic_write", "check_overwrite", "fspath"]


def fspath(filepath: Any, who: str) -> str:
    """``filepath`` (str or PathLike) as a str; TypeError naming ``who`` otherwise.

    Example: ``fspath(pathlib.Path("m.keras"), "save") == "m.keras"``.
    """
    if isinstance(filepath, (str, os.PathLike)):
        path = os.fspath(filepath)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if path:
            return path
    raise TypeError(f"{who}: `filepath` must be a non-empty str or os.PathLike. "
                    f"Received: filepath={filepath!r}")


def check_overwrite(path: str, overwrite: bool, who: str) -> None:
    """Refuse to replace an existing file when ``overwrite`` is False (Keras would prompt;
    a library call must not block on input, so this raises instead).

    Args:
        path: the file about to be written. overwrite: whether replacing it is allowed.
        who: how the error names the caller.

    Example: ``check_overwrite("m.keras", overwrite=False, who="save")`` raises ValueError
    if ``m.keras`` exists.
    """
    if os.path.isdir(path):
        raise ValueError(f"{who}: {path!r} is a directory; give a file path")
    if not overwrite and os.path.exists(path):
        raise ValueError(f"{who}: {path!r} already exists and overwrite=False. Pass "
                         "overwrite=True to replace it, or choose another path.")


def _open_temporary(path: str) -> tuple[str, int]:
    """A new temporary file in the target's folder (same file system, so the final rename
    is atomic). ``os.open`` with mode 0o666 lets the umask set the permissions, as for a
    file opened normally."""
    folder, name = os.path.split(os.path.abspath(path))
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file next to {path!r}")


def _fsync_folder(folder: str) -> None:
    # Makes the rename itself durable on POSIX; folders cannot be opened on Windows.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Write ``path`` atomically: yields a binary file (readable and seekable, as h5py and
    zipfile need) that replaces ``path`` only when the block ends without an exception.

    Args:
        path: the file to create or replace. Its folder must exist.

    Example::

        with atomic_write("model.keras") as f:
            f.write(data)   # "model.keras" changes only after this block succeeds
    """
    target = os.fspath(path)
    temporary, descriptor = _open_temporary(target)
    try:
        with os.fdopen(descriptor, "w+b") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    _fsync_folder(os.path.dirname(os.path.abspath(target)))
