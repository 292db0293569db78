"""Whether CuPy can run here, and if not, why (kept separate so it never imports cupy twice)."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when a CUDA device is usable through CuPy, else a sentence naming the reason."""
    try:
        import cupy
    except ImportError as error:
        return (
            f"cupy is not installed ({error}); install gpulayers[cuda12] or gpulayers[cuda13]"
        )
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDARuntimeError carries the driver's own words
        text = str(error)
        if "insufficient" in text.lower() or "driver" in text.lower():
            return f"the NVIDIA driver is missing or too old for this CuPy build ({text})"
        return f"no CUDA device is usable ({text})"
    if count == 0:
        return "no CUDA device was found"
    try:
        cupy.zeros(1).sum().item()
    except Exception as error:
        return f"the CUDA device could not run a kernel ({error})"
    return None
