"""OptimizerVariables: an optimizer's state (iterations and slot variables), made and restored.

Slots are per-variable state such as Adam's momentums; they are created in ``build`` with
:meth:`OptimizerVariables.add_optimizer_variables` and listed, after ``iterations``, by
:attr:`OptimizerVariables.variables` in a fixed order, which is what makes saving and
restoring an optimizer a list of arrays::

    state = [v.numpy() for v in optimizer.variables]
    fresh.build(model.trainable_weights)
    fresh.assign_variables(state)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, Variable

__all__ = ["OptimizerVariables"]


class OptimizerVariables:
    """The state half of :class:`~gpulayers.optimizers.Optimizer` (mixed into it).

    Expects ``self._variables`` (iterations first), ``self._variable_index``, ``self.built``
    and ``self._who()`` from the optimizer.
    """

    _variables: list[Variable]
    _variable_index: dict[int, int]
    built: bool

    def _who(self) -> str:
        raise NotImplementedError

    @property
    def variables(self) -> list[Variable]:
        """The optimizer's state: ``iterations``, then the slot variables in creation order
        (per model variable, in the order given to ``build``). Save them with
        ``[v.numpy() for v in optimizer.variables]``; restore with :meth:`assign_variables`.
        """
        return list(self._variables)

    def assign_variables(self, values: Sequence[Any]) -> None:
        """Restore the state saved from :attr:`variables` (arrays, in the same order).

        All shapes are checked before anything is assigned. A fresh optimizer must be built
        first (``optimizer.build(trainable_variables)``) so that its slots exist.

        Example::

            state = [v.numpy() for v in old.variables]
            new.build(model.trainable_weights)
            new.assign_variables(state)
        """
        values = list(values)
        if len(values) != len(self._variables):
            hint = ("" if self.built else " It is not built yet: call "
                    "optimizer.build(trainable_variables) first to create its slot variables.")
            raise ValueError(
                f"{self._who()}: assign_variables expected {len(self._variables)} values "
                f"(iterations, then the slot variables); received {len(values)}.{hint}")
        arrays = [v.data if isinstance(v, Tensor) else backend.to_device(v) for v in values]
        for i, (variable, array) in enumerate(zip(self._variables, arrays)):
            if tuple(array.shape) != variable.shape:
                raise ValueError(
                    f"{self._who()}: value {i} for optimizer variable {variable.name!r} has "
                    f"shape {tuple(array.shape)}, expected {variable.shape}")
        for variable, array in zip(self._variables, arrays):
            variable.assign(array)

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Keras 3's name for :meth:`assign_variables`."""
        self.assign_variables(weights)

    def add_variable_from_reference(self, reference_variable: Variable, name: str,
                                    initializer: float = 0.0) -> Variable:
        """A slot Variable shaped like ``reference_variable``, filled with ``initializer``.

        Named ``<reference name>_<name>`` as in Keras; it joins :attr:`variables`.
        """
        data = backend.xp().full(reference_variable.shape, initializer,
                                 dtype=reference_variable.data.dtype)
        slot_name = f"{reference_variable.name}".replace("/", "_").replace(":", "_")
        slot = Variable(data, trainable=False, name=f"{slot_name}_{name}")
        self._variables.append(slot)
        return slot

    def add_optimizer_variables(self, var_list: Sequence[Variable], names: str | Sequence[str],
                                initializer: float = 0.0) -> Any:
        """One slot per variable per name: a list for one name, a tuple of lists for several.

        Slots are created variable by variable (all names of the first variable, then the
        next), Keras 3's slot order. (Keras also lists its learning-rate variable second;
        here the learning rate is a float, not state.)
        """
        single = isinstance(names, str)
        names = [names] if single else list(names)
        slots: tuple[list[Variable], ...] = tuple([] for _ in names)
        for variable in var_list:
            for slot_list, name in zip(slots, names):
                slot_list.append(self.add_variable_from_reference(variable, name, initializer))
        return slots[0] if single else slots

    def _get_variable_index(self, variable: Variable) -> int:
        """The position of ``variable`` in the list the optimizer was built with."""
        return self._variable_index[id(variable)]

    def _slot_arrays(self, slots: Sequence[Variable], variables: Sequence[Variable]
                     ) -> list[Any]:
        """The arrays of one slot list (``slots``, built for every variable) that belong to
        ``variables``, in their order: what a fused update of ``variables`` writes."""
        index = self._variable_index
        return [slots[index[id(variable)]].data for variable in variables]
