"""Convolution layers: Conv1D/2D/3D, their transposes, depthwise and separable convolutions.

Each family shares one base (``BaseConv``, ``BaseConvTranspose``, ``BaseDepthwiseConv``,
``BaseSeparableConv``, all on ``BaseSpatialConv``); the 1D/2D/3D classes only pass the rank.
Keras 3's aliases name the same classes (``Convolution2DTranspose is Conv2DTranspose``,
``SeparableConvolution2D is SeparableConv2D``). ``Convolution1D/2D/3D`` are the Keras 1/2
spellings from :mod:`gpulayers.layers.legacy`: they accept the modern arguments and the old
ones (``Convolution2D(64, 3, 3, border_mode='same', dim_ordering='th')``).
"""

from gpulayers.layers.convolutional.conv1d import Conv1D
from gpulayers.layers.convolutional.conv1d_transpose import Conv1DTranspose
from gpulayers.layers.convolutional.conv2d import Conv2D
from gpulayers.layers.convolutional.conv2d_transpose import Conv2DTranspose
from gpulayers.layers.convolutional.conv3d import Conv3D
from gpulayers.layers.convolutional.conv3d_transpose import Conv3DTranspose
from gpulayers.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from gpulayers.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from gpulayers.layers.convolutional.separable_conv1d import SeparableConv1D
from gpulayers.layers.convolutional.separable_conv2d import SeparableConv2D
from gpulayers.layers.legacy import Convolution1D, Convolution2D, Convolution3D

Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D

__all__ = [
    "Conv1D", "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D",
    "Conv3DTranspose", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
    "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose", "DepthwiseConv1D",
    "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
    "SeparableConvolution2D",
]
