"""The sequence input of a recurrent layer, checked once for RNN and Bidirectional."""

from __future__ import annotations

from typing import Any

__all__ = ["sequence_input"]


def sequence_input(who: str, inputs: Any) -> Any:
    """The ``(batch, timesteps, ...)`` tensor among a recurrent layer's inputs (the first one
    of Keras 2's ``[sequences, *initial_state]`` list); a ValueError naming ``who`` when it
    has rank < 3."""
    sequences = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
    if len(sequences.shape) < 3:
        raise ValueError(f"{who}: expected an input of rank 3 or more (batch, timesteps, "
                         f"features). Received an input of shape {tuple(sequences.shape)}")
    return sequences
