"""Optimizer steps taken out of a step that is being captured into a device graph.

Why: an optimizer step computes per-step numbers on the host (the learning rate of a schedule,
Adam's bias corrections, a loss scale's skip decision) and passes them to its kernels as
arguments. A CUDA graph would replay the numbers of the step it recorded forever. So while a
training step is captured (and while its eager reference runs), ``optimizer.apply`` records
the gradients it was given instead of applying them; the graph-step code applies them eagerly
after each replay, with that step's numbers (``models/step_graph.py``). Every ``apply`` (and
``apply_gradients``, which calls it) of every Optimizer subclass is deferrable.

Example::

    with deferring_updates() as updates:
        model.train_step((x, y))          # computes gradients, applies nothing
    for update in updates:
        update.apply()
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from gpulayers.autodiff import Tensor
from gpulayers.variable_bindings import mark_stale

__all__ = ["DeferredUpdate", "deferrable", "deferring_updates"]

_collectors: list[list[DeferredUpdate]] = []


class DeferredUpdate(NamedTuple):
    """One ``optimizer.apply(grads, variables)`` call, recorded: ``grads`` are backend arrays
    (or None), ``variables`` the list given (or None)."""

    optimizer: Any
    grads: list[Any]
    variables: list[Any] | None

    def apply(self) -> None:
        """Run the recorded call now."""
        self.optimizer.apply(self.grads, self.variables)


@contextlib.contextmanager
def deferring_updates() -> Iterator[list[DeferredUpdate]]:
    """Inside, ``optimizer.apply`` calls are recorded in the yielded list, not run."""
    updates: list[DeferredUpdate] = []
    _collectors.append(updates)
    try:
        yield updates
    finally:
        _collectors.pop()


def deferrable(apply: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an ``apply(self, grads, trainable_variables=None)`` method so that it records
    its call inside :func:`deferring_updates`."""
    @functools.wraps(apply)
    def deferrable_apply(self: Any, grads: Sequence[Any],
                         trainable_variables: Sequence[Any] | None = None) -> Any:
        if not _collectors:
            return apply(self, grads, trainable_variables)
        arrays = [g.data if isinstance(g, Tensor) else g for g in grads]
        variables = None if trainable_variables is None else list(trainable_variables)
        _collectors[-1].append(DeferredUpdate(self, arrays, variables))
        # Reading these later in the step would see them before the update, not after.
        mark_stale(variables if variables is not None else
                   getattr(self, "_trainable_variables", []))
        return None

    return deferrable_apply
