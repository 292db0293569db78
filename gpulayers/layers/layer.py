"""The Layer base class: state (weights), computation (``call``), config, and graph nodes.

Subclass it the Keras way::

    class SimpleDense(Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", name="kernel")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return {**super().get_config(), "units": self.units}
"""

from __future__ import annotations

import contextlib
import inspect
import re
import warnings
from collections.abc import Iterator
from typing import Any

from gpulayers import dtype_policies, ops
from gpulayers.autodiff import (
    Tensor,
    Variable,
    autocast_dtype,
    autocast_scope,
    convert_to_tensor,
)
from gpulayers.layers.input_spec import check_input_compatibility
from gpulayers.layers.keras_tensor import KerasTensor, is_symbolic
from gpulayers.layers.layer_graph import LayerGraphMixin
from gpulayers.layers.node import Node, flatten
from gpulayers.layers.weights import WeightsMixin

_name_counts: dict[str, int] = {}
_NO_SCOPE = contextlib.nullcontext()
_training_context: list[bool | None] = []
_ALLOWED_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "input_dim", "weights"}


def unique_name(base: str) -> str:
    """``dense``, then ``dense_1``, ``dense_2``, ... as Keras names layers."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def to_snake_case(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d``; ``GRU`` -> ``gru``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Layer(WeightsMixin, LayerGraphMixin):
    """Base class of every layer. See the module docstring for a custom layer.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: a unique name (default: snake_case class name, numbered).
        dtype: a dtype (the layer's weight and compute dtype) or a dtype policy such as
            ``"mixed_float16"`` (compute in float16, float32 weights); default the global
            policy (``gpulayers.mixed_precision.set_global_policy``), else ``floatx()``.
        autocast: whether float weights are read in the compute dtype inside ``call`` under
            a mixed policy (default True).
        activity_regularizer: a regularizer applied to the layer's output; its value is
            added to ``layer.losses``.
        input_shape / batch_input_shape / batch_size / input_dim: where this is the first
            layer of a Sequential model, the shape of its inputs (batch excluded / included).
    """

    _registry: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Layer._registry.setdefault(cls.__name__, cls)  # for deserialize(); first one wins
        parameters = inspect.signature(cls.call).parameters
        cls._call_accepts_training = "training" in parameters
        cls._call_accepts_mask = "mask" in parameters

    def __init__(self, *, trainable: bool = True, name: str | None = None,
                 dtype: Any = None, autocast: bool = True, activity_regularizer: Any = None,
                 **kwargs: Any) -> None:
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError(f"{type(self).__name__}: unrecognized keyword arguments: "
                            f"{sorted(unknown)}")
        object.__setattr__(self, "_layers", [])
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._inbound_nodes: list[Node] = []
        self._losses: list[Tensor] = []
        self._trainable = bool(trainable)
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._dtype_policy = dtype_policies.get(dtype, f"Layer '{self.name}'")
        self.autocast = bool(autocast)
        self.built = False
        self.input_spec: Any = None
        self.supports_masking = False
        from gpulayers import regularizers

        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._batch_input_shape = _batch_input_shape_from(kwargs)
        self._initial_weights = kwargs.get("weights")

    # -- configuration ---------------------------------------------------------------------
    @property
    def dtype_policy(self) -> dtype_policies.DTypePolicy:
        """The layer's :class:`~gpulayers.mixed_precision.DTypePolicy`."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: Any) -> None:
        self._dtype_policy = dtype_policies.get(value, f"Layer '{self.name}'")

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (``variable_dtype``, as in Keras 3)."""
        return self._dtype_policy.variable_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype the layer creates its weights in."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in: float inputs (and, under a mixed policy, float
        weights) are cast to it."""
        return self._dtype_policy.compute_dtype

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer (extend in subclasses)."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable,
                                  "dtype": self._dtype_policy.name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if self.activity_regularizer is not None:
            from gpulayers import regularizers

            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Create a layer from the dict returned by :meth:`get_config`."""
        config = dict(config)
        if isinstance(config.get("dtype"), dict):  # Keras >= 3.6 writes a DTypePolicy dict
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(**config)

    # -- computation -----------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the weights once the input shape is known (override in subclasses)."""
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation (override in subclasses)."""
        raise NotImplementedError(f"Layer '{self.name}' ({type(self).__name__}) has no call()")

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The output mask: the input mask passes through layers that support masking."""
        if not self.supports_masking:
            if any(m is not None for m in flatten(mask)):
                warnings.warn(f"Layer '{self.name}' ({type(self).__name__}) does not support "
                              "masking, but was passed an input mask. The mask is dropped.",
                              stacklevel=3)
            return None
        return mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Output shape for ``input_shape`` (batch may be None), found by running ``call`` on
        small placeholder inputs. Layers override this with the closed form."""
        from gpulayers.layers.shape_inference import infer_output_shape

        return infer_output_shape(self, input_shape)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args:
            raise ValueError(f"Layer '{self.name}': call it with at least one input")
        if is_symbolic(args) or (kwargs and is_symbolic(kwargs)):
            return self._symbolic_call(args, kwargs)
        inputs = _to_tensors(args[0])
        self._check_inputs(inputs)
        self._maybe_build(inputs)
        training = kwargs.get("training")
        kwargs = self._resolve_call_kwargs(inputs, kwargs)
        self._losses.clear()
        with _training_scope(training if training is not None else kwargs.get("training")), \
                self._autocast_scope():
            outputs = self.call(_autocast(inputs, self.compute_dtype) if self.autocast
                                else inputs, *args[1:], **kwargs)
        if self.activity_regularizer is not None:
            for output in flatten(outputs):
                penalty = self.activity_regularizer(output)
                # Keras averages the penalty over the batch (when there is a batch axis).
                self.add_loss(penalty / output.shape[0] if output.ndim else penalty)
        self._attach_output_mask(inputs, outputs, kwargs.get("mask"))
        return outputs

    def _autocast_scope(self) -> Any:
        """Keras 3's rule: a mixed layer reads its float weights in its compute dtype, and
        so do the layers it calls unless they set their own (a float32 head in a float16
        model) or turn autocasting off."""
        current = autocast_dtype()
        compute = self.compute_dtype
        if current is None:
            mixed = compute != self.variable_dtype
            return autocast_scope(compute) if mixed and self.autocast else _NO_SCOPE
        if not self.autocast or not compute.startswith("float"):
            return autocast_scope(None)
        return autocast_scope(compute) if current != compute else _NO_SCOPE

    def _check_inputs(self, inputs: Any) -> None:
        check_input_compatibility(self.input_spec, flatten(inputs), self.name)

    def _maybe_build(self, inputs: Any) -> None:
        if self.built:
            return
        shapes = [tuple(t.shape) for t in flatten(inputs)]
        self._build_once(shapes[0] if not isinstance(inputs, (list, tuple)) else shapes)

    def _build_once(self, input_shape: Any) -> None:
        """Build for ``input_shape`` unless built, then set the constructor's ``weights=``
        (also for symbolic calls, and for wrappers building the layer they wrap)."""
        if self.built:
            return
        self.build(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _resolve_call_kwargs(self, inputs: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs = dict(kwargs)
        if self._call_accepts_training and kwargs.get("training") is None:
            inherited = _training_context[-1] if _training_context else None
            if inherited is not None:
                kwargs["training"] = inherited
        elif not self._call_accepts_training:
            kwargs.pop("training", None)
        if self._call_accepts_mask and kwargs.get("mask") is None:
            masks = [getattr(t, "_keras_mask", None) for t in flatten(inputs)]
            if any(m is not None for m in masks):
                kwargs["mask"] = masks if isinstance(inputs, (list, tuple)) else masks[0]
        elif not self._call_accepts_mask:
            kwargs.pop("mask", None)
        return kwargs

    def _attach_output_mask(self, inputs: Any, outputs: Any, mask: Any) -> None:
        if mask is None:
            masks = [getattr(t, "_keras_mask", None) for t in flatten(inputs)]
            mask = (masks if isinstance(inputs, (list, tuple)) else masks[0]) if any(
                m is not None for m in masks) else None
        if mask is None and type(self).compute_mask is Layer.compute_mask:
            return
        output_mask = self.compute_mask(inputs, mask)
        output_masks = output_mask if isinstance(output_mask, (list, tuple)) else [output_mask]
        for output, output_mask in zip(flatten(outputs), output_masks):
            if isinstance(output, Tensor):
                output._keras_mask = output_mask

    def _symbolic_call(self, args: tuple, kwargs: dict[str, Any]) -> Any:
        inputs = args[0]
        self._check_inputs(inputs)
        shapes = [t.shape for t in flatten(inputs)]
        input_shape = shapes if isinstance(inputs, (list, tuple)) else shapes[0]
        self._build_once(input_shape)
        output_shape = self.compute_output_shape(input_shape)
        outputs = _symbolic_outputs(output_shape, self.compute_dtype, self.name)
        Node(self, args, kwargs, outputs)
        return outputs

    # -- losses ----------------------------------------------------------------------------
    def add_loss(self, loss: Any) -> None:
        """Add a scalar loss term (e.g. an activity penalty) collected in ``losses``."""
        self._losses.append(convert_to_tensor(loss))

    @property
    def losses(self) -> list[Tensor]:
        """Activity losses of the last call plus weight-regularization penalties (fresh), this
        layer's and its sub-layers' (e.g. an LSTM's cell)."""
        collected = list(self._losses)
        for variable, regularizer in self._regularized_variables():
            collected.append(regularizer(variable))
        for layer in self._layers:
            collected.extend(layer.losses)
        return collected

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _batch_input_shape_from(kwargs: dict[str, Any]) -> tuple | None:
    if kwargs.get("batch_input_shape") is not None:
        return tuple(kwargs["batch_input_shape"])
    if kwargs.get("input_shape") is not None:
        return (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
    if kwargs.get("input_dim") is not None:
        return (kwargs.get("batch_size"), int(kwargs["input_dim"]))
    return None


def _to_tensors(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(_to_tensors(item) for item in inputs)
    if isinstance(inputs, dict):
        return {key: _to_tensors(value) for key, value in inputs.items()}
    return inputs if isinstance(inputs, Tensor) or inputs is None else convert_to_tensor(inputs)


def _autocast(inputs: Any, dtype: str) -> Any:
    """Float inputs are cast to the layer's dtype (Keras autocasting); others pass as is."""
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(_autocast(item, dtype) for item in inputs)
    if isinstance(inputs, Tensor) and inputs.dtype != dtype and "float" in inputs.dtype \
            and "float" in dtype:
        mask = inputs._keras_mask
        inputs = ops.cast(inputs, dtype)
        inputs._keras_mask = mask
    return inputs


def _symbolic_outputs(output_shape: Any, dtype: str, name: str) -> Any:
    if isinstance(output_shape, list) or (
            isinstance(output_shape, tuple) and output_shape
            and isinstance(output_shape[0], (tuple, list))):
        return [KerasTensor(shape, dtype, f"{name}_output_{i}")
                for i, shape in enumerate(output_shape)]
    return KerasTensor(output_shape, dtype, f"{name}_output")


@contextlib.contextmanager
def _training_scope(training: bool | None) -> Iterator[None]:
    """Nested layer calls inherit the outermost explicit ``training`` flag."""
    _training_context.append(training if training is not None else (
        _training_context[-1] if _training_context else None))
    try:
        yield
    finally:
        _training_context.pop()


__all__ = ["Layer", "to_snake_case", "unique_name"]
