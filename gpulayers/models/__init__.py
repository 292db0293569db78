"""Models: Sequential, functional ``Model(inputs, outputs)`` and subclassed ``Model``, with
compile / fit / evaluate / predict (Keras 3 API)."""

from gpulayers.models.cloning import clone_model
from gpulayers.models.functional import Functional
from gpulayers.models.model import Model
from gpulayers.models.sequential import Sequential
from gpulayers.saving import load_model, model_from_json, save_model

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json",
           "save_model"]
