"""Weight bookkeeping for layers: creating, tracking, listing, getting and setting weights."""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Variable


class WeightsMixin:
    """``add_weight``, ``weights``/``trainable_weights``/``non_trainable_weights``,
    ``get_weights``/``set_weights`` and automatic tracking of sub-layers and Variables
    assigned as attributes (so nested layers' weights belong to the outer layer)."""

    def __setattr__(self, name: str, value: Any) -> None:
        from gpulayers.layers.layer import Layer

        if "_layers" in self.__dict__:
            if isinstance(value, Layer) and value is not self and value not in self._layers:
                self._layers.append(value)
            elif isinstance(value, (list, tuple)):
                self._layers.extend(v for v in value if isinstance(v, Layer)
                                    and v not in self._layers)
            elif isinstance(value, Variable):
                self._track_variable(value)
        object.__setattr__(self, name, value)

    def _track_variable(self, variable: Variable) -> None:
        for tracked in self._trainable_variables + self._non_trainable_variables:
            if tracked is variable:
                return
        target = self._trainable_variables if variable.trainable else (
            self._non_trainable_variables)
        target.append(variable)

    def add_weight(self, *args: Any, shape: Any = None, initializer: Any = None,
                   dtype: Any = None, trainable: bool = True, regularizer: Any = None,
                   constraint: Any = None, name: str | None = None, autocast: bool = True,
                   **_keras_extras: Any) -> Variable:
        """Create a weight Variable owned by this layer.

        Args:
            shape: the weight's shape. initializer: name, Initializer or callable
                (default: 'glorot_uniform' for floats, 'zeros' otherwise).
            dtype: default the layer's ``variable_dtype``. trainable: updated by training
                or not. autocast: under a mixed policy, read in the compute dtype inside
                ``call`` (False keeps e.g. normalization statistics in float32).
            regularizer: penalty added to ``layer.losses``. constraint: projection applied
                after each optimizer update. name: the weight's name.
        Older positional spellings ``add_weight(name, shape, ...)`` also work.
        """
        if args and isinstance(args[0], str):  # Keras 2: add_weight(name, shape, ...)
            name, args = args[0], args[1:]
        if args:
            shape = args[0]
        from gpulayers import constraints, initializers, regularizers

        dtype = dtype or self.variable_dtype
        if initializer is None:
            initializer = "glorot_uniform" if "float" in str(dtype) else "zeros"
        init = initializers.get(initializer)
        shape = tuple(int(d) for d in (shape or ()))
        variable = Variable(init(shape, dtype=dtype), dtype=dtype, trainable=trainable,
                            name=f"{self.name}/{name or 'weight'}")
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        variable.autocast = bool(autocast)
        self._track_variable(variable)
        return variable

    @property
    def weights(self) -> list[Variable]:
        """All weights: this layer's (trainable first, as Keras), then its sub-layers'."""
        collected = list(self._trainable_variables) + list(self._non_trainable_variables)
        for layer in self._layers:
            collected.extend(w for w in layer.weights if not any(w is c for c in collected))
        return collected

    variables = weights

    @property
    def trainable_weights(self) -> list[Variable]:
        """Weights that training updates (none when the layer is frozen)."""
        if not self.trainable:
            return []
        return [w for w in self.weights if w.trainable and self._owner_trainable(w)]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Variable]:
        """Weights training does not update (all of them when the layer is frozen)."""
        trainable = self.trainable_weights
        return [w for w in self.weights if not any(w is t for t in trainable)]

    non_trainable_variables = non_trainable_weights

    def _owner_trainable(self, variable: Variable) -> bool:
        for layer in self._layers:
            if any(variable is w for w in layer.weights):
                return layer.trainable and layer._owner_trainable(variable)
        return True

    def _regularized_variables(self) -> list[tuple[Variable, Any]]:
        own = self._trainable_variables + self._non_trainable_variables
        return [(v, v.regularizer) for v in own if getattr(v, "regularizer", None) is not None]

    def get_weights(self) -> list[Any]:
        """The weights as NumPy arrays, in the order of ``weights`` (Keras's order)."""
        return [backend.to_numpy(w.data) for w in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Set all weights from a list of arrays, in the order of ``get_weights()``."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}': set_weights expected a list of {len(own)} arrays "
                f"(shapes {[w.shape for w in own]}), but received {len(weights)} arrays."
            )
        for variable, value in zip(own, weights):
            shape = tuple(getattr(value, "shape", ()))
            if shape != variable.shape:
                raise ValueError(
                    f"Layer '{self.name}': weight '{variable.name}' has shape "
                    f"{variable.shape}, but the provided weight has shape {shape}."
                )
        for variable, value in zip(own, weights):
            variable.assign(value)

    def count_params(self) -> int:
        """Total number of scalars in all weights."""
        total = 0
        for weight in self.weights:
            size = 1
            for dim in weight.shape:
                size *= dim
            total += size
        return total
