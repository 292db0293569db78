"""DropoutRNNCell: dropout masks for recurrent cells, drawn once per sequence (Keras 3).

Recurrent dropout must drop the same units at every timestep of a sequence, or the noise
destroys the memory the recurrence carries (Gal & Ghahramani). A cell mixing this class in
draws its masks on the first step of a sequence, reuses them for every later step, and the
RNN layer calls ``reset_dropout_mask()`` / ``reset_recurrent_dropout_mask()`` after the
sequence so the next batch draws new ones.

The cell needs ``dropout`` and ``recurrent_dropout`` (rates in [0, 1]) and a
``seed_generator``. Masks are inverted-dropout multipliers: 0 or ``1 / (1 - rate)``.

Example (a custom cell)::

    class MyCell(DropoutRNNCell, Layer):
        def call(self, inputs, states, training=False):
            if training and 0 < self.dropout < 1:
                inputs = inputs * self.get_dropout_mask(inputs)
            ...
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops

__all__ = ["DropoutRNNCell"]


class DropoutRNNCell:
    """Mixin caching the input and recurrent dropout masks of one sequence."""

    def _create_dropout_mask(self, step_input: Any, rate: float) -> Any:
        return ops.dropout(ops.ones_like(step_input), rate, seed=self.seed_generator)

    def get_dropout_mask(self, step_input: Any) -> Any:
        """The input mask (shaped like one step's input) of the current sequence, or None
        when ``dropout`` is 0."""
        if getattr(self, "_dropout_mask", None) is None and 0 < self.dropout < 1:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_state: Any) -> Any:
        """The recurrent mask (shaped like the state ``h``) of the current sequence, or None
        when ``recurrent_dropout`` is 0."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and \
                0 < self.recurrent_dropout < 1:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_state,
                                                                     self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self) -> None:
        """Forget the input mask: the next sequence draws a new one."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        """Forget the recurrent mask: the next sequence draws a new one."""
        self._recurrent_dropout_mask = None
