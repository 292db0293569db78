"""Batches for fit/evaluate/predict from arrays, lists/dicts of arrays, or Python iterables.

Arrays (NumPy, CuPy or Tensors; a list/tuple or dict of them for several inputs or outputs)
are cut into batches on the host, shuffled each epoch when asked, and each batch is moved to
the device when used. A generator or other iterable yields ready batches ``x``,
``(x, y)`` or ``(x, y, sample_weight)``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

from gpulayers import backend
from gpulayers.backend import host_data, random
from gpulayers.models.step_data import unpack_x_y_sample_weight

__all__ = ["ArrayBatches", "IterableBatches", "PassBatches", "PyDatasetBatches", "batches_for",
           "map_arrays", "split_validation", "unpack_batch", "yields_batches"]


def map_arrays(structure: Any, function: Any) -> Any:
    """``structure`` (nested dicts/lists/tuples, None kept) with ``function`` applied to each
    array in it."""
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {key: map_arrays(value, function) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)) and not host_data.is_host_array_like(structure):
        return type(structure)(map_arrays(value, function) for value in structure)
    return function(structure)


def _leaves(structure: Any) -> list[Any]:
    if structure is None:
        return []
    if isinstance(structure, dict):
        return [leaf for value in structure.values() for leaf in _leaves(value)]
    if isinstance(structure, (list, tuple)):
        return [leaf for value in structure for leaf in _leaves(value)]
    return [structure]


def to_device(structure: Any) -> Any:
    """Every array in ``structure`` moved to the active backend's device."""
    return map_arrays(structure, backend.to_device)


class PassBatches:
    """What array and PyDataset sources share: passes over a known number of batches, and
    Keras 3's ``steps_per_epoch`` on them (an epoch takes the next ``steps`` batches of the
    current pass, ends early with a warning where the pass ends, and the pass after it starts
    again from the first batch)."""

    steps_per_epoch: int | None = None

    @property
    def batches(self) -> int:
        """Batches in one pass over the data."""
        raise NotImplementedError

    @property
    def steps(self) -> int:
        return self.steps_per_epoch or self.batches

    def reset(self) -> None:
        """The next epoch starts from the first batch (evaluation always does)."""
        current = getattr(self, "_pass", None)
        if current is not None:
            current.close()  # runs the pass's end hooks
        self._pass: Iterator[tuple[Any, Any, Any]] | None = None
        self._seen = 0

    def epoch(self) -> Iterator[tuple[Any, Any, Any]]:
        """One epoch: a full pass, or with ``steps`` the next ``steps`` batches."""
        if self.steps_per_epoch is None:
            yield from self._one_pass()
            return
        if getattr(self, "_pass", None) is None:
            self.reset()
            self._pass = self._one_pass()
        for _ in range(self.steps_per_epoch):
            if self._seen >= self.batches:
                warnings.warn("Your input ran out of data; interrupting the epoch. The data "
                              f"holds {self.batches} batches; steps={self.steps_per_epoch}",
                              stacklevel=2)
                break
            self._seen += 1
            yield next(self._pass)
        if self._seen >= self.batches:
            self.reset()

    def _one_pass(self) -> Iterator[tuple[Any, Any, Any]]:
        raise NotImplementedError


def _check_steps(steps: Any, who: str) -> None:
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int)
                              or steps < 1):
        raise ValueError(f"{who}: the number of steps must be a positive integer. "
                         f"Received: {steps!r}")


class ArrayBatches(PassBatches):
    """Batches of in-memory arrays ``(x, y, sample_weight)``, each possibly a structure."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None,
                 batch_size: int | None = 32, shuffle: bool = False, who: str = "fit",
                 steps: int | None = None) -> None:
        self.x, self.y, self.sample_weight = (
            map_arrays(part, host_data.as_host_array) for part in (x, y, sample_weight))
        counts = {host_data.row_count(a) for a in _leaves(self.x) + _leaves(self.y)
                  + _leaves(self.sample_weight)}
        if len(counts) != 1:
            raise ValueError(f"{who}: x, y and sample_weight must have the same number of "
                             f"samples (first dimension). Received sizes {sorted(counts)}")
        self.count = counts.pop()
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"{who}: `batch_size` must be a positive integer. Received: "
                             f"batch_size={batch_size!r}")
        _check_steps(steps, who)
        # Keras 3: without batch_size, `steps` batches cover the data once.
        self.batch_size = batch_size or (math.ceil(self.count / steps) if steps else 32)
        self.shuffle = shuffle
        self.steps_per_epoch = steps
        self.reset()

    @property
    def batches(self) -> int:
        return math.ceil(self.count / self.batch_size)

    def _one_pass(self) -> Iterator[tuple[Any, Any, Any]]:
        order = None
        if self.shuffle:
            seed = int(backend.to_numpy(random.randint((1,), 0, 2 ** 31 - 1))[0])
            order = host_data.host_permutation(self.count, seed)
        for start in range(0, self.count, self.batch_size):
            rows = slice(start, start + self.batch_size) if order is None else order[
                start:start + self.batch_size]
            yield tuple(map_arrays(part, lambda a, r=rows: host_data.host_rows(a, r))
                        for part in (self.x, self.y, self.sample_weight))


class PyDatasetBatches(PassBatches):
    """The batches of a :class:`gpulayers.utils.PyDataset`, in index order; its
    ``on_epoch_begin``/``on_epoch_end`` run around each pass."""

    def __init__(self, dataset: Any, steps: int | None = None, who: str = "fit") -> None:
        _check_steps(steps, who)
        count = dataset.num_batches
        if count is None and steps is None:
            raise ValueError(f"{who}: {type(dataset).__name__} has no length (num_batches is "
                             "None); pass steps_per_epoch / steps")
        self.dataset, self.who = dataset, who
        self._count = count
        self.steps_per_epoch = steps
        self.reset()

    @property
    def batches(self) -> int:
        return self._count if self._count is not None else self.steps_per_epoch

    def _one_pass(self) -> Iterator[tuple[Any, Any, Any]]:
        self.dataset.on_epoch_begin()
        try:
            for batch in self.dataset.batches(self.batches):
                yield unpack_batch(batch, self.who)
        finally:
            self.dataset.on_epoch_end()


class IterableBatches:
    """Batches from a generator/iterable; ``steps`` (if given) batches make one epoch."""

    def __init__(self, source: Any, steps: int | None = None, who: str = "fit") -> None:
        self.source, self.steps, self.who = source, steps, who
        self._iterator: Iterator[Any] | None = None

    def reset(self) -> None:
        """Iterate the source afresh (a generator object just goes on where it was)."""
        self._iterator = None

    def epoch(self) -> Iterator[tuple[Any, Any, Any]]:
        if self.steps is None:  # the whole iterable is one epoch (re-iterated each epoch)
            yield from (self._unpack(batch) for batch in self.source)
            return
        if self._iterator is None:
            self._iterator = iter(self.source)
        for step in range(self.steps):
            try:
                batch = next(self._iterator)
            except StopIteration:
                if step:  # an empty epoch is reported by the loop that asked for it
                    warnings.warn(f"{self.who}: the input ran out of data after {step} of "
                                  f"{self.steps} steps; interrupting the epoch",
                                  stacklevel=2)
                return
            yield self._unpack(batch)

    def _unpack(self, batch: Any) -> tuple[Any, Any, Any]:
        return unpack_batch(batch, self.who)


def unpack_batch(batch: Any, who: str) -> tuple[Any, Any, Any]:
    """``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` -> three parts (None where
    missing), as Keras 3 unpacks a batch (a list counts as a tuple)."""
    try:
        return unpack_x_y_sample_weight(batch)
    except ValueError as error:
        raise ValueError(f"{who}: {error}") from None


def yields_batches(x: Any) -> bool:
    """A generator, iterable or PyDataset: something that yields ready batches."""
    from gpulayers.utils import PyDataset

    return isinstance(x, PyDataset) or (
        not host_data.is_host_array_like(x) and not isinstance(x, (list, tuple, dict))
        and hasattr(x, "__iter__"))


def batches_for(x: Any, y: Any, sample_weight: Any, batch_size: int | None, shuffle: bool,
                steps: int | None, who: str) -> Any:
    """The batch source for ``fit``/``evaluate``/``predict`` arguments."""
    if x is None:
        raise ValueError(f"{who}: `x` is required. Received x=None")
    from gpulayers.utils import PyDataset

    if isinstance(x, PyDataset):
        if y is not None or sample_weight is not None:
            raise ValueError(f"{who}: a PyDataset yields the targets too; do not pass y or "
                             "sample_weight")
        return PyDatasetBatches(x, steps, who)
    if yields_batches(x):
        if y is not None or sample_weight is not None:
            raise ValueError(f"{who}: when x is a generator or iterable it yields the "
                             f"targets too; do not pass y or sample_weight")
        return IterableBatches(x, steps, who)
    return ArrayBatches(x, y, sample_weight, batch_size, shuffle, who, steps)


def split_validation(x: Any, y: Any, sample_weight: Any, fraction: float,
                     who: str = "fit") -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Keras's ``validation_split``: the LAST ``fraction`` of the samples (before any
    shuffling) become the validation data."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"{who}: `validation_split` must be in (0, 1). Received: "
                         f"{fraction!r}")
    if yields_batches(x):
        raise ValueError(f"{who}: `validation_split` needs array data, not a generator")
    arrays = ArrayBatches(x, y, sample_weight, None, False, who)
    cut = int(arrays.count * (1.0 - fraction))
    parts = (arrays.x, arrays.y, arrays.sample_weight)
    head = tuple(map_arrays(p, lambda a: a[:cut]) for p in parts)
    tail = tuple(map_arrays(p, lambda a: a[cut:]) for p in parts)
    return head, tail
