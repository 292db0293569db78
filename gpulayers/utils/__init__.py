"""User-facing utilities (Keras's ``keras.utils`` equivalents): seeding, ``to_categorical``,
``pad_sequences``, ``PyDataset``, datasets from arrays and directories, image helpers,
``Progbar``, object registration and serialization, and model plotting."""

from __future__ import annotations

from typing import Any

from gpulayers.backend import host_data as _host_data
from gpulayers.backend import random as _random
from gpulayers.backend.utilities import clear_session, standardize_dtype  # also in utils
from gpulayers.config.runtime_flags import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from gpulayers.layers.preprocessing import bounding_boxes
from gpulayers.models.step_data import pack_x_y_sample_weight, unpack_x_y_sample_weight
from gpulayers.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from gpulayers.utils.dataset_split import split_dataset
from gpulayers.utils.image_dataset import image_dataset_from_directory
from gpulayers.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from gpulayers.utils.model_visualization import model_to_dot, plot_model
from gpulayers.utils.normalize import normalize
from gpulayers.utils.object_serialization import (
    deserialize_keras_object,
    serialize_keras_object,
)
from gpulayers.utils.progbar import Progbar
from gpulayers.utils.py_dataset import PyDataset, Sequence
from gpulayers.utils.symbolic_tensors import get_source_inputs, is_keras_tensor
from gpulayers.utils.text_dataset import text_dataset_from_directory
from gpulayers.utils.timeseries_dataset import timeseries_dataset_from_array


def set_random_seed(seed: int) -> None:
    """Seed every random generator gpulayers uses (both backends and Python's ``random``).

    Two runs that call ``set_random_seed(seed)`` first draw identical weights, dropout masks and
    shuffles on the same backend.
    """
    _random.set_seed(seed)


def to_categorical(x: Any, num_classes: int | None = None) -> Any:
    """Class ids -> one-hot rows (a NumPy float64 array, as Keras 3 returns for NumPy input).

    Args:
        x: integer class ids of any shape; a trailing axis of size 1 is dropped.
        num_classes: the number of classes (default: ``max(x) + 1``).

    Returns:
        ``x.shape + (num_classes,)`` with a 1 at each id.

    Raises:
        ValueError for ids that are negative or not below ``num_classes``.

    Example: ``to_categorical([0, 2], 3)`` -> ``[[1, 0, 0], [0, 0, 1]]``.
    """
    return _host_data.one_hot_rows(x, num_classes, "to_categorical")


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0) -> Any:
    """Lists of different lengths (e.g. token ids) as one 2-D NumPy array, as Keras does.

    Args:
        sequences: a list of sequences (lists or arrays; items may be vectors).
        maxlen: the length of every row (default: the longest sequence).
        dtype: the result's dtype.
        padding: ``'pre'`` or ``'post'``: where the ``value`` cells go.
        truncating: ``'pre'`` or ``'post'``: which end of a longer sequence is cut.
        value: the padding value.

    Returns:
        ``(len(sequences), maxlen, *item_shape)``.

    Example: ``pad_sequences([[1, 2, 3], [4]], maxlen=2)`` -> ``[[2, 3], [0, 4]]``.
    """
    for name, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ValueError(f"pad_sequences: `{name}` must be 'pre' or 'post'. Received: "
                             f"{name}={given!r}")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, int)
                               or maxlen < 0):
        raise ValueError(f"pad_sequences: `maxlen` must be a non-negative integer or None. "
                         f"Received: maxlen={maxlen!r}")
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be a list of sequences. Received: "
                         f"{type(sequences).__name__}")
    return _host_data.pad_rows(sequences, maxlen, dtype, padding, truncating, value)


__all__ = ["CustomObjectScope", "Progbar", "PyDataset", "Sequence", "array_to_img",
           "bounding_boxes", "clear_session", "disable_interactive_logging",
           "enable_interactive_logging", "is_interactive_logging_enabled",
           "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
           "get_registered_name", "get_registered_object", "get_source_inputs",
           "image_dataset_from_directory", "img_to_array", "is_keras_tensor", "load_img",
           "model_to_dot", "normalize", "pack_x_y_sample_weight", "pad_sequences",
           "plot_model", "register_keras_serializable", "save_img", "serialize_keras_object",
           "set_random_seed", "split_dataset", "standardize_dtype",
           "text_dataset_from_directory", "timeseries_dataset_from_array", "to_categorical",
           "unpack_x_y_sample_weight"]
