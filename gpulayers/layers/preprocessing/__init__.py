"""Keras 3 preprocessing layers: Rescaling, Normalization, the image layers (CenterCrop,
Resizing, RandomFlip, RandomCrop) and the image augmentations (RandomContrast,
RandomBrightness, RandomTranslation, RandomRotation, RandomZoom)."""

from gpulayers.layers.preprocessing.center_crop import CenterCrop
from gpulayers.layers.preprocessing.normalization import Normalization
from gpulayers.layers.preprocessing.random_brightness import RandomBrightness
from gpulayers.layers.preprocessing.random_contrast import RandomContrast
from gpulayers.layers.preprocessing.random_crop import RandomCrop
from gpulayers.layers.preprocessing.random_flip import RandomFlip
from gpulayers.layers.preprocessing.random_rotation import RandomRotation
from gpulayers.layers.preprocessing.random_translation import RandomTranslation
from gpulayers.layers.preprocessing.random_zoom import RandomZoom
from gpulayers.layers.preprocessing.rescaling import Rescaling
from gpulayers.layers.preprocessing.resizing import Resizing

__all__ = ["CenterCrop", "Normalization", "RandomBrightness", "RandomContrast",
           "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom",
           "Rescaling", "Resizing"]
