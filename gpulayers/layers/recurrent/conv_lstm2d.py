"""ConvLSTM2D: 2D convolutional LSTM layer (Keras 3 semantics and weight layout)."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.recurrent.cell_rnn import constructor_arguments
from gpulayers.layers.recurrent.conv_lstm import ConvLSTM

__all__ = ["ConvLSTM2D"]


class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM: an LSTM whose input and recurrent transformations are
    2D convolutions (gates i, f, c, o; see :class:`ConvLSTMCell` and :class:`ConvLSTM`).

    Args:
        filters: positive int, the channels of the output and the states.
        kernel_size, strides, dilation_rate: an int or 2 ints (``strides > 1`` is
            incompatible with ``dilation_rate > 1``).
        padding: ``'valid'`` (default) or ``'same'``, of the input convolution (the recurrent
            convolution is always stride 1, 'same').
        data_format: ``'channels_last'`` or ``'channels_first'``; None means
            ``backend.image_data_format()``.
        activation (tanh), recurrent_activation (sigmoid), use_bias (True),
        kernel_initializer (glorot_uniform), recurrent_initializer (orthogonal),
        bias_initializer (zeros), unit_forget_bias (True); kernel/recurrent/bias
        regularizers and constraints; activity_regularizer.
        dropout / recurrent_dropout: rates for the inputs / the state ``h`` (one mask per
            gate, fixed across the timesteps of a sequence; training only). seed: their seed.
        return_sequences, return_state, go_backwards, stateful: see :class:`RNN`.

    Input shape: ``(batch, time, rows, cols, channels)`` (channels_last) or
    ``(batch, time, channels, rows, cols)`` (channels_first).
    Output: ``(batch, new_rows, new_cols, filters)`` (or channels_first), the spatial sizes
    a 2D convolution with these arguments gives; with return_sequences a ``time`` axis
    after ``batch``; with return_state ``[output, h, c]``.
    Weights (Keras 3 layout): ``kernel (kh, kw, channels, 4*filters)``,
    ``recurrent_kernel (kh, kw, filters, 4*filters)``, ``bias (4*filters,)``.

    Example::

        layer = ConvLSTM2D(filters=4, kernel_size=3, padding="same", return_sequences=True)
        layer(ops.ones((2, 5, 8, 8, 3))).shape       # (2, 5, 8, 8, 4)
    """

    fixed_rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, **kwargs: Any) -> None:
        super().__init__(rank=2, **constructor_arguments(locals()))
