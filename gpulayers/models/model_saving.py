"""``model.save`` / ``save_weights`` / ``load_weights``: the saving methods every Model has.

The work is done by :mod:`gpulayers.saving`; this mixin only exposes it as methods (Keras 3's
names and arguments) and remembers the input shape a model was first built for, which a
subclassed model needs to recreate its weights when it is loaded (Keras's ``build_config``).

Example::

    model.save("model.keras")
    model.save_weights("model.weights.h5")
    model.load_weights("model.weights.h5")
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["Saving"]


class Saving:
    """Mixed into :class:`~gpulayers.models.model.Model` (before the Layer base)."""

    built: bool

    def _build_once(self, input_shape: Any) -> None:
        # The first build's input shape becomes build_config["input_shape"] when saving.
        if not self.built and input_shape is not None:
            self._build_input_shape = input_shape
        super()._build_once(input_shape)  # type: ignore[misc]

    def save(self, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
        """Save the whole model to one ``.keras`` file: architecture, weights, optimizer state
        and compile config. The write is atomic: an interrupted save keeps the old file.

        Args:
            filepath: a path ending in ``.keras``.
            overwrite: replace an existing file; with False, an existing file is a
                ValueError (Keras would ask on the console).

        Example::

            model.save("model.keras")
            restored = gpulayers.models.load_model("model.keras")
        """
        from gpulayers.saving.saving_api import save_model

        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
        """Save the weights (and the optimizer's state when compiled).

        Args:
            filepath: ``*.weights.h5`` (Keras 3's HDF5 layout, which Keras's
                ``load_weights`` reads; needs h5py) or ``*.weights.npz`` (NumPy only).
            overwrite: replace an existing file; with False, an existing file is a
                ValueError.

        Example: ``model.save_weights("model.weights.h5")``.
        """
        from gpulayers.saving.saving_api import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str | os.PathLike[str], skip_mismatch: bool = False
                     ) -> None:
        """Load weights saved by ``save_weights`` (ours or Keras 3's) or from a ``.keras``
        file. Every layer's variable count and shapes are checked before anything is
        assigned.

        Args:
            filepath: ``*.weights.h5``, ``*.weights.npz`` or ``*.keras``.
            skip_mismatch: skip mismatched layers with a warning instead of raising.

        Example: ``model.load_weights("model.weights.h5")``.
        """
        from gpulayers.saving.saving_api import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs: Any) -> str:
        """The architecture (no weights) as JSON text; ``models.model_from_json`` rebuilds it.

        Args: kwargs: passed to ``json.dumps`` (e.g. ``indent=2``).

        Example: ``clone = gpulayers.models.model_from_json(model.to_json())``.
        """
        from gpulayers.saving.saving_api import model_to_json

        return model_to_json(self, **kwargs)
