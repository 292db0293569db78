"""``keras.config``'s on/off switches: unsafe deserialization, interactive logging,
traceback filtering, flash attention and NNX.

Each is a process-wide flag with Keras's default and Keras's getter/setter names. What each
one changes in gpulayers:

- unsafe deserialization (default off): recorded only. gpulayers never runs code from a
  saved file (a Keras ``Lambda`` stored as bytecode is refused either way), so there is
  nothing that enabling it unlocks.
- interactive logging (default on): when off, progress bars and callback messages are not
  written to stdout (the progress display reads :func:`is_interactive_logging_enabled`).
- traceback filtering (default on): an accepted no-op; gpulayers does not rewrite
  tracebacks, so the full traceback is always shown.
- flash attention (default ``None``, "use when possible", as Keras): recorded and reported;
  gpulayers' attention always computes the exact attention, with no separate flash kernel.
- NNX: a JAX-only Keras feature; always False here.

Example::

    from gpulayers import config
    config.disable_interactive_logging()   # model.fit(..., verbose=1) now prints nothing
"""

from __future__ import annotations

__all__ = ["disable_flash_attention", "disable_interactive_logging",
           "disable_traceback_filtering", "disable_unsafe_deserialization",
           "enable_flash_attention", "enable_interactive_logging",
           "enable_traceback_filtering", "enable_unsafe_deserialization",
           "is_flash_attention_enabled", "is_interactive_logging_enabled", "is_nnx_enabled",
           "is_traceback_filtering_enabled", "is_unsafe_deserialization_enabled"]

_flags: dict[str, bool | None] = {
    "unsafe_deserialization": False,
    "interactive_logging": True,
    "traceback_filtering": True,
    "flash_attention": None,
}


def enable_unsafe_deserialization() -> None:
    """Allow loading saved lambdas as Keras does (recorded only: see the module docstring)."""
    _flags["unsafe_deserialization"] = True


def disable_unsafe_deserialization() -> None:
    """Back to the default: safe deserialization."""
    _flags["unsafe_deserialization"] = False


def is_unsafe_deserialization_enabled() -> bool:
    """True after :func:`enable_unsafe_deserialization` (default False)."""
    return bool(_flags["unsafe_deserialization"])


def enable_interactive_logging() -> None:
    """Write progress bars and callback messages to stdout (the default)."""
    _flags["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Stop writing progress bars and callback messages to stdout (for logs and batch jobs)."""
    _flags["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    """True unless :func:`disable_interactive_logging` was called."""
    return bool(_flags["interactive_logging"])


def enable_traceback_filtering() -> None:
    """Accepted for Keras compatibility; gpulayers never filters tracebacks (a no-op)."""
    _flags["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    """Accepted for Keras compatibility; tracebacks are always shown in full (a no-op)."""
    _flags["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    """The recorded flag (default True, as Keras); it changes nothing in gpulayers."""
    return bool(_flags["traceback_filtering"])


def enable_flash_attention() -> None:
    """Let attention use a flash kernel where possible (Keras stores ``None``, "auto").

    Recorded and reported only: gpulayers' attention is always the exact computation.
    """
    _flags["flash_attention"] = None


def disable_flash_attention() -> None:
    """Never use a flash kernel (gpulayers never does; recorded and reported)."""
    _flags["flash_attention"] = False


def is_flash_attention_enabled() -> bool | None:
    """``None`` (the default, "when possible") or False after :func:`disable_flash_attention`,
    as Keras reports it."""
    return _flags["flash_attention"]


def is_nnx_enabled() -> bool:
    """Always False: NNX is a feature of Keras's JAX backend."""
    return False
