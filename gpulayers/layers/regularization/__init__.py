"""Regularization layers: Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
AlphaDropout, ActivityRegularization (Keras 3 names, arguments and semantics)."""

from gpulayers.layers.regularization.activity_regularization import ActivityRegularization
from gpulayers.layers.regularization.alpha_dropout import AlphaDropout
from gpulayers.layers.regularization.dropout import Dropout
from gpulayers.layers.regularization.gaussian_dropout import GaussianDropout
from gpulayers.layers.regularization.gaussian_noise import GaussianNoise
from gpulayers.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

__all__ = ["ActivityRegularization", "AlphaDropout", "Dropout", "GaussianDropout",
           "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]
