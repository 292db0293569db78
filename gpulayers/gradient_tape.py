"""GradientTape: records differentiable ops and runs their vector-Jacobian products backwards.

See :mod:`gpulayers.autodiff` for the Tensor/Node side; this module walks the recorded graph.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from gpulayers import backend as _backend
from gpulayers.autodiff import (
    Node,
    Tensor,
    Variable,
    _recording_tapes,
    convert_to_tensor,
    unwrap,
)

__all__ = ["GradientTape"]


class GradientTape:
    """Records differentiable ops run inside its ``with`` block, for :meth:`gradient`.

    Args:
        persistent: allow several ``gradient`` calls (otherwise the second one raises).
        watch_accessed_variables: watch every trainable Variable used inside the block.

    Example::

        with GradientTape() as tape:
            tape.watch(x)                       # plain tensors must be watched explicitly
            loss = ops.mean((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_weights)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._watched: dict[tuple[int, int], Tensor] = {}
        self._accessed: dict[int, Variable] = {}
        self._used = False

    def __enter__(self) -> GradientTape:
        _recording_tapes.append(self)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self in _recording_tapes:
            _recording_tapes.remove(self)

    def watch(self, tensor: Any) -> None:
        """Track ``tensor`` (or a list of them) so gradients with respect to it can be taken."""
        for item in _flatten(tensor):
            if not isinstance(item, Tensor):
                raise TypeError(
                    f"GradientTape.watch: expected a Tensor or Variable. Received: {type(item)}"
                )
            self._watched[item._key()] = item

    def _tracks(self, tensor: Tensor) -> bool:
        if tensor._key() in self._watched:
            return True
        if self.watch_accessed_variables and isinstance(tensor, Variable) and tensor.trainable:
            self._accessed[id(tensor)] = tensor
            return True
        return False

    def watched_variables(self) -> list[Variable]:
        """Variables watched explicitly or accessed while recording."""
        watched = [t for t in self._watched.values() if isinstance(t, Variable)]
        return watched + [v for v in self._accessed.values() if v not in watched]

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Run a block without recording it on this tape."""
        was_recording = self in _recording_tapes
        if was_recording:
            _recording_tapes.remove(self)
        try:
            yield
        finally:
            if was_recording:
                _recording_tapes.append(self)

    def reset(self) -> None:
        """Forget what was watched."""
        self._watched.clear()
        self._accessed.clear()

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: str = "none") -> Any:
        """Gradients of ``target`` (summed if not scalar) with respect to ``sources``.

        ``sources`` may be one tensor or a (nested) list/tuple/dict of them; the result has the
        same structure. A source that ``target`` does not depend on gets None, or zeros with
        ``unconnected_gradients='zero'``.
        """
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                "GradientTape.gradient: unconnected_gradients must be 'none' or 'zero'. "
                f"Received: {unconnected_gradients!r}"
            )
        if self._used and not self.persistent:
            raise RuntimeError(
                "GradientTape.gradient can only be called once on a non-persistent tape; "
                "create the tape with GradientTape(persistent=True) to call it several times"
            )
        self._used = True
        targets = _flatten(target)
        seeds = _flatten(output_gradients) if output_gradients is not None else [None] * len(
            targets)
        grads = self._backpropagate(targets, seeds, _flatten(sources))
        zero = unconnected_gradients == "zero"

        def lookup(source: Any) -> Any:
            grad = grads.get(source._key())
            if grad is None and zero:
                grad = _backend.xp().zeros(source.shape, source._data.dtype)
            elif isinstance(source, Variable) and grad is not None \
                    and grad.dtype != source._data.dtype:
                # a Variable used in float16 by a mixed-precision layer gets a float32 grad
                grad = grad.astype(source._data.dtype)
            return None if grad is None else Tensor(grad)

        return _map_structure(lookup, sources)

    def _backpropagate(self, targets: list[Any], seeds: list[Any],
                       sources: list[Any]) -> dict[tuple[int, int], Any]:
        xp = _backend.xp()
        source_keys = set()
        for source in sources:
            if not isinstance(source, Tensor):
                raise TypeError(
                    f"GradientTape.gradient: sources must be Tensors or Variables. "
                    f"Received: {type(source)}"
                )
            source_keys.add(source._key())
        grads: dict[tuple[int, int], Any] = {}
        for target, seed in zip(targets, seeds):
            if not isinstance(target, Tensor) or (
                    target._node is None and target._key() not in source_keys):
                raise ValueError(
                    "GradientTape.gradient: the target was not recorded on this tape. Compute it "
                    "inside the `with GradientTape()` block from a watched tensor or a trainable "
                    "Variable (use tape.watch(x) for plain tensors)."
                )
            seed = xp.ones_like(target._data) if seed is None else unwrap(
                convert_to_tensor(seed, target.dtype))
            _accumulate(grads, target._key(), seed)
        for node in _reverse_topological(targets):
            output_grads = [grads.get((id(node), i)) for i in range(len(node.output_specs))]
            if all(g is None for g in output_grads):
                continue
            if not node.multi_output:
                input_grads = node.vjp(output_grads[0])
            else:
                input_grads = node.vjp(tuple(
                    xp.zeros(shape, dtype) if g is None else g
                    for g, (shape, dtype) in zip(output_grads, node.output_specs)))
            for parent, grad in zip(node.parents, input_grads):
                if grad is not None and isinstance(parent, Tensor):
                    _accumulate(grads, parent._key(), grad)
        return grads


def _accumulate(grads: dict[tuple[int, int], Any], key: tuple[int, int], grad: Any) -> None:
    previous = grads.get(key)
    grads[key] = grad if previous is None else previous + grad


def _reverse_topological(targets: list[Tensor]) -> list[Node]:
    """Nodes reachable from the targets, each after every node that consumes its outputs."""
    order: list[Node] = []
    visited: set[int] = set()
    for target in targets:
        if target._node is None or id(target._node) in visited:
            continue
        stack: list[tuple[Node, bool]] = [(target._node, False)]
        while stack:  # iterative DFS: deep graphs (long RNNs) must not hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent in node.parents:
                if isinstance(parent, Tensor) and parent._node is not None \
                        and id(parent._node) not in visited:
                    stack.append((parent._node, False))
    order.reverse()
    return order


def _flatten(structure: Any) -> list[Any]:
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in _flatten(structure[key])]
    return [structure]


def _map_structure(function: Callable[[Any], Any], structure: Any) -> Any:
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map_structure(function, item) for item in structure)
    if isinstance(structure, dict):
        return {key: _map_structure(function, value) for key, value in structure.items()}
    return function(structure)
