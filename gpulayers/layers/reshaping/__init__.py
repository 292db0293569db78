"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, Cropping1D/2D/3D,
ZeroPadding1D/2D/3D and UpSampling1D/2D/3D (each N-d family on one shared base)."""

from gpulayers.layers.reshaping.cropping1d import Cropping1D
from gpulayers.layers.reshaping.cropping2d import Cropping2D
from gpulayers.layers.reshaping.cropping3d import Cropping3D
from gpulayers.layers.reshaping.flatten import Flatten
from gpulayers.layers.reshaping.permute import Permute
from gpulayers.layers.reshaping.repeat_vector import RepeatVector
from gpulayers.layers.reshaping.reshape import Reshape
from gpulayers.layers.reshaping.up_sampling1d import UpSampling1D
from gpulayers.layers.reshaping.up_sampling2d import UpSampling2D
from gpulayers.layers.reshaping.up_sampling3d import UpSampling3D
from gpulayers.layers.reshaping.zero_padding1d import ZeroPadding1D
from gpulayers.layers.reshaping.zero_padding2d import ZeroPadding2D
from gpulayers.layers.reshaping.zero_padding3d import ZeroPadding3D

__all__ = ["Cropping1D", "Cropping2D", "Cropping3D", "Flatten", "Permute", "RepeatVector",
           "Reshape", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D",
           "ZeroPadding2D", "ZeroPadding3D"]
