"""Keras 3 preprocessing layers: Rescaling, Normalization, the image layers (resizing,
cropping, flipping), the image augmentations (geometric, colour and mixing), and the
encoding and lookup layers (CategoryEncoding, Discretization, Hashing, HashedCrossing,
IntegerLookup, StringLookup, TextVectorization) and the audio spectrograms (STFTSpectrogram,
MelSpectrogram)."""

from gpulayers.layers.preprocessing.aug_mix import AugMix
from gpulayers.layers.preprocessing.auto_contrast import AutoContrast
from gpulayers.layers.preprocessing.category_encoding import CategoryEncoding
from gpulayers.layers.preprocessing.center_crop import CenterCrop
from gpulayers.layers.preprocessing.contrast_limited_adaptive_histogram_equalization import (
           ContrastLimitedAdaptiveHistogramEqualization,
)
from gpulayers.layers.preprocessing.cut_mix import CutMix
from gpulayers.layers.preprocessing.discretization import Discretization
from gpulayers.layers.preprocessing.equalization import Equalization
from gpulayers.layers.preprocessing.hashed_crossing import HashedCrossing
from gpulayers.layers.preprocessing.hashing import Hashing
from gpulayers.layers.preprocessing.integer_lookup import IntegerLookup
from gpulayers.layers.preprocessing.max_num_bounding_boxes import MaxNumBoundingBoxes
from gpulayers.layers.preprocessing.mel_spectrogram import MelSpectrogram
from gpulayers.layers.preprocessing.mix_up import MixUp
from gpulayers.layers.preprocessing.normalization import Normalization
from gpulayers.layers.preprocessing.pipeline import Pipeline
from gpulayers.layers.preprocessing.rand_augment import RandAugment
from gpulayers.layers.preprocessing.random_brightness import RandomBrightness
from gpulayers.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from gpulayers.layers.preprocessing.random_color_jitter import RandomColorJitter
from gpulayers.layers.preprocessing.random_contrast import RandomContrast
from gpulayers.layers.preprocessing.random_crop import RandomCrop
from gpulayers.layers.preprocessing.random_elastic_transform import RandomElasticTransform
from gpulayers.layers.preprocessing.random_erasing import RandomErasing
from gpulayers.layers.preprocessing.random_flip import RandomFlip
from gpulayers.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from gpulayers.layers.preprocessing.random_grayscale import RandomGrayscale
from gpulayers.layers.preprocessing.random_hue import RandomHue
from gpulayers.layers.preprocessing.random_invert import RandomInvert
from gpulayers.layers.preprocessing.random_perspective import RandomPerspective
from gpulayers.layers.preprocessing.random_posterization import RandomPosterization
from gpulayers.layers.preprocessing.random_rotation import RandomRotation
from gpulayers.layers.preprocessing.random_saturation import RandomSaturation
from gpulayers.layers.preprocessing.random_sharpness import RandomSharpness
from gpulayers.layers.preprocessing.random_shear import RandomShear
from gpulayers.layers.preprocessing.random_translation import RandomTranslation
from gpulayers.layers.preprocessing.random_zoom import RandomZoom
from gpulayers.layers.preprocessing.rescaling import Rescaling
from gpulayers.layers.preprocessing.resizing import Resizing
from gpulayers.layers.preprocessing.solarization import Solarization
from gpulayers.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from gpulayers.layers.preprocessing.string_lookup import StringLookup
from gpulayers.layers.preprocessing.text_vectorization import TextVectorization

__all__ = ["AugMix", "AutoContrast", "CategoryEncoding", "CenterCrop",
           "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "Discretization",
           "Equalization", "HashedCrossing", "Hashing", "IntegerLookup", "MaxNumBoundingBoxes",
           "MelSpectrogram", "MixUp", "Normalization", "Pipeline", "RandAugment",
           "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter",
           "RandomContrast", "RandomCrop", "RandomElasticTransform", "RandomErasing",
           "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert",
           "RandomPerspective", "RandomPosterization", "RandomRotation", "RandomSaturation",
           "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom", "Rescaling",
           "Resizing", "STFTSpectrogram", "Solarization", "StringLookup", "TextVectorization"]
