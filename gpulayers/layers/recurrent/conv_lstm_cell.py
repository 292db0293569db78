"""ConvLSTMCell: one step of a convolutional LSTM (Shi et al. 2015), Keras 3 layout, rank 1-3."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.layers.argument_checks import checked_data_format, owner, positive_int
from gpulayers.layers.convolutional.base_spatial_conv import conv_output_shape
from gpulayers.layers.recurrent.lstm_cell import LSTMCell
from gpulayers.ops.conv_arguments import int_tuple, padding_mode

__all__ = ["ConvLSTMCell"]


class ConvLSTMCell(LSTMCell):
    """Cell class for the ConvLSTM layers: an LSTM step whose two matmuls are convolutions.

    ``z = conv(x, kernel) + bias + conv_same(h_prev, recurrent_kernel)`` split on the channel
    axis into gate blocks i, f, c, o; ``c = f*c_prev + i*activation(z_c)``,
    ``h = o*activation(c)`` with the gates through ``recurrent_activation``. The input
    convolution uses ``strides``/``padding``/``dilation_rate``; the recurrent one always runs
    with stride 1 and 'same' padding, so ``h`` and ``c`` keep the input convolution's output
    shape.

    Args:
        rank: 1, 2 or 3, the number of spatial dims.
        filters: positive int, the channels of ``h`` and ``c``.
        kernel_size, strides, dilation_rate: an int or ``rank`` ints (``strides > 1`` is
            incompatible with ``dilation_rate > 1``).
        padding: ``'valid'`` or ``'same'`` (case-insensitive), of the input convolution.
        data_format: ``'channels_last'`` (step inputs ``(batch, *spatial, channels)``) or
            ``'channels_first'`` (``(batch, channels, *spatial)``); None means
            ``backend.image_data_format()``.
        activation (tanh), recurrent_activation (sigmoid), use_bias (True),
        kernel_initializer (glorot_uniform), recurrent_initializer (orthogonal),
        bias_initializer (zeros), unit_forget_bias (True: the forget gate's bias starts at 1),
        kernel/recurrent/bias regularizers and constraints.
        dropout / recurrent_dropout: rates for the inputs / the state ``h``; as in Keras each
            gate gets its own mask, drawn once per sequence (training only). seed: their seed.

    Weights (Keras 3 layout): ``kernel (*kernel_size, in_channels, 4*filters)``,
    ``recurrent_kernel (*kernel_size, filters, 4*filters)``, ``bias (4*filters,)``.
    States: ``[h, c]``, each shaped like the input convolution's output.

    Example::

        cell = ConvLSTMCell(2, filters=4, kernel_size=3, padding="same")
        x = ops.ones((2, 8, 8, 3))
        cell.build(x.shape)
        h, (h, c) = cell(x, cell.get_initial_state(2))       # h: (2, 8, 8, 4)
    """

    # The cell's ``call`` is the only way it runs; RNN's fused LSTM path does not apply.
    run_sequence = None
    dropout_mask_count = 4

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        who = type(self).__name__
        if isinstance(rank, bool) or rank not in (1, 2, 3):
            raise ValueError(f"{who}: `rank` must be 1, 2 or 3. Received: rank={rank!r}")
        filters = positive_int(who, "filters", filters)
        super().__init__(
            filters, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        who = owner(self)
        self.rank = int(rank)
        self.filters = filters
        self.kernel_size = int_tuple(who, "kernel_size", kernel_size, rank)
        self.strides = int_tuple(who, "strides", strides, rank)
        self.dilation_rate = int_tuple(who, "dilation_rate", dilation_rate, rank)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{who}: `strides > 1` is not supported together with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.padding = padding_mode(who, padding, rank, ("valid", "same"))
        self.data_format = checked_data_format(who, data_format)
        self.step_shape: tuple[Any, ...] | None = None

    @property
    def channel_axis(self) -> int:
        """The channel axis of a step's input, state and gates: 1 or -1."""
        return 1 if self.data_format == "channels_first" else -1

    # -- weights and shapes ----------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the weights for step inputs of ``input_shape`` (batch first)."""
        input_shape = tuple(input_shape)
        self.state_shape(input_shape)  # rank and size checks
        channels = input_shape[self.channel_axis]
        if channels is None:
            raise ValueError(f"{owner(self)}: the channel dimension (axis {self.channel_axis}) "
                             f"of the inputs must be known. Received input_shape={input_shape}")
        self.step_shape = input_shape[1:]
        width = 4 * self.filters
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, width), name="kernel",
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(*self.kernel_size, self.filters, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(width,), name="bias", initializer=self.bias_weight_initializer(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def state_shape(self, inputs_shape: Any, who: str | None = None) -> tuple:
        """The shape of ``h`` (and ``c``) for step inputs of ``inputs_shape``; errors (input
        of the wrong rank or too small for the kernel) name ``who``, by default the cell."""
        return conv_output_shape(who or owner(self), inputs_shape, self.filters,
                                 self.kernel_size, self.strides, self.padding,
                                 self.data_format, self.dilation_rate)

    def compute_output_shape(self, inputs_shape: Any, states_shape: Any = None) -> tuple:
        """``(h shape, [h shape, c shape])`` for step inputs of ``inputs_shape``."""
        shape = self.state_shape(inputs_shape)
        return shape, [shape, shape]

    def get_initial_state(self, batch_size: int | None = None) -> list[Any]:
        """Zero ``[h, c]`` for ``batch_size`` step inputs shaped as at build time."""
        if self.step_shape is None:
            raise ValueError(f"{owner(self)}: build the cell before asking for its initial "
                             f"state (the state shape follows the input's spatial shape)")
        shape = self.state_shape((batch_size, *self.step_shape))
        return [ops.zeros(shape, dtype=self.compute_dtype) for _ in range(2)]

    # -- computation -----------------------------------------------------------------------
    def _create_dropout_mask(self, step_input: Any, rate: float) -> list[Any]:
        # Keras 3 draws one mask per gate (i, f, c, o).
        return [super(ConvLSTMCell, self)._create_dropout_mask(step_input, rate)
                for _ in range(self.dropout_mask_count)]

    def dropout_masks(self, step_input: Any, state: Any,
                      training: Any) -> tuple[list[Any] | None, list[Any] | None]:
        """(input masks, recurrent masks) of this sequence, one per gate; None when off."""
        return self._masks(step_input, state, training)

    def _gate_conv(self, x: Any, kernel: Any, masks: list[Any] | None,
                   **geometry: Any) -> Any:
        """All four gate blocks of ``conv(x, kernel)``; with dropout, each block sees ``x``
        through its own mask."""
        if masks is None:
            return ops.conv(x, kernel, data_format=self.data_format, **geometry)
        blocks = ops.split(kernel, 4, axis=-1)
        return ops.concatenate(
            [ops.conv(x * mask, block, data_format=self.data_format, **geometry)
             for mask, block in zip(masks, blocks)], axis=self.channel_axis)

    def input_gates(self, inputs: Any, masks: list[Any] | None = None) -> Any:
        """The gates' input terms ``conv(inputs, kernel) + bias``: ``(batch, *out, 4f)`` (or
        channels_first). ``inputs`` may hold any number of rows (e.g. every timestep)."""
        z = self._gate_conv(inputs, self.kernel, masks, strides=self.strides,
                            padding=self.padding, dilation_rate=self.dilation_rate)
        if self.bias is None:
            return z
        if self.data_format == "channels_first":
            return z + ops.reshape(self.bias, (4 * self.filters,) + (1,) * self.rank)
        return z + self.bias

    def recurrent_gates(self, h: Any, masks: list[Any] | None = None) -> Any:
        """The gates' recurrent terms: ``conv(h, recurrent_kernel)``, stride 1, 'same'."""
        return self._gate_conv(h, self.recurrent_kernel, masks, strides=1, padding="same")

    def gate_update(self, z: Any, c_prev: Any) -> tuple[Any, Any]:
        """``(h, c)`` from the summed gate pre-activations ``z`` and the previous carry."""
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=self.channel_axis)
        gate = self.recurrent_activation
        c = gate(z_f) * c_prev + gate(z_i) * self.activation(z_c)
        return gate(z_o) * self.activation(c), c

    def call(self, inputs: Any, states: Any, training: Any = False) -> tuple[Any, list[Any]]:
        """One timestep: ``inputs`` a step input, ``states`` ``[h, c]`` -> ``(h, [h, c])``."""
        h_prev, c_prev = states
        input_masks, recurrent_masks = self.dropout_masks(inputs, h_prev, training)
        z = self.input_gates(inputs, input_masks) + self.recurrent_gates(h_prev,
                                                                        recurrent_masks)
        h, c = self.gate_update(z, c_prev)
        return h, [h, c]

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("units", None)
        return {**config, "rank": self.rank, "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate}
