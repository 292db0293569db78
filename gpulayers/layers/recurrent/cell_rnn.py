"""CellRNN: what SimpleRNN, LSTM and GRU share on top of RNN.

Each is an ``RNN`` around its built-in cell, constructed from the cell's arguments plus the
RNN's: the cell's settings read through as layer attributes (``lstm.units``,
``lstm.kernel_initializer``...), and the config is flat, as Keras writes it (the cell's
arguments at the top level, no ``cell`` entry), so Keras 3 configs load unchanged.
"""

from __future__ import annotations

from typing import Any

from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import to_snake_case
from gpulayers.layers.recurrent.rnn import RNN

__all__ = ["CellRNN", "constructor_arguments"]

_RNN_ARGUMENTS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                  "zero_output_for_mask")
_LAYER_ARGUMENTS = ("name", "trainable", "dtype", "activity_regularizer", "input_shape",
                    "batch_input_shape", "batch_size", "weights")
_CELL_ATTRIBUTES = (
    "units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
    "reset_after", "kernel_initializer", "recurrent_initializer", "bias_initializer",
    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
    "implementation")


class CellRNN(RNN):
    """An RNN whose cell is built from the layer's own arguments (``cell_class``).

    ``input_dim``/``input_length`` (Keras 1/2 spellings) become
    ``input_shape=(input_length, input_dim)``.
    """

    cell_class: type = type(None)

    def __init__(self, **arguments: Any) -> None:
        arguments = _keras1_input_shape(type(self).__name__, arguments)
        rnn_kwargs = {key: arguments.pop(key) for key in _RNN_ARGUMENTS if key in arguments}
        layer_kwargs = {key: arguments.pop(key) for key in _LAYER_ARGUMENTS if key in arguments}
        arguments.pop("use_cudnn", None)  # Keras 3's cuDNN switch: our kernels always run
        cell_name = f"{to_snake_case(type(self).__name__)}_cell"
        cell = self.cell_class(**arguments, name=cell_name, dtype=layer_kwargs.get("dtype"),
                               trainable=layer_kwargs.get("trainable", True))
        super().__init__(cell, **rnn_kwargs, **layer_kwargs)
        self.input_spec = InputSpec(ndim=3)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        cell_config = config.pop("cell")["config"]
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return {**config, **cell_config}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CellRNN:
        config = dict(config)
        config.pop("cell", None)
        return super(RNN, cls).from_config(config)


def _cell_attribute(name: str) -> property:
    def read(self: CellRNN) -> Any:
        return getattr(self.cell, name)
    return property(read, doc=f"The cell's ``{name}``.")


for _name in _CELL_ATTRIBUTES:
    setattr(CellRNN, _name, _cell_attribute(_name))


def _keras1_input_shape(layer_name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    if "input_dim" not in arguments and "input_length" not in arguments:
        return arguments
    arguments = dict(arguments)
    shape = (arguments.pop("input_length", None), arguments.pop("input_dim", None))
    if "input_shape" in arguments or "batch_input_shape" in arguments:
        raise ValueError(f"{layer_name}: give input_dim/input_length or input_shape, "
                         f"not both")
    arguments["input_shape"] = shape
    return arguments


def constructor_arguments(given: dict[str, Any]) -> dict[str, Any]:
    """A constructor's ``locals()`` as one keyword dict (``self`` dropped, ``kwargs``
    merged), so each layer can spell out its Keras signature and pass it on whole."""
    arguments = {k: v for k, v in given.items() if k not in ("self", "kwargs", "__class__")}
    return {**arguments, **given.get("kwargs", {})}
