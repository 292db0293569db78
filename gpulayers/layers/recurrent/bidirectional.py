"""Bidirectional: run a recurrent layer over a sequence both ways and merge the two outputs
(Keras 3 semantics, config and weight order)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.input_spec import check_input_compatibility
from gpulayers.layers.layer import Layer
from gpulayers.layers.recurrent.sequence_input import sequence_input
from gpulayers.layers.recurrent.wrapping import check_wrapped, copy_layer, wrapped_from_config
from gpulayers.layers.serialization import serialize

__all__ = ["Bidirectional"]

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)
_COMMON_ATTRIBUTES = ("stateful", "return_sequences", "return_state")


class Bidirectional(Layer):
    """Runs a copy of ``layer`` forwards and another backwards over the input sequence and
    merges their outputs.

    The forward layer (``forward_<name>``) and the backward layer (``backward_<name>``,
    ``go_backwards`` flipped, as Keras 2 did; Keras 3 refuses a ``layer`` with
    go_backwards=True) are new layers built from ``layer``'s config: ``layer``'s own weights
    are not reused. The backward layer's sequence output is put back in input order
    before merging, so timestep ``t`` of the result sees the inputs ``t..T-1`` backwards and
    ``0..t`` forwards.

    Args:
        layer: a recurrent layer (``RNN``, ``LSTM``, ``GRU``, ``SimpleRNN``, or any layer with
            ``go_backwards``, ``return_sequences`` and ``return_state`` and a config).
        merge_mode: how the two outputs combine: ``'concat'`` (default, last axis),
            ``'sum'``, ``'mul'``, ``'ave'``, or None for the list ``[forward, backward]``.
        weights: optional initial weights (forward layer's, then backward layer's), set
            when the layer is built.
        backward_layer: optional layer for the backward direction instead of a copy of
            ``layer``; it must have the opposite ``go_backwards`` and the same
            ``return_sequences``, ``return_state`` and ``stateful``.
        **kwargs: base Layer arguments (name, trainable, dtype: default ``layer``'s; a given
            dtype is the copies' dtype too).

    With ``return_sequences``, masked timesteps output zeros in both directions (Keras
    forces ``zero_output_for_mask=True`` on both layers).

    Call arguments:
        sequences: ``(batch, timesteps, features)``. initial_state: the forward layer's
        initial states followed by the backward layer's. mask: ``(batch, timesteps)`` bools,
        passed to both layers. training: passed to both layers.

    Shapes: input ``(N, T, F)``; output ``(N, 2*units)`` with 'concat' (``(N, T, 2*units)``
    with return_sequences), ``(N, units)`` with the other modes; with return_state
    ``[output(s)..., *forward_states, *backward_states]``.
    Weights: the forward layer's, then the backward layer's (Keras's order).

    Example::

        Bidirectional(LSTM(4))(ops.ones((2, 10, 3))).shape                  # (2, 8)
        Bidirectional(GRU(4, return_sequences=True), merge_mode="sum")(x)  # (N, T, 4)
        out, h_f, c_f, h_b, c_b = Bidirectional(LSTM(4, return_state=True))(x)
    """

    def __init__(self, layer: Layer, merge_mode: str | None = "concat",
                 weights: list[Any] | None = None, backward_layer: Layer | None = None,
                 **kwargs: Any) -> None:
        dtype = kwargs.pop("dtype", None)
        default_dtype = layer.dtype if isinstance(layer, Layer) else None
        super().__init__(dtype=dtype if dtype is not None else default_dtype,
                         weights=None if weights is None or not len(weights) else weights,
                         **kwargs)
        who = owner(self)
        check_wrapped(who, "layer", layer)
        if backward_layer is not None:
            check_wrapped(who, "backward_layer", backward_layer)
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"{who}: invalid `merge_mode`; expected one of 'concat', 'sum', "
                             f"'mul', 'ave' or None. Received: merge_mode={merge_mode!r}")
        for attribute in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(layer, attribute):
                raise ValueError(f"{who}: `layer` must be a recurrent layer (with "
                                 f"`go_backwards`, `return_sequences` and `return_state`), "
                                 f"e.g. LSTM(8). Received: layer={layer!r}")
        # An explicit dtype is the whole wrapper's (e.g. float64 from an edited config).
        overrides = {} if dtype is None else {"dtype": self.dtype_policy.name}
        base = _base_name(layer.name)
        self.forward_layer = copy_layer(layer, name=f"forward_{base}", **overrides)
        self._custom_backward = backward_layer is not None
        if backward_layer is None:
            backward_layer = copy_layer(layer, name=f"backward_{base}",
                                        go_backwards=not layer.go_backwards, **overrides)
        self.backward_layer = backward_layer
        self._check_pair()
        for sublayer in (self.forward_layer, self.backward_layer):
            if hasattr(sublayer, "zero_output_for_mask"):
                # Keras: a masked step outputs zeros, in the sequences of both directions.
                sublayer.zero_output_for_mask = sublayer.return_sequences
        self.merge_mode = merge_mode
        self.stateful = bool(getattr(layer, "stateful", False))
        self.return_sequences = bool(layer.return_sequences)
        self.return_state = bool(layer.return_state)
        self.supports_masking = True
        self.input_spec = getattr(layer, "input_spec", None)

    def _check_pair(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        who = owner(self)
        if bool(getattr(backward, "go_backwards", None)) == bool(forward.go_backwards):
            raise ValueError(f"{who}: the forward and backward layers must have opposite "
                             f"`go_backwards`. Received: go_backwards={forward.go_backwards} "
                             f"for both ('{forward.name}' and '{backward.name}')")
        for attribute in _COMMON_ATTRIBUTES:
            ours = bool(getattr(forward, attribute, False))
            theirs = bool(getattr(backward, attribute, False))
            if ours != theirs:
                raise ValueError(f"{who}: the forward and backward layers must have the same "
                                 f"`{attribute}`. Received: {attribute}={ours} for "
                                 f"'{forward.name}' and {attribute}={theirs} for backward "
                                 f"layer '{backward.name}'")

    # -- shapes and masks ------------------------------------------------------------------
    def _check_inputs(self, inputs: Any) -> None:
        sequences = sequence_input(owner(self), inputs)
        check_input_compatibility(self.input_spec, [sequences], self.name)

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        for sublayer in (self.forward_layer, self.backward_layer):
            sublayer._build_once(sequences_shape)
        self.built = True

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        if isinstance(sequences_shape, list) and isinstance(sequences_shape[0], (tuple, list)):
            sequences_shape = sequences_shape[0]  # called on [sequences, *initial_state]
        forward, forward_states = self._split_shapes(
            self.forward_layer.compute_output_shape(tuple(sequences_shape)))
        backward, backward_states = self._split_shapes(
            self.backward_layer.compute_output_shape(tuple(sequences_shape)))
        if self.merge_mode is None:
            outputs = [forward, backward]
        elif self.merge_mode == "concat":
            units = None if forward[-1] is None or backward[-1] is None else (
                forward[-1] + backward[-1])
            outputs = [(*forward[:-1], units)]
        else:
            outputs = [forward]
        if self.return_state:
            return [*outputs, *forward_states, *backward_states]
        return outputs if self.merge_mode is None else outputs[0]

    def _split_shapes(self, shapes: Any) -> tuple[tuple, list[tuple]]:
        if not self.return_state:
            return tuple(shapes), []
        return tuple(shapes[0]), [tuple(s) for s in shapes[1:]]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):  # called on [sequences, *initial_state]
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            masks += [None] * (_state_count(self.forward_layer) + _state_count(
                self.backward_layer))
        return masks if len(masks) > 1 else masks[0]

    # -- computation -----------------------------------------------------------------------
    def call(self, sequences: Any, initial_state: Any = None, mask: Any = None,
             training: Any = None) -> Any:
        if isinstance(sequences, (list, tuple)):  # Keras 2: layer([x, *initial_state])
            sequences, initial_state = sequences[0], list(sequences[1:]) or initial_state
            mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        forward_states, backward_states = self._split_states(initial_state, "initial_state")
        forward = self._run(self.forward_layer, sequences, forward_states, mask, training)
        backward = self._run(self.backward_layer, sequences, backward_states, mask, training)
        states: list[Any] = []
        if self.return_state:
            states = [*forward[1:], *backward[1:]]
            forward, backward = forward[0], backward[0]
        forward, backward = self._cast(forward), self._cast(backward)
        if self.return_sequences:
            # The backward layer returns its sequence in processing order (last step first).
            backward = ops.flip(backward, axis=1)
        if self.merge_mode is None:
            outputs = [forward, backward]
        elif self.merge_mode == "concat":
            outputs = [ops.concatenate([forward, backward], axis=-1)]
        elif self.merge_mode == "sum":
            outputs = [forward + backward]
        elif self.merge_mode == "mul":
            outputs = [forward * backward]
        else:  # "ave"
            outputs = [(forward + backward) * 0.5]
        if self.return_state:
            return [*outputs, *states]
        return outputs if self.merge_mode is None else outputs[0]

    @staticmethod
    def _run(layer: Layer, sequences: Any, states: list[Any] | None, mask: Any,
             training: Any) -> Any:
        kwargs: dict[str, Any] = {"mask": mask, "training": training}
        if states is not None:  # layers without `initial_state` work when none is given
            kwargs["initial_state"] = states
        return layer(sequences, **kwargs)

    def _cast(self, tensor: Any) -> Any:
        dtype = self.compute_dtype
        return tensor if tensor.dtype == dtype else ops.cast(tensor, dtype)

    def _split_states(self, states: Any, argument: str) -> tuple[Any, Any]:
        """``states`` as (forward layer's, backward layer's): the first half, then the rest."""
        if states is None:
            return None, None
        given = list(states) if isinstance(states, (list, tuple)) else [states]
        forward, backward = (_state_count(self.forward_layer),
                             _state_count(self.backward_layer))
        known = forward > 0 and backward > 0
        if (known and len(given) != forward + backward) or (not known and len(given) % 2):
            wanted = (f"{forward + backward} tensors ({forward} for the forward layer, then "
                      f"{backward} for the backward layer)" if known else
                      "an even number of tensors (the forward layer's states, then the "
                      "backward layer's)")
            raise ValueError(f"{owner(self)}: `{argument}` must be a list of {wanted}. "
                             f"Received {len(given)} tensor(s)")
        split = forward if known else len(given) // 2
        return given[:split], given[split:]

    # -- stateful layers -------------------------------------------------------------------
    @property
    def states(self) -> list[Any] | None:
        """The kept states of a stateful wrapper: forward layer's, then backward layer's."""
        forward = getattr(self.forward_layer, "states", None)
        backward = getattr(self.backward_layer, "states", None)
        return [*forward, *backward] if forward and backward else None

    def reset_states(self, states: Any = None) -> None:
        """Zero the kept states of both layers, or set them (forward's, then backward's)."""
        if not self.stateful:
            raise ValueError(f"{owner(self)}: reset_states() is only for stateful layers; "
                             f"the wrapped layer was created with stateful=False")
        forward, backward = self._split_states(states, "states")
        self.forward_layer.reset_states(forward)
        self.backward_layer.reset_states(backward)

    def reset_state(self) -> None:
        """Keras 3 spelling of ``reset_states()``."""
        self.reset_states()

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "layer": serialize(self.forward_layer),
                  "merge_mode": self.merge_mode}
        if self._custom_backward:
            config["backward_layer"] = serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Bidirectional:
        """Rebuild from :meth:`get_config` (or a Keras 3 Bidirectional config)."""
        config = dict(config)
        dtype = config.get("dtype")
        config["layer"] = wrapped_from_config(config["layer"], dtype, custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = wrapped_from_config(backward, dtype, custom_objects)
        return super().from_config(config)


def _base_name(name: str) -> str:
    """``lstm`` for ``lstm``, ``forward_lstm`` or ``backward_lstm`` (a config round trip keeps
    the names)."""
    for prefix in ("forward_", "backward_"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _state_count(layer: Layer) -> int:
    """How many state tensors ``layer`` returns with return_state (0 when it does not say)."""
    size = getattr(layer, "state_size", None)
    if size is None:
        return 0
    return len(size) if isinstance(size, (list, tuple)) else 1
