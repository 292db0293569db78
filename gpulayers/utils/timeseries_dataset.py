"""``timeseries_dataset_from_array``: sliding windows over a sequence as a ``PyDataset``
of batches (Keras 3's ``keras.utils`` function, without tf.data)."""

from __future__ import annotations

import math
from typing import Any

from gpulayers.backend import host_data, host_datasets
from gpulayers.utils.py_dataset import PyDataset

__all__ = ["TimeseriesDataset", "timeseries_dataset_from_array"]

_WHO = "timeseries_dataset_from_array"


class TimeseriesDataset(PyDataset):
    """Windows ``data[s : s + sequence_length * sampling_rate : sampling_rate]`` (counted
    from ``start_index``) for every start ``s`` in ``start_positions``, in batches, with
    ``targets[start_index + s]`` beside each window when there are targets.

    Built by :func:`timeseries_dataset_from_array`.
    """

    def __init__(self, data: Any, targets: Any, start_positions: Any, sequence_length: int,
                 sampling_rate: int, batch_size: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data = data
        self.targets = targets
        self.start_positions = start_positions
        self.sequence_length = sequence_length
        self.sampling_rate = sampling_rate
        self.batch_size = batch_size

    def __len__(self) -> int:
        count = len(self.start_positions)
        return count if self.batch_size is None else math.ceil(count / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(f"TimeseriesDataset: batch index {index} is out of range "
                             f"[0, {len(self)})")
        size = self.batch_size or 1
        starts = self.start_positions[index * size:(index + 1) * size]
        windows = host_datasets.timeseries_windows(self.data, starts, self.sequence_length,
                                                   self.sampling_rate)
        targets = None if self.targets is None else host_data.host_rows(self.targets, starts)
        if self.batch_size is None:  # one sample per item, as Keras's batch_size=None
            windows = windows[0]
            targets = None if targets is None else targets[0]
        return windows if targets is None else (windows, targets)


def _positive(name: str, value: Any, length: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{_WHO}: `{name}` must be a positive integer. Received: "
                         f"{name}={value!r}")
    if value >= length:
        raise ValueError(f"{_WHO}: `{name}` must be lower than the length of the data. "
                         f"Received: {name}={value}, for data of length {length}")


def _check_indices(start_index: int | None, end_index: int | None, length: int) -> None:
    if start_index:
        if start_index < 0:
            raise ValueError(f"{_WHO}: `start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= length:
            raise ValueError(f"{_WHO}: `start_index` must be lower than the length of the "
                             f"data. Received: start_index={start_index}, for data of length "
                             f"{length}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"{_WHO}: `end_index` must be higher than `start_index`. "
                             f"Received: start_index={start_index}, end_index={end_index}")
        if end_index >= length:
            raise ValueError(f"{_WHO}: `end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {length}")
        if end_index <= 0:
            raise ValueError(f"{_WHO}: `end_index` must be higher than 0. Received: "
                             f"end_index={end_index}")


def timeseries_dataset_from_array(
        data: Any, targets: Any, sequence_length: int, sequence_stride: int = 1,
        sampling_rate: int = 1, batch_size: int | None = 128, shuffle: bool = False,
        seed: int | None = None, start_index: int | None = None, end_index: int | None = None,
        **kwargs: Any) -> TimeseriesDataset:
    """Sliding windows over ``data`` as a ``PyDataset`` of batches.

    Window ``i`` starts at row ``start_index + i * sequence_stride`` and holds
    ``sequence_length`` rows taken every ``sampling_rate`` rows; its target is
    ``targets[start_index + i * sequence_stride]``. Only windows that end before
    ``end_index`` (and, with targets, whose start has a target) are made.

    Args:
        data: an array (or list) of rows, ``(steps, *features)``.
        targets: one target per row, or None (batches are then windows alone).
        sequence_length: rows per window.
        sequence_stride: rows between the starts of consecutive windows.
        sampling_rate: rows between consecutive rows of a window.
        batch_size: windows per batch (the last batch may be smaller); None: one window per
            item.
        shuffle, seed: shuffle the window order (``RandomState(seed)``, as Keras).
        start_index, end_index: the rows used, ``data[start_index:end_index]``.
        kwargs: ``PyDataset`` options (``workers``, ``max_queue_size``).

    Returns:
        A :class:`TimeseriesDataset` yielding ``(windows, targets)`` batches, windows of
        shape ``(batch, sequence_length, *features)``.

    Example: ``timeseries_dataset_from_array(range(10), None, 3, batch_size=2)[0]`` is
    ``[[0, 1, 2], [1, 2, 3]]``.
    """
    kwargs.pop("format", None)  # Keras's "tf"/"grain" choice: always a PyDataset here
    data = host_data.as_host_array(data)
    length = len(data)
    if isinstance(sequence_length, bool) or not isinstance(sequence_length, int) \
            or sequence_length <= 0:
        raise ValueError(f"{_WHO}: `sequence_length` must be a positive integer. Received: "
                         f"sequence_length={sequence_length!r}")
    _check_indices(start_index, end_index, length)
    _positive("sampling_rate", sampling_rate, length)
    _positive("sequence_stride", sequence_stride, length)
    if batch_size is not None and (isinstance(batch_size, bool)
                                   or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"{_WHO}: `batch_size` must be a positive integer or None. "
                         f"Received: batch_size={batch_size!r}")
    start = start_index or 0
    stop = length if end_index is None else end_index
    count = stop - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = host_data.as_host_array(targets)
        count = min(count, len(targets))
        targets = targets[start:]
    if shuffle and seed is None:
        seed = host_datasets.fresh_seed()
    starts = host_datasets.timeseries_starts(count, sequence_stride, shuffle, seed)
    return TimeseriesDataset(data[start:stop], targets, starts, sequence_length,
                             sampling_rate, batch_size, **kwargs)
