"""Keras 3 preprocessing layers: Rescaling, Normalization and the image layers
(CenterCrop, Resizing, RandomFlip, RandomCrop)."""

from gpulayers.layers.preprocessing.center_crop import CenterCrop
from gpulayers.layers.preprocessing.normalization import Normalization
from gpulayers.layers.preprocessing.random_crop import RandomCrop
from gpulayers.layers.preprocessing.random_flip import RandomFlip
from gpulayers.layers.preprocessing.rescaling import Rescaling
from gpulayers.layers.preprocessing.resizing import Resizing

__all__ = ["CenterCrop", "Normalization", "RandomCrop", "RandomFlip", "Rescaling", "Resizing"]
