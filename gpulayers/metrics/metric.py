"""The Metric base class: state kept in non-trainable Variables, updated batch by batch.

A metric accumulates statistics with :meth:`Metric.update_state` (sums kept in Variables on
the device: nothing is copied to the host per batch), reports them with :meth:`Metric.result`
(a scalar Tensor) and starts over with :meth:`Metric.reset_state`.

Example::

    class BinaryTruePositives(Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable((), "zeros", name="true_positives")

        def update_state(self, y_true, y_pred, sample_weight=None):
            hits = ops.cast(ops.logical_and(ops.cast(y_true, "bool"),
                                            ops.cast(y_pred, "bool")), self.dtype)
            if sample_weight is not None:
                hits = hits * ops.cast(sample_weight, self.dtype)
            self.true_positives.assign_add(ops.sum(hits))

        def result(self):
            return ops.convert_to_tensor(self.true_positives)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import initializers, ops
from gpulayers.autodiff import Tensor, Variable
from gpulayers.initializers.object_catalog import to_snake_case
from gpulayers.layers.layer import unique_name
from gpulayers.losses.loss import loss_dtype

__all__ = ["Metric"]


class Metric:
    """Base class of metrics (``keras.metrics.Metric``).

    Args:
        dtype: the dtype the metric computes and keeps its state in; ``floatx()`` by default.
        name: the metric's name (the key in training logs); defaults to the snake_case class
            name, made unique in this process.

    Subclasses create their state in ``__init__`` with :meth:`add_variable` and implement
    :meth:`update_state` and :meth:`result`. Metrics assigned as attributes are tracked too:
    their variables appear in :attr:`variables` and are reset with this one's. Every
    subclass is remembered by class name, so ``metrics.deserialize`` finds one defined in the
    same process.

    Example::

        m = metrics.Mean()
        for batch_loss in ([1.0, 2.0], [3.0]):
            m.update_state(batch_loss)
        m.result()            # 2.0
        m.reset_state()
    """

    _subclasses: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Metric._subclasses[cls.__name__] = cls

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        self._variables: list[Variable] = []
        self._metrics: list[Metric] = []
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._dtype = loss_dtype(dtype, f"{type(self).__name__} {self.name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        # Track sub-metrics (Keras's Tracker) so their state is listed and reset with ours.
        if isinstance(value, Metric) and name != "_metrics" and hasattr(self, "_metrics"):
            if all(value is not known for known in self._metrics):
                self._metrics.append(value)
        super().__setattr__(name, value)

    @property
    def dtype(self) -> str:
        """The dtype of the metric's computations and state."""
        return self._dtype

    @property
    def variables(self) -> list[Variable]:
        """The state Variables (non-trainable), this metric's then its sub-metrics'."""
        self._check_super_called()
        collected = list(self._variables)
        for metric in self._metrics:
            collected.extend(metric.variables)
        return collected

    def add_variable(self, shape: Sequence[int], initializer: Any, dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> Variable:
        """Create a non-trainable state Variable and track it.

        Args:
            shape: the Variable's shape (``()`` for a scalar).
            initializer: an initializer name (``'zeros'``), instance or callable
                ``(shape, dtype) -> array``.
            dtype: defaults to the metric's dtype.
            aggregation: accepted for Keras compatibility (distributed aggregation; unused).
            name: the Variable's name, prefixed with the metric's.

        Example: ``self.total = self.add_variable((), "zeros", name="total")``.
        """
        self._check_super_called()
        del aggregation  # one device: there is nothing to aggregate across replicas
        init = initializers.get("zeros" if initializer is None else initializer)
        variable = Variable(init, shape=tuple(shape), dtype=dtype or self.dtype,
                            trainable=False, name=f"{self.name}/{name or 'variable'}")
        self._variables.append(variable)
        return variable

    def add_weight(self, shape: Sequence[int] = (), initializer: Any = None, dtype: Any = None,
                   name: str | None = None) -> Variable:
        """Same as :meth:`add_variable` (``initializer`` defaults to zeros)."""
        return self.add_variable(shape, initializer, dtype=dtype, name=name)

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Accumulate the statistics of one batch."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self) -> Tensor:
        """The metric's current value, computed from the state (a scalar Tensor)."""
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def reset_state(self) -> None:
        """Set every state Variable (sub-metrics' included) back to zero."""
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        """``update_state(*args, **kwargs)``, then :meth:`result`."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-serializable dict."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Create the metric from the dict :meth:`get_config` returned."""
        return cls(**config)

    def _check_super_called(self) -> None:
        if "_variables" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() in __init__ "
                               "before creating variables or using the metric")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
