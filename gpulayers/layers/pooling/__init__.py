"""Pooling layers: max and average pooling over windows (1D/2D/3D) and over everything.

``MaxPooling1D/2D/3D`` and ``AveragePooling1D/2D/3D`` share ``BasePooling``;
``GlobalMaxPooling1D/2D/3D`` and ``GlobalAveragePooling1D/2D/3D`` share
``BaseGlobalPooling``; the adaptive poolings (to a fixed output size) share
``BaseAdaptivePooling``. Keras's short aliases (``MaxPool2D``, ``AvgPool2D``,
``GlobalMaxPool2D``, ``GlobalAvgPool2D``, ...) name the same classes.
"""

from gpulayers.layers.pooling.adaptive_pooling import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
from gpulayers.layers.pooling.average_pooling1d import AveragePooling1D, AvgPool1D
from gpulayers.layers.pooling.average_pooling2d import AveragePooling2D, AvgPool2D
from gpulayers.layers.pooling.average_pooling3d import AveragePooling3D, AvgPool3D
from gpulayers.layers.pooling.global_average_pooling1d import (
    GlobalAveragePooling1D,
    GlobalAvgPool1D,
)
from gpulayers.layers.pooling.global_average_pooling2d import (
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
)
from gpulayers.layers.pooling.global_average_pooling3d import (
    GlobalAveragePooling3D,
    GlobalAvgPool3D,
)
from gpulayers.layers.pooling.global_max_pooling1d import GlobalMaxPool1D, GlobalMaxPooling1D
from gpulayers.layers.pooling.global_max_pooling2d import GlobalMaxPool2D, GlobalMaxPooling2D
from gpulayers.layers.pooling.global_max_pooling3d import GlobalMaxPool3D, GlobalMaxPooling3D
from gpulayers.layers.pooling.max_pooling1d import MaxPool1D, MaxPooling1D
from gpulayers.layers.pooling.max_pooling2d import MaxPool2D, MaxPooling2D
from gpulayers.layers.pooling.max_pooling3d import MaxPool3D, MaxPooling3D

__all__ = [
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D",
    "AvgPool3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D",
    "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "GlobalMaxPooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPooling1D",
    "MaxPooling2D", "MaxPooling3D",
]
