"""Keras 3 layers: same names, arguments, defaults, output shapes and weight layouts.

Families live in sub-packages named as in Keras (``core``, ``attention``, ``convolutional``,
``pooling``, ``reshaping``, ``normalization``, ``merging``, ``activations``,
``regularization``, ``recurrent``, ``preprocessing``), so the older module paths
``gpulayers.layers.core.Dense`` and friends work too.
"""

from gpulayers.layers.activations import *  # noqa: F401,F403
from gpulayers.layers.attention import *  # noqa: F401,F403
from gpulayers.layers.convolutional import *  # noqa: F401,F403
from gpulayers.layers.core import *  # noqa: F401,F403
from gpulayers.layers.input_spec import InputSpec  # noqa: F401
from gpulayers.layers.keras_tensor import KerasTensor  # noqa: F401
from gpulayers.layers.layer import Layer  # noqa: F401
from gpulayers.layers.merging import *  # noqa: F401,F403
from gpulayers.layers.normalization import *  # noqa: F401,F403
from gpulayers.layers.pooling import *  # noqa: F401,F403
from gpulayers.layers.preprocessing import *  # noqa: F401,F403
from gpulayers.layers.recurrent import *  # noqa: F401,F403
from gpulayers.layers.regularization import *  # noqa: F401,F403
from gpulayers.layers.reshaping import *  # noqa: F401,F403
from gpulayers.layers.serialization import (  # noqa: F401
    deserialize,
    layer_from_config,
    serialize,
)
