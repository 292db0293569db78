"""``text_dataset_from_directory``: a folder of ``.txt`` files (one sub-folder per class) as
a ``PyDataset`` of ``(texts, labels)`` batches (Keras 3's ``keras.utils`` function)."""

from __future__ import annotations

from typing import Any

from gpulayers.backend import host_datasets
from gpulayers.utils.directory_dataset import build_file_datasets

__all__ = ["text_dataset_from_directory"]

_WHO = "text_dataset_from_directory"


def _text_loader(max_length: int | None) -> Any:
    def load(path: str) -> str:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
        return text if max_length is None else text[:max_length]

    return load


def text_dataset_from_directory(
        directory: Any, labels: Any = "inferred", label_mode: str | None = "int",
        class_names: list[str] | None = None, batch_size: int | None = 32,
        max_length: int | None = None, shuffle: bool = True, seed: int | None = None,
        validation_split: float | None = None, subset: str | None = None,
        follow_links: bool = False, verbose: bool = True, **kwargs: Any) -> Any:
    """A ``PyDataset`` of text batches from ``directory``'s ``.txt`` files.

    The layout, ``labels``, ``label_mode``, ``class_names``, ``shuffle``/``seed`` and
    ``validation_split``/``subset`` work as in :func:`image_dataset_from_directory`.

    Args:
        batch_size: texts per batch; None: one text per item.
        max_length: keep at most this many characters of each text.
        kwargs: ``PyDataset`` options (``workers``, ``max_queue_size``).

    Returns:
        A ``PyDataset`` whose batches are ``(texts, labels)``: texts a 1-D NumPy array of
        Python ``str`` (object dtype), labels as in ``image_dataset_from_directory``; with
        ``class_names`` and ``file_paths`` attributes.

    Example::

        train = text_dataset_from_directory("reviews", batch_size=64, seed=1)
        for texts, labels in train: ...
    """
    kwargs.pop("format", None)  # Keras's "tf"/"grain" choice: always a PyDataset here
    if max_length is not None and (isinstance(max_length, bool)
                                   or not isinstance(max_length, int) or max_length < 0):
        raise ValueError(f"{_WHO}: `max_length` must be a non-negative integer or None. "
                         f"Received: max_length={max_length!r}")
    return build_file_datasets(directory, labels, label_mode, class_names, (".txt",),
                               batch_size, shuffle, seed, validation_split, subset,
                               follow_links, verbose, _WHO, _text_loader(max_length),
                               host_datasets.text_rows, **kwargs)
