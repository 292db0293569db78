"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
RMSNormalization, UnitNormalization, SpectralNormalization (Keras 3 names, arguments and
weight layouts)."""

from gpulayers.layers.normalization.batch_normalization import BatchNormalization
from gpulayers.layers.normalization.group_normalization import GroupNormalization
from gpulayers.layers.normalization.layer_normalization import LayerNormalization
from gpulayers.layers.normalization.rms_normalization import RMSNormalization
from gpulayers.layers.normalization.spectral_normalization import SpectralNormalization
from gpulayers.layers.normalization.unit_normalization import UnitNormalization

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization",
           "RMSNormalization", "SpectralNormalization", "UnitNormalization"]
