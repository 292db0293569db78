"""The states a stateful RNN keeps between batches, and ``reset_states``.

A stateful layer's final states of one batch are the initial states of the next: row ``i``
of a batch continues the sequence of row ``i`` of the previous batch, so the batch size is
fixed when the layer is built. The states are not weights (Keras 3 keeps them out of
``weights`` too), so ``get_weights``/``set_weights`` are the same for stateful layers.
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import Variable, unwrap
from gpulayers.layers.argument_checks import owner

__all__ = ["StatefulMixin"]


class StatefulMixin:
    """``states``/``reset_states`` for layers with ``stateful``, ``state_size`` and
    ``dtype``."""

    def build_states(self, batch_size: int | None) -> None:
        """Create zero states for ``batch_size`` rows (a ValueError if it is unknown)."""
        if batch_size is None:
            raise ValueError(
                f"{owner(self)}: a stateful RNN needs a fixed batch size. Give the first "
                f"layer `batch_input_shape=(batch, timesteps, features)` (or "
                f"`batch_size=`), or use `Input(batch_shape=...)`")
        if self.states is None or self.states[0].shape[0] != batch_size:
            self.states = [Variable(ops.zeros((batch_size, size), dtype=self.compute_dtype).data,
                                    trainable=False, name=f"{self.name}/rnn_state")
                           for size in self.state_size]

    def current_states(self, batch_size: int) -> list[Any]:
        """The kept states as the next batch's initial states (checked against its size)."""
        if self.states is None:
            self.build_states(batch_size)
        expected = self.states[0].shape[0]
        if batch_size != expected:
            raise ValueError(f"{owner(self)}: this stateful RNN was built for batches of "
                             f"{expected} rows. Received a batch of {batch_size} rows")
        return [ops.convert_to_tensor(state.data) for state in self.states]

    def store_states(self, final_states: list[Any]) -> None:
        """Keep the final states (values only: no gradient flows into the next batch)."""
        for variable, state in zip(self.states, final_states):
            variable.assign(unwrap(state))

    def reset_states(self, states: Any = None) -> None:
        """Zero the kept states, or set them to ``states`` (one array per state).

        Raises ValueError on a layer that is not stateful, or for states of the wrong number
        or shape.
        """
        if not self.stateful:
            raise ValueError(f"{owner(self)}: reset_states() is only for stateful RNNs; "
                             f"this layer was created with stateful=False")
        if states is None:
            for variable in self.states or []:
                variable.assign(ops.zeros_like(variable).data)
            return
        given = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(given) != len(self.state_size):
            raise ValueError(f"{owner(self)}: expected {len(self.state_size)} state(s) of "
                             f"sizes {self.state_size}. Received {len(given)} state(s)")
        arrays = [backend.to_device(backend.to_numpy(unwrap(s))) for s in given]
        if self.states is None:
            self.build_states(int(arrays[0].shape[0]))
        for index, (variable, array) in enumerate(zip(self.states, arrays)):
            if tuple(array.shape) != variable.shape:
                raise ValueError(f"{owner(self)}: state {index} must have shape "
                                 f"{variable.shape}. Received shape {tuple(array.shape)}")
            variable.assign(array)

    def reset_state(self) -> None:
        """Keras 3 spelling of ``reset_states()``."""
        self.reset_states()
