"""The ``.keras`` file: a zip archive laid out as Keras 3 writes it.

Members:

- ``metadata.json``: ``{"keras_version", "gpulayers_version", "date_saved"}``;
- ``config.json``: the model's config (``{"module", "class_name", "config",
  "registered_name", "build_config", "compile_config"}``, see
  :mod:`gpulayers.saving.model_config`);
- ``model.weights.h5``: the weights and optimizer state in Keras 3's HDF5 layout, one array
  per Keras weight path (``layers/dense/vars/0``...), see
  :mod:`gpulayers.saving.weights_store`; without h5py, the same arrays in
  ``model.weights.npz`` (which only gpulayers reads back).

With h5py installed Keras 3 loads these files (``keras.models.load_model``), and gpulayers
reads the archives Keras 3 writes. Every problem with the file (missing, not a zip,
truncated, a zip of something else, unreadable members) is a ValueError naming the file.

Example::

    with open("model.keras", "w+b") as f:
        write_archive(f, config, arrays)
    config, arrays = read_archive("model.keras", "load_model")
"""

from __future__ import annotations

import datetime
import io
import json
import os
import zipfile
import zlib
from collections.abc import Callable
from typing import IO, Any

from gpulayers.backend import array_files

__all__ = ["CONFIG_MEMBER", "KERAS_FORMAT_VERSION", "METADATA_MEMBER", "WEIGHTS_H5_MEMBER",
           "WEIGHTS_NPZ_MEMBER", "ArchiveError", "read_archive", "read_archive_weights",
           "to_json", "write_archive"]

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_NPZ_MEMBER = "model.weights.npz"
WEIGHTS_H5_MEMBER = "model.weights.h5"
# The Keras release whose archive layout, config keys and weight paths this file follows.
KERAS_FORMAT_VERSION = "3.15.1"


class ArchiveError(ValueError):
    """A problem found in a ``.keras`` file (already names the file)."""


# What zipfile, zlib and json raise for damaged or truncated archives and members.
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError)


def _json_default(value: Any) -> Any:
    """JSON for the few non-JSON values configs may hold (NumPy scalars and arrays)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"a config value of type {type(value).__name__} is not JSON-serializable "
                    f"({value!r}); get_config() must return plain Python values")


def to_json(config: dict[str, Any], who: str) -> str:
    """``config`` as JSON text; ValueError naming the value that is not serializable.

    Example: ``to_json({"class_name": "Sequential", "config": {}}, "save")``.
    """
    try:
        return json.dumps(config, default=_json_default)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{who}: the model's config cannot be written as JSON: "
                         f"{error}") from None


def _metadata() -> dict[str, str]:
    import gpulayers

    return {"keras_version": KERAS_FORMAT_VERSION, "gpulayers_version": gpulayers.__version__,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}


def write_archive(stream: IO[bytes], config_json: str, arrays: dict[str, Any],
                  names: dict[str, str] | None = None) -> None:
    """Write a ``.keras`` archive to ``stream`` (a binary file open for writing).

    The weights go to ``model.weights.h5`` in Keras 3's layout when h5py is installed and
    ``names`` are given (Keras then loads the file too), else to ``model.weights.npz``.

    Args:
        stream: where the zip goes (e.g. the file given by ``atomic_write``).
        config_json: the model's config, already JSON text (see :func:`to_json`).
        arrays: ``{"<weight path>": array}``.
        names: ``{"<path>/vars": object name}`` for the HDF5 groups (see ``write_h5``).
    """
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr(METADATA_MEMBER, json.dumps(_metadata()))
        archive.writestr(CONFIG_MEMBER, config_json)
        if names is not None and array_files.h5py_available():
            weights = io.BytesIO()  # h5py needs a seekable file; a zip member is not one
            array_files.write_h5(weights, arrays, names)
            archive.writestr(WEIGHTS_H5_MEMBER, weights.getvalue())
            return
        with archive.open(WEIGHTS_NPZ_MEMBER, "w", force_zip64=True) as member:
            array_files.write_npz(member, arrays)


def check_readable(path: str, who: str) -> None:
    """ValueError naming ``path`` when there is no file there (or it is a folder).

    Example: ``check_readable("missing.keras", "load_model")`` raises ValueError.
    """
    if not os.path.exists(path):
        raise ValueError(f"{who}: no such file: {path!r}")
    if os.path.isdir(path):
        raise ValueError(f"{who}: {path!r} is a directory, not a file")


def _read_weights(archive: zipfile.ZipFile, path: str, who: str) -> dict[str, Any]:
    names = archive.namelist()
    if WEIGHTS_NPZ_MEMBER in names:
        member, read = WEIGHTS_NPZ_MEMBER, array_files.read_npz
    elif WEIGHTS_H5_MEMBER in names:
        member, read = WEIGHTS_H5_MEMBER, array_files.read_h5
    else:
        raise ArchiveError(f"{who}: {path!r} is not a .keras model file: it has no "
                           f"{WEIGHTS_NPZ_MEMBER} or {WEIGHTS_H5_MEMBER} member (members: "
                           f"{names[:10]})")
    data = archive.read(member)
    try:
        return read(io.BytesIO(data))
    except ValueError as error:
        raise ArchiveError(f"{who}: {path!r}: its {member} is damaged: {error}") from None


def _read_config(archive: zipfile.ZipFile, path: str, who: str) -> dict[str, Any]:
    names = archive.namelist()
    if CONFIG_MEMBER not in names:
        if names and all(name.endswith(".npy") for name in names):
            # The weights member is itself a zip stored uncompressed: when the end of the
            # file is cut off, zipfile finds that inner archive's directory instead.
            raise ArchiveError(f"{who}: {path!r} is not a valid .keras model file: it is "
                               "truncated (only the weights archive stored inside it can be "
                               "read)")
        raise ArchiveError(f"{who}: {path!r} is a zip archive but not a .keras model file: "
                           f"it has no {CONFIG_MEMBER} (members: {names[:10]})")
    try:
        config = json.loads(archive.read(CONFIG_MEMBER).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArchiveError(f"{who}: {path!r}: its {CONFIG_MEMBER} is not valid JSON "
                           f"({error})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ArchiveError(f"{who}: {path!r}: its {CONFIG_MEMBER} does not describe a model "
                         "(no 'class_name')")
    return config


def _read(path: str, who: str, reader: Callable[[zipfile.ZipFile], Any]) -> Any:
    check_readable(path, who)
    try:
        with zipfile.ZipFile(path, "r") as archive:
            return reader(archive)
    except ArchiveError:
        raise
    except _DAMAGE as error:
        raise ArchiveError(f"{who}: {path!r} is not a valid .keras model file: it is not a "
                           f"zip archive, or it is truncated or damaged "
                           f"({type(error).__name__}: {error})") from None


def read_archive(path: str, who: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The model config and the weight arrays of the ``.keras`` file at ``path``.

    Everything is read and checked before the caller builds anything.

    Example: ``config, arrays = read_archive("model.keras", "load_model")``.
    """
    return _read(path, who, lambda archive: (_read_config(archive, path, who),
                                             _read_weights(archive, path, who)))


def read_archive_weights(path: str, who: str) -> dict[str, Any]:
    """Only the weight arrays of a ``.keras`` file (for ``load_weights``).

    Example: ``read_archive_weights("model.keras", "load_weights")["layers/dense/vars/0"]``.
    """
    return _read(path, who, lambda archive: _read_weights(archive, path, who))
