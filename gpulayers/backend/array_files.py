"""Array files on the host: NumPy ``.npz`` and Keras-layout HDF5 (``.h5``) weight stores.

A weight store is a flat dict ``{key: numpy array}`` whose keys are Keras 3's weight paths
(``layers/dense/vars/0``, ``optimizer/vars/1``, ``vars/0`` for the model's own variables).
``.npz`` needs nothing but NumPy. HDF5 needs h5py, imported only when an ``.h5`` file is read
or written. The HDF5 layout is Keras 3's: one group per path holding a ``vars`` group whose
``name`` attribute names the layer, with datasets ``"0"``, ``"1"``... in it.

Readers raise ValueError saying what is wrong with the file; the caller adds which file.

Example::

    with open("w.weights.npz", "wb") as f:
        write_npz(f, {"layers/dense/vars/0": kernel})
    with open("w.weights.npz", "rb") as f:
        arrays = read_npz(f)
"""

from __future__ import annotations

import io
import zipfile
from types import ModuleType
from typing import IO, Any

import numpy as np

__all__ = ["H5_SIGNATURE", "h5py_available", "h5py_module", "read_h5", "read_npz", "write_h5",
           "write_npz"]

H5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def h5py_module() -> ModuleType:
    """h5py, or ImportError saying how to install it (it is an optional dependency).

    Example: ``h5py = h5py_module()``.
    """
    try:
        import h5py
    except ImportError as error:
        raise ImportError('Reading or writing HDF5 (.h5) weights needs h5py: pip install '
                          '"gpulayers[h5]" (or pip install h5py)') from error
    return h5py


def h5py_available() -> bool:
    """Whether h5py (the optional HDF5 dependency) can be imported."""
    try:
        h5py_module()
    except ImportError:
        return False
    return True


def _host(value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype == object:
        raise ValueError(f"cannot store an object array (dtype=object, shape {array.shape})")
    return array


def write_npz(stream: IO[bytes], arrays: dict[str, Any]) -> None:
    """Write ``arrays`` to ``stream`` as an uncompressed ``.npz`` (keys may contain ``/``).

    Example: ``write_npz(f, {"layers/dense/vars/0": kernel})``.
    """
    np.savez(stream, **{key: _host(value) for key, value in arrays.items()})


def read_npz(stream: IO[bytes]) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` stream (pickled objects are refused).

    Example: ``read_npz(f)["layers/dense/vars/0"]``.
    """
    try:
        contents = np.load(io.BytesIO(stream.read()), allow_pickle=False)
        if not hasattr(contents, "files"):  # a single .npy array, not an archive
            raise ValueError("it holds one array, not an .npz archive of named arrays")
        with contents:
            return {key: np.asarray(contents[key]) for key in contents.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise ValueError(f"not a readable NumPy .npz weights file ({error})") from None


def write_h5(target: IO[bytes], arrays: dict[str, Any], names: dict[str, str]) -> None:
    """Write ``arrays`` in Keras 3's HDF5 layout.

    Args:
        target: a binary file object opened for writing and reading (h5py needs both).
        arrays: ``{"<path>/vars/<i>": array}``.
        names: ``{"<path>/vars": layer name}`` stored as the group's ``name`` attribute.

    Example: ``write_h5(f, {"layers/dense/vars/0": k}, {"layers/dense/vars": "dense"})``.
    """
    h5py = h5py_module()
    with h5py.File(target, "w") as h5:
        for group_path, name in names.items():
            h5.require_group(group_path).attrs["name"] = name
        for key, value in arrays.items():
            group_path, dataset = key.rsplit("/", 1)
            h5.require_group(group_path).create_dataset(dataset, data=_host(value))


def _refuse_links(h5: Any, h5py: ModuleType) -> None:
    """External and soft links could point outside the file: refused, as Keras does."""
    def check(name: str, link: Any) -> None:
        if isinstance(link, (h5py.ExternalLink, h5py.SoftLink)):
            raise ValueError(f"the HDF5 file has a {type(link).__name__} at {name!r}, which "
                             "is not allowed in a weights file")

    if hasattr(h5, "visititems_links"):
        h5.visititems_links(check)


def read_h5(source: IO[bytes]) -> dict[str, np.ndarray]:
    """Every dataset of a Keras-layout HDF5 stream, keyed by its path.

    Example: ``read_h5(f)["layers/dense/vars/0"]``.
    """
    h5py = h5py_module()
    arrays: dict[str, np.ndarray] = {}

    def collect(name: str, item: Any) -> None:
        if isinstance(item, h5py.Dataset):
            if item.external or item.is_virtual:
                raise ValueError(f"the HDF5 dataset {name!r} keeps its data outside the "
                                 "file, which is not allowed in a weights file")
            arrays[name] = np.asarray(item[()])

    try:
        with h5py.File(source, "r") as h5:
            _refuse_links(h5, h5py)
            h5.visititems(collect)
    except ValueError:
        raise
    except (OSError, KeyError, RuntimeError, TypeError) as error:
        raise ValueError(f"not a readable HDF5 weights file ({error})") from None
    return arrays
