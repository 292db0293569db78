"""Datasets of one file per sample, labelled by sub-directory (the shared machinery of
``image_dataset_from_directory`` and ``text_dataset_from_directory``).

As in Keras 3: with ``labels="inferred"`` every sub-directory of ``directory`` (sorted, or in
``class_names``' order) is a class and its files (walked recursively, sorted) are that
class's samples; the file list is shuffled by ``RandomState(seed)``; ``validation_split``
keeps the last ``int(split * n)`` files for ``"validation"`` and the rest for
``"training"``. Batches are read on demand (``PyDataset``), so ``workers`` threads can decode
files ahead of the training loop.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import Any

from gpulayers.backend import host_datasets
from gpulayers.utils.py_dataset import PyDataset

__all__ = ["FileBatches", "build_file_datasets", "check_label_arguments",
           "check_validation_split", "index_directory", "split_for_subset"]

LABEL_MODES = ("int", "categorical", "binary", None)


def _valid_files(directory: str, follow_links: bool, formats: tuple[str, ...]) -> list[str]:
    found = []
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda entry: entry[0]):
        found += [os.path.join(root, name) for name in sorted(files)
                  if name.lower().endswith(formats)]
    return found


def index_directory(directory: str, labels: Any, formats: tuple[str, ...],
                    class_names: Sequence[str] | None, shuffle: bool, seed: int,
                    follow_links: bool, verbose: bool, who: str
                    ) -> tuple[list[str], Any, list[str] | None]:
    """``(file_paths, labels, class_names)`` of the files under ``directory`` (Keras 3's
    ``index_directory``; see the module docstring). ``labels`` is ``"inferred"``, None or a
    list with one label per file (in sorted file order)."""
    if not os.path.isdir(directory):
        raise ValueError(f"{who}: `directory` must be an existing folder. Received: "
                         f"directory={directory!r}")
    if labels == "inferred":
        subdirs = [name for name in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")]
        if class_names is not None:
            if not set(class_names) <= set(subdirs):
                raise ValueError(f"{who}: `class_names` must name sub-directories of "
                                 f"{directory!r}. Expected a subset of {subdirs}. Received: "
                                 f"class_names={list(class_names)}")
            subdirs = list(class_names)
    else:
        subdirs = [""]
    paths: list[str] = []
    ids: list[int] = []
    for index, subdir in enumerate(subdirs):
        files = _valid_files(os.path.join(directory, subdir), follow_links, formats)
        paths += files
        ids += [index] * len(files)
    if labels == "inferred":
        names: list[str] | None = subdirs
        labels = ids
    elif labels is None:
        names = None
    else:
        if len(labels) != len(paths):
            raise ValueError(f"{who}: `labels` must have one label per file. Received "
                             f"{len(labels)} labels for {len(paths)} files in {directory!r}")
        names = [str(label) for label in sorted(set(labels))]
        labels = list(labels)
    if verbose:
        found = f"Found {len(paths)} files"
        print(found + "." if names is None else f"{found} belonging to {len(names)} classes.")
    if shuffle:
        host_datasets.seeded_shuffle(paths, seed)
        if labels is not None:
            host_datasets.seeded_shuffle(labels, seed)
    return paths, labels, names


def check_label_arguments(labels: Any, label_mode: Any, class_names: Any, who: str) -> None:
    """Keras's checks of ``labels`` / ``label_mode`` / ``class_names``."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"{who}: `labels` must be 'inferred', None or a list/tuple of "
                             f"integer labels (one per file). Received: labels={labels!r}")
        if class_names:
            raise ValueError(f"{who}: `class_names` can only be given with "
                             f"labels='inferred'. Received: class_names={class_names!r}")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{who}: `label_mode` must be one of {LABEL_MODES}. Received: "
                         f"label_mode={label_mode!r}")


def check_validation_split(validation_split: Any, subset: Any, shuffle: bool, seed: Any,
                           who: str) -> None:
    """Keras's checks of ``validation_split`` / ``subset`` / ``seed``."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"{who}: `validation_split` must be between 0 and 1. Received: "
                         f"validation_split={validation_split!r}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"{who}: `subset` and `validation_split` go together. Received: "
                         f"validation_split={validation_split!r}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"{who}: `subset` must be 'training', 'validation' or 'both'. "
                         f"Received: subset={subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{who}: with `validation_split` and shuffle=True, give a `seed` so "
                         "that the training and validation subsets do not overlap")


def split_for_subset(paths: list[str], labels: Any, validation_split: float | None,
                     subset: str | None, verbose: bool) -> tuple[list[str], Any]:
    """The training (all but the last ``int(split * n)``) or validation (the last ones)
    part of ``paths`` and ``labels``."""
    if not validation_split:
        return paths, labels
    held_out = int(validation_split * len(paths))
    if subset == "training":
        keep = slice(None, len(paths) - held_out)
        message = f"Using {len(paths) - held_out} files for training."
    else:
        keep = slice(len(paths) - held_out, None)
        message = f"Using {held_out} files for validation."
    if verbose:
        print(message)
    return paths[keep], None if labels is None else labels[keep]


class FileBatches(PyDataset):
    """Batches of ``(samples, labels)`` (or samples alone) read from files on demand.

    Attributes:
        class_names: the class names (None without labels).
        file_paths: the files, in the dataset's order.
    """

    def __init__(self, file_paths: list[str], labels: Any, label_mode: str | None,
                 class_names: list[str] | None, batch_size: int | None,
                 load: Callable[[str], Any], stack: Callable[[list[Any]], Any],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.file_paths = list(file_paths)
        self.class_names = class_names
        self.batch_size = batch_size
        self._labels = labels if label_mode else None
        self._label_mode = label_mode
        self._load = load
        self._stack = stack

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.file_paths)
        return math.ceil(len(self.file_paths) / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__}: batch index {index} is out of range "
                             f"[0, {len(self)})")
        size = self.batch_size or 1
        rows = slice(index * size, (index + 1) * size)
        samples = self._stack([self._load(path) for path in self.file_paths[rows]])
        if self.batch_size is None:
            samples = samples[0]  # unbatched: one sample per item, as Keras's batch_size=None
        if self._labels is None:
            return samples
        labels = host_datasets.encode_labels(self._labels[rows], self._label_mode,
                                             len(self.class_names or ()))
        return samples, labels if self.batch_size is not None else labels[0]


def build_file_datasets(directory: Any, labels: Any, label_mode: Any, class_names: Any,
                        formats: tuple[str, ...], batch_size: int | None, shuffle: bool,
                        seed: int | None, validation_split: float | None, subset: str | None,
                        follow_links: bool, verbose: bool, who: str,
                        load: Callable[[str], Any], stack: Callable[[list[Any]], Any],
                        **dataset_options: Any) -> Any:
    """The whole recipe shared by the directory datasets: check, index, split, wrap.

    Returns a :class:`FileBatches`, or ``[training, validation]`` for ``subset="both"``;
    ``dataset_options`` (``workers``, ``max_queue_size``) go to each ``PyDataset``.
    """
    check_label_arguments(labels, label_mode, class_names, who)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if batch_size is not None and (isinstance(batch_size, bool)
                                   or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"{who}: `batch_size` must be a positive integer or None. "
                         f"Received: batch_size={batch_size!r}")
    check_validation_split(validation_split, subset, shuffle, seed, who)
    seed = host_datasets.fresh_seed() if seed is None else seed
    paths, labels, names = index_directory(os.fspath(directory), labels, formats, class_names,
                                           shuffle, seed, follow_links, verbose, who)
    if label_mode == "binary" and len(names or ()) != 2:
        raise ValueError(f"{who}: label_mode='binary' needs exactly 2 classes. Received: "
                         f"class_names={names}")
    subsets = ["training", "validation"] if subset == "both" else [subset]
    datasets = []
    for part in subsets:
        part_paths, part_labels = split_for_subset(paths, labels, validation_split, part,
                                                   verbose)
        if not part_paths:
            kind = f"{part} " if part else ""
            raise ValueError(f"{who}: no {kind}files found in directory {directory!r}. "
                             f"Allowed formats: {formats}")
        datasets.append(FileBatches(part_paths, part_labels, label_mode, names, batch_size,
                                    load, stack, **dataset_options))
    return datasets if subset == "both" else datasets[0]
