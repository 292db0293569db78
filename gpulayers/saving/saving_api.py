"""Saving and loading models and weights (Keras 3's ``saving_api``).

- :func:`save_model` / ``model.save(path)``: one ``.keras`` file with the architecture, the
  weights, the optimizer state and the compile config;
- :func:`load_model`: a model that predicts and resumes training as the saved one would;
- :func:`save_weights` / :func:`load_weights`: weights (and optimizer state) only, as
  ``.weights.h5`` (Keras 3's HDF5 layout, readable by Keras; needs h5py) or ``.weights.npz``
  (NumPy only); ``load_weights`` also reads the weights of a ``.keras`` file.

Every write is atomic (see :mod:`gpulayers.saving.file_io`): an interrupted save leaves the
previous file intact. Damaged, foreign or mismatched files give a ValueError that names the
file and says what is wrong.

Example::

    model.save("model.keras")
    model = load_model("model.keras", custom_objects={"SimpleDense": SimpleDense})
    model.save_weights("model.weights.h5")
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from gpulayers.backend import array_files
from gpulayers.saving import keras_archive
from gpulayers.saving.file_io import atomic_write, check_overwrite, fspath
from gpulayers.saving.keras_modules import with_keras_modules
from gpulayers.saving.model_config import model_from_config, serialize_model
from gpulayers.saving.weights_store import collect_weights, restore_weights

__all__ = ["WEIGHTS_SUFFIXES", "load_model", "load_weights", "model_from_json", "model_to_json",
           "save_model", "save_weights"]

WEIGHTS_SUFFIXES = (".weights.h5", ".weights.npz")


def save_model(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """Save ``model`` (config, weights, optimizer state, compile config) to a ``.keras`` file.

    Args:
        model: the Model to save.
        filepath: a path ending in ``.keras``.
        overwrite: replace an existing file (ValueError if False and the file exists).

    Example: ``save_model(model, "model.keras")``.
    """
    who = "save"
    path = fspath(filepath, who)
    if not path.endswith(".keras"):
        raise ValueError(f"{who}: invalid filepath: expected a `.keras` extension. Received: "
                         f"filepath={path!r} (use save_weights for {WEIGHTS_SUFFIXES})")
    check_overwrite(path, overwrite, who)
    if not model.built:
        warnings.warn(f"{who}: model '{model.name}' has not been built yet, so it has no "
                      "weights to save. Build it first by calling it on some data.",
                      stacklevel=3)
    config_json = keras_archive.to_json(with_keras_modules(serialize_model(model)), who)
    arrays, names = collect_weights(model)
    with atomic_write(path) as stream:
        keras_archive.write_archive(stream, config_json, arrays, names)


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
               compile: bool = True, safe_mode: bool = True) -> Any:
    """Load a model saved by :func:`save_model` (or by Keras 3's ``model.save``).

    Args:
        filepath: a ``.keras`` file.
        custom_objects: ``{name: class or function}`` for the custom layers, losses...
            (see also ``custom_object_scope`` and ``register_keras_serializable``).
        compile: compile the model as it was, and restore the optimizer's state.
        safe_mode: accepted for Keras compatibility (gpulayers never runs code from a file).

    Raises:
        ValueError naming the file when it is missing, not a ``.keras`` file, damaged, or
        names a class that cannot be found.

    Example::

        model = load_model("model.keras")
        model.fit(x, y, epochs=2)   # continues where the saved model stopped
    """
    who = "load_model"
    path = fspath(filepath, who)
    if not path.endswith(".keras"):
        raise ValueError(f"{who}: invalid filename: expected a `.keras` extension. Received: "
                         f"filepath={path!r}")
    config, arrays = keras_archive.read_archive(path, who)
    source = f"{who}({path!r})"
    model = model_from_config(config, custom_objects, compile, source)
    restore_weights(model, arrays, f"{path!r}", include_optimizer=compile)
    return model


def model_to_json(model: Any, **kwargs: Any) -> str:
    """``model``'s architecture (and build and compile configs, no weights) as JSON text, as
    Keras 3's ``model.to_json()`` writes it; ``kwargs`` go to ``json.dumps``."""
    return json.dumps(json.loads(keras_archive.to_json(serialize_model(model), "to_json")),
                      **kwargs)


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """A new model (fresh weights, compiled if it was) from :func:`model_to_json`'s text.

    Example: ``clone = model_from_json(model.to_json())``.
    """
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as error:
        raise ValueError(f"model_from_json: not JSON text: {error}") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("model_from_json: expected the JSON of a model config (an object with "
                         f"'class_name' and 'config'). Received: {str(config)[:80]!r}")
    return model_from_config(config, custom_objects, compile=True, source="model_from_json")


def _weights_format(path: str, who: str, allowed: tuple[str, ...]) -> str:
    for suffix in allowed:
        if path.endswith(suffix):
            return suffix
    raise ValueError(f"{who}: the filename must end in one of {list(allowed)}. Received: "
                     f"filepath={path!r}")


def _check_built(model: Any, who: str) -> None:
    if not model.built:
        raise ValueError(f"{who}: model '{model.name}' has not been built yet, so it has no "
                         "weights. Build it first by calling it on some data or with "
                         "build(input_shape).")


def save_weights(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """Save ``model``'s weights (and its optimizer's state when compiled).

    Args:
        model: a built Model.
        filepath: ``*.weights.h5`` (Keras 3's HDF5 layout; needs h5py) or ``*.weights.npz``.
        overwrite: replace an existing file (ValueError if False and the file exists).

    Example: ``save_weights(model, "model.weights.h5")``.
    """
    who = "save_weights"
    path = fspath(filepath, who)
    suffix = _weights_format(path, who, WEIGHTS_SUFFIXES)
    check_overwrite(path, overwrite, who)
    _check_built(model, who)
    arrays, names = collect_weights(model)
    if suffix == ".weights.h5":
        array_files.h5py_module()  # the ImportError before any file is created
    with atomic_write(path) as stream:
        if suffix == ".weights.h5":
            array_files.write_h5(stream, arrays, names)
        else:
            array_files.write_npz(stream, arrays)


def _read_weights_file(path: str, suffix: str, who: str) -> dict[str, Any]:
    if suffix == ".keras":
        return keras_archive.read_archive_weights(path, who)
    keras_archive.check_readable(path, who)
    read = array_files.read_h5 if suffix == ".weights.h5" else array_files.read_npz
    try:
        with open(path, "rb") as stream:
            return read(stream)
    except ValueError as error:
        raise ValueError(f"{who}: {path!r} is not a valid {suffix} file: {error}") from None


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False) -> None:
    """Load weights saved by :func:`save_weights` (or by Keras 3) into ``model``.

    Args:
        model: a built Model with the architecture the weights were saved from.
        filepath: ``*.weights.h5``, ``*.weights.npz`` or a ``.keras`` file.
        skip_mismatch: skip (with a warning) layers whose variables do not match instead of
            raising.

    Raises:
        ValueError naming each mismatched layer with the expected and received shapes;
        nothing is assigned then.

    Example: ``load_weights(model, "model.weights.h5")``.
    """
    who = "load_weights"
    path = fspath(filepath, who)
    suffix = _weights_format(path, who, (*WEIGHTS_SUFFIXES, ".keras"))
    _check_built(model, who)
    arrays = _read_weights_file(path, suffix, who)
    restore_weights(model, arrays, f"{path!r}", skip_mismatch=skip_mismatch)
