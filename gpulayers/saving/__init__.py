"""Saving and loading models (``keras.saving``): ``.keras`` files, weights files, and the
registry of custom objects.

Example::

    from gpulayers.saving import load_model, register_keras_serializable

    model.save("model.keras")                      # config + weights + optimizer state
    model = load_model("model.keras")              # predicts and trains on identically
    model.save_weights("model.weights.h5")         # Keras 3's HDF5 layout (needs h5py)
    model.load_weights("model.weights.h5")
"""

from gpulayers.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from gpulayers.saving.file_io import atomic_write
from gpulayers.saving.model_config import model_from_config, serialize_model
from gpulayers.saving.saving_api import (
    load_model,
    load_weights,
    model_from_json,
    save_model,
    save_weights,
)

__all__ = ["CustomObjectScope", "atomic_write", "custom_object_scope", "get_custom_objects",
           "get_registered_name", "get_registered_object", "load_model", "load_weights",
           "model_from_config", "model_from_json", "register_keras_serializable", "save_model",
           "save_weights", "serialize_model"]
