"""PyDataset (Keras 3's ``keras.utils.PyDataset``, formerly ``Sequence``): batches by index.

Subclass it, return batch ``index`` from ``__getitem__`` (``x``, ``(x, y)`` or ``(x, y,
sample_weight)``) and the number of batches from ``__len__`` (or ``num_batches``); ``fit``,
``evaluate`` and ``predict`` then go through the batches in order, one epoch = ``len(dataset)``
batches, and call ``on_epoch_begin`` / ``on_epoch_end`` around each pass (shuffle there).

With ``workers > 1`` the next batches are read by that many threads while the model trains
(up to ``max_queue_size`` ahead), in order; useful when ``__getitem__`` reads files or does
NumPy work that releases the GIL. ``use_multiprocessing=True`` is accepted for Keras
compatibility but also uses threads (worker processes would need the dataset to be picklable
and would copy every batch).

Example::

    class Batches(gpulayers.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, index):
            rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
            return self.x[rows], self.y[rows]

    model.fit(Batches(x, y, 32, workers=4), epochs=5)
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["PyDataset", "Sequence"]


class PyDataset:
    """Base class for datasets read batch by batch (see the module docstring).

    Args:
        workers: threads reading batches ahead (1: read each batch when it is needed).
        use_multiprocessing: accepted for Keras compatibility; threads are used.
        max_queue_size: how many batches may be read ahead with ``workers > 1``.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        for name, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{type(self).__name__}: `{name}` must be a positive integer. "
                                 f"Received: {name}={value!r}")
        self.workers = workers
        self.use_multiprocessing = bool(use_multiprocessing)
        self.max_queue_size = max_queue_size

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index) "
                                  "returning batch `index`")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__() (the number "
                                  "of batches) or the num_batches property")

    @property
    def num_batches(self) -> int | None:
        """The number of batches in one pass (``len(self)``)."""
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called before each pass over the batches."""

    def on_epoch_end(self) -> None:
        """Called after each pass (shuffle the order here)."""

    def batches(self, count: int) -> Iterator[Any]:
        """Batches ``0 .. count - 1`` in order, read ahead by ``workers`` threads if > 1."""
        if self.workers == 1:
            for index in range(count):
                yield self[index]
            return
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            ahead: collections.deque = collections.deque()
            next_index = 0
            while next_index < count or ahead:
                while next_index < count and len(ahead) < self.max_queue_size:
                    ahead.append(pool.submit(self.__getitem__, next_index))
                    next_index += 1
                yield ahead.popleft().result()


Sequence = PyDataset  # the Keras 2 name
