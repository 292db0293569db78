"""The one loader for the CUDA sources in ``kernels/``.

It is the only code that knows where kernel files live and what they are called. A family
name (``'im2col'``, ``'pooling'``, ``'rnn'``, ``'elementwise'``, ``'optimizers'``) maps to
``kernels/<family>.cu``; ``#include "x.cuh"`` lines are replaced by the header's text before
compiling, because CuPy's compile cache is keyed on the source text and would otherwise miss
an edited header.
Compile-time constants are passed as ``-D`` options, which are part of the cache key too.

Modules are compiled once per (family, options, device) and cached for the process.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$', re.MULTILINE)
FAMILIES = ("im2col", "pooling", "rnn", "elementwise", "optimizers")


def kernel_dir() -> Path:
    """Folder holding the ``.cu`` files: the installed ``gpulayers/_kernels`` or ``./kernels``."""
    package_root = Path(__file__).resolve().parent.parent
    for candidate in (package_root / "_kernels", package_root.parent / "kernels"):
        if candidate.is_dir() and any(candidate.glob("*.cu")):
            return candidate
    raise FileNotFoundError(
        f"gpulayers: CUDA kernel sources not found in {package_root / '_kernels'} "
        f"or {package_root.parent / 'kernels'}; the installation is incomplete"
    )


def source_path(family: str) -> Path:
    """Path of the ``.cu`` file of a kernel family."""
    if family not in FAMILIES:
        raise ValueError(f"Unknown kernel family {family!r}: expected one of {FAMILIES}")
    return kernel_dir() / f"{family}.cu"


def source_text(family: str) -> str:
    """The family's CUDA source with its local ``#include "..."`` headers pasted in."""
    return _expand(source_path(family), seen=set())


def _expand(path: Path, seen: set[Path]) -> str:
    if path in seen:  # include guard for the pasted text
        return ""
    seen.add(path)

    def paste(match: re.Match[str]) -> str:
        return _expand(path.parent / match.group(1), seen)

    return _INCLUDE.sub(paste, path.read_text())


def get_function(family: str, name: str, defines: dict[str, Any] | None = None) -> Any:
    """A compiled ``cupy.RawKernel``-like function ``name`` from ``kernels/<family>.cu``.

    ``defines`` become ``-DKEY=VALUE`` compile options (e.g. an activation choice).
    """
    options = tuple(sorted(f"-D{key}={value}" for key, value in (defines or {}).items()))
    return _module(family, options, _device_id()).get_function(name)


def _device_id() -> int:
    import cupy

    return cupy.cuda.Device().id


@functools.cache
def _module(family: str, options: tuple[str, ...], device_id: int) -> Any:
    import cupy

    with cupy.cuda.Device(device_id):
        return cupy.RawModule(code=source_text(family), options=("--std=c++17", *options))
